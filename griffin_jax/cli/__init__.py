"""Command line: the ``griffin-jax`` console script (a Hydra app over the library)."""


def main() -> None:
    import os
    import sys

    # Imported lazily so that ``import griffin_jax`` never imports Hydra.
    from hydra._internal.utils import get_args_parser

    from griffin_jax.cli import _schema

    overrides = get_args_parser().parse_known_args()[0].overrides
    try:
        # Plugins first (runtime.imports=[...]): what they register can be named below. Then a
        # key typo names its nearest key in one line before Hydra composes (Hydra's own
        # message for it suggests appending the key with '+', which the checks reject).
        _schema.import_plugins(_schema.override_imports(overrides))
        _schema.register()
        _schema.check_override_keys(overrides)
    except _schema.ConfigError as err:
        if os.environ.get("HYDRA_FULL_ERROR") == "1":
            raise
        print(f"griffin-jax: error: {err}", file=sys.stderr)
        sys.exit(2)
    from griffin_jax.cli._app import hydra_main

    hydra_main()


__all__ = ["main", "collect_main"]


def collect_main(argv=None) -> int:
    """``griffin-jax-collect SWEEP_DIR``: merge every table of a multirun's jobs into
    SWEEP_DIR/collected/ (one CSV per table name, plus jobs.csv). Exits 1 when a job failed or
    a finished job wrote no table."""
    import argparse
    import os
    import sys

    from griffin_jax.study._collect import collect_runs
    from griffin_jax.study._tables import write_csv

    p = argparse.ArgumentParser(prog="griffin-jax-collect", description=collect_main.__doc__)
    p.add_argument("sweep_dir")
    p.add_argument("--out", help="output folder (default SWEEP_DIR/collected)")
    args = p.parse_args(argv)
    try:
        got = collect_runs(args.sweep_dir)
    except ValueError as err:
        print(f"griffin-jax-collect: error: {err}", file=sys.stderr)
        return 2
    out = args.out or os.path.join(args.sweep_dir, "collected")
    for name, rows in got.items():
        if name not in ("failures", "empty") and rows:
            path = write_csv(
                rows, os.path.join(out, name if name.endswith(".csv") else f"{name}.csv")
            )
            print(f"{len(rows):6d} rows -> {path}")
    for f in got["failures"]:
        print(f"FAILED {f['job']}: {f['error']}")
    for f in got["empty"]:
        print(f"NO TABLES {f['job']}: finished, but wrote no CSV table to merge")
    return 1 if got["failures"] or got["empty"] else 0
