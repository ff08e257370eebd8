"""Command line: the ``griffin-jax`` console script (a Hydra app over the library)."""


def _plain_run(args) -> bool:
    """A run or sweep of the package's own config (not --help, --cfg, --info, a shell
    completion or another config): the one the pre-checks know."""
    return not (
        args.help
        or args.hydra_help
        or args.cfg
        or args.info
        or args.shell_completion
        or args.config_path
        or args.config_name
        or args.config_dir
        or args.experimental_rerun
    )


def main() -> None:
    import os
    import sys

    # Imported lazily so that ``import griffin_jax`` never imports Hydra.
    from hydra._internal.utils import get_args_parser

    from griffin_jax.cli import _overrides, _schema

    args = get_args_parser().parse_known_args()[0]
    overrides = args.overrides
    try:
        # Plugins first (runtime.imports=[...]): what they register can be named below. Then a
        # key typo names its nearest key in one line before Hydra composes (Hydra's own
        # message for it suggests appending the key with '+', which the checks reject), and
        # whatever else Hydra would refuse (syntax, group choices) is named the same way.
        _schema.import_plugins(_schema.override_imports(overrides))
        _schema.register()
        _schema.check_override_keys(overrides)
        if _plain_run(args):
            _overrides.check(overrides, multirun=bool(args.multirun))
    except _schema.ConfigError as err:
        if os.environ.get("HYDRA_FULL_ERROR") == "1":
            raise
        print(f"griffin-jax: error: {_overrides._one_line(str(err))}", file=sys.stderr)
        sys.exit(2)
    from griffin_jax.cli import _sweep
    from griffin_jax.cli._app import hydra_main

    try:
        hydra_main()
    except KeyboardInterrupt:  # recorded in the run's status.json as interrupted
        if os.environ.get("HYDRA_FULL_ERROR") == "1":
            raise
        print("griffin-jax: interrupted", file=sys.stderr)
        sys.exit(130)
    failed = _sweep.failures() if args.multirun else None
    if failed:
        for job in failed:
            print(
                f"griffin-jax: job {job.get('job')} {job.get('status')}: "
                f"{_overrides._one_line(str(job.get('error', '')))}",
                file=sys.stderr,
            )
        sys.exit(1)


__all__ = ["main", "collect_main"]


def collect_main(argv=None) -> int:
    """``griffin-jax-collect SWEEP_DIR``: merge every table of a multirun's jobs into
    SWEEP_DIR/collected/ (one CSV per table name, plus jobs.csv). Every job without a finished
    status (failed, interrupted, still running or killed, a .hydra/ config that disagrees with
    its tables) is reported in one line; exits 1 then, or when a finished job wrote no table,
    and 2 on a usage error or a status.json that is not one."""
    import argparse
    import os
    import sys

    from griffin_jax.study._collect import collect_runs
    from griffin_jax.study._tables import write_csv

    def one_line(text) -> str:
        line = " ".join(str(text).split())
        return line if len(line) <= 500 else line[:497] + "..."

    p = argparse.ArgumentParser(prog="griffin-jax-collect", description=collect_main.__doc__)
    p.add_argument("sweep_dir")
    p.add_argument("--out", help="output folder (default SWEEP_DIR/collected)")
    args = p.parse_args(argv)
    try:
        got = collect_runs(args.sweep_dir)
    except (ValueError, OSError) as err:
        print(f"griffin-jax-collect: error: {one_line(err)}", file=sys.stderr)
        return 2
    out = args.out or os.path.join(args.sweep_dir, "collected")
    try:
        for name, rows in got.items():
            if name not in ("failures", "empty") and rows:
                path = write_csv(
                    rows, os.path.join(out, name if name.endswith(".csv") else f"{name}.csv")
                )
                print(f"{len(rows):6d} rows -> {path}")
    except OSError as err:
        print(f"griffin-jax-collect: error: --out {out}: {err.strerror or err}", file=sys.stderr)
        return 2
    for f in got["failures"]:
        error = f["error"] or "no error recorded (still running, or killed)"
        print(f"{str(f['status']).upper()} {f['job']}: {one_line(error)}")
    for f in got["empty"]:
        print(f"NO TABLES {f['job']}: finished, but wrote no CSV table to merge")
    if any(f["status"] == "unreadable" for f in got["failures"]):
        return 2
    return 1 if got["failures"] or got["empty"] else 0
