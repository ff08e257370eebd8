"""``python -m griffin_jax``: the same Hydra app as the ``griffin-jax`` console script."""

from griffin_jax.cli import main

if __name__ == "__main__":
    main()
