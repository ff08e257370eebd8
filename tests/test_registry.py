"""The one Registry type behind presets, networks, window shapes and experiments."""

import pytest

from griffin_jax._registry import Registry


def _reg():
    def check(entry):
        if entry.meta["kind"] not in ("a", "b"):
            raise ValueError("kind must be a or b")

    return Registry("thing", required=("kind",), check=check)


def test_register_look_up_filter_and_remove():
    reg = _reg()

    @reg.register("first", kind="a")
    def first():
        """The first thing. More words."""

    reg.register("second", lambda: 2, kind="b", summary="two")
    assert list(reg) == ["first", "second"] and len(reg) == 2 and "first" in reg
    assert (
        reg.get("first") is first and reg.entry("first").summary == "The first thing. More words."
    )
    assert reg.entry("second").kind == "b" and reg.names(kind="a") == ("first",)
    assert reg.names(kind=lambda k: k in ("a", "b")) == ("first", "second")
    assert dict(reg.as_mapping())["second"]() == 2
    live = reg.as_mapping()
    reg.register("third", lambda: 3, kind="a")
    assert "third" in live and len(live) == 3  # the view follows later registrations
    reg.unregister("third")
    assert "third" not in live


@pytest.mark.parametrize(
    "call, match",
    [
        (lambda r: r.register("first", lambda: 0, kind="a"), "already registered"),
        (lambda r: r.register("x y", lambda: 0, kind="a"), "identifier"),
        (lambda r: r.register("x", lambda: 0), "missing metadata"),
        (lambda r: r.register("x", lambda: 0, kind="c"), "kind must be"),
        (lambda r: r.get("frist"), "unknown thing 'frist'; did you mean 'first'"),
        (lambda r: r.get("zzz"), "known: first"),
    ],
)
def test_mistakes_are_named(call, match):
    reg = _reg()
    reg.register("first", lambda: 1, kind="a")
    with pytest.raises(ValueError, match=match):
        call(reg)
    reg.register("first", lambda: 5, kind="a", replace=True)
    assert reg.get("first")() == 5
