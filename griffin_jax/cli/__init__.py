"""Command line: the ``griffin-jax`` console script (a Hydra app over the library)."""


def main() -> None:
    # Imported lazily so that ``import griffin_jax`` never imports Hydra.
    from griffin_jax.cli._app import hydra_main

    hydra_main()


__all__ = ["main"]
