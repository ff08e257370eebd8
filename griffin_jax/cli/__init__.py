"""Command line: the ``griffin-jax`` console script (a Hydra app over the library)."""


def main() -> None:
    # Imported lazily so that ``import griffin_jax`` never imports Hydra.
    from griffin_jax.cli._app import hydra_main

    hydra_main()


__all__ = ["main", "collect_main"]


def collect_main(argv=None) -> int:
    """``griffin-jax-collect SWEEP_DIR``: merge a multirun's tables into SWEEP_DIR/collected/."""
    import argparse
    import os

    from griffin_jax.study._collect import collect_runs
    from griffin_jax.study._tables import write_csv

    p = argparse.ArgumentParser(prog="griffin-jax-collect", description=collect_main.__doc__)
    p.add_argument("sweep_dir")
    p.add_argument("--out", help="output folder (default SWEEP_DIR/collected)")
    args = p.parse_args(argv)
    got = collect_runs(args.sweep_dir)
    out = args.out or os.path.join(args.sweep_dir, "collected")
    for name, rows in got.items():
        if rows:
            path = write_csv(rows, os.path.join(out, name if name.endswith(".csv")
                                                 else f"{name}.csv"))
            print(f"{len(rows):6d} rows -> {path}")
    for f in got["failures"]:
        print(f"FAILED {f['job']}: {f['error']}")
    return 1 if got["failures"] else 0
