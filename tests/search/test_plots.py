"""The history plot."""

import pytest

from griffin_jax.search import plot_history, random_search, run_search
from tests.conftest import search_space, search_tiny


def test_plot_history_writes_a_figure(tmp_path):
    pytest.importorskip("matplotlib")
    mix, ev, rel = search_tiny()
    res = run_search(
        mix, "edp", search_space(), seed=0, steps=6, restarts=2, evaluator=ev, relaxation=rel
    )
    path = plot_history(res, tmp_path / "h.png")
    assert (tmp_path / "h.png").stat().st_size > 1000 and path.endswith("h.png")
    with pytest.raises(ValueError, match="history"):
        plot_history(random_search(ev, "edp", 2), tmp_path / "x.png")
