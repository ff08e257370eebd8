"""Window shapes by name, and window specs read from text (never evaluated)."""

import pytest

import griffin_jax as gj
from griffin_jax.design import SHAPE_REGISTRY, shape, window_from_spec


def test_built_in_shapes():
    assert shape("box", 2, 1) == gj.Window.box(2, 1) == window_from_spec("box(2, 1)")
    assert window_from_spec("time(depth=3)").as_tuples() == ((1, 0, 0), (2, 0, 0), (3, 0, 0))
    assert window_from_spec("l_shape(2, 5)") == gj.design.l_shape(2, 5)
    assert window_from_spec("t_shape") == window_from_spec("t_shape()") == gj.design.t_shape()
    assert window_from_spec("box(1, 0, 1)").has_group_offsets
    assert set(SHAPE_REGISTRY) >= {"box", "time", "l_shape", "t_shape"}


@pytest.mark.parametrize(
    "spec, match",
    [
        ("box(2, x)", "int literals"),
        ("box(2, 1.5)", "int literals"),
        ("__import__('os').system('true')", "not 'name'"),
        ("box(**{'time': 2})", "no \\*\\* arguments"),
        ("bx(2)", "did you mean 'box'"),
        ("box(time=0, lane=-1)", "lane must be an int >= 0"),
        ("l_shape(2, 5, 1)", "window shape 'l_shape'"),
        ("box(" * 300, "short string"),
    ],
)
def test_bad_specs_are_refused_by_name(spec, match):
    with pytest.raises(ValueError, match=match):
        window_from_spec(spec)


def test_a_registered_shape_is_usable_by_name():
    gj.register_shape("diag", lambda n=2: gj.Window.from_offsets([(t, t) for t in range(1, n + 1)]))
    try:
        assert window_from_spec("diag(3)").as_tuples() == ((1, 1, 0), (2, 2, 0), (3, 3, 0))
    finally:
        SHAPE_REGISTRY.unregister("diag")
