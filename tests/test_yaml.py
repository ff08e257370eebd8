"""The bounded YAML reader (``griffin_jax._yaml``) and the files read through it."""

import time

import pytest

from griffin_jax import _yaml
from griffin_jax.cost import load_tech


def _bomb(levels: int = 9, width: int = 9) -> str:
    """About a kilobyte of nested aliases that expands to ``width ** levels`` scalars."""
    lines = ['a0: &a0 ["x"]']
    for i in range(1, levels + 1):
        lines.append(f"a{i}: &a{i} [{', '.join([f'*a{i - 1}'] * width)}]")
    return "\n".join(lines) + "\n"


def test_an_alias_bomb_is_refused_in_milliseconds_without_quoting_it():
    text = _bomb()
    assert len(text) < 1100
    start = time.perf_counter()
    with pytest.raises(ValueError, match="expands to more than") as err:
        _yaml.safe_load(text, "bomb.yaml")
    assert time.perf_counter() - start < 5  # about a millisecond; generous on a loaded machine
    assert "bomb.yaml" in str(err.value) and "*a" not in str(err.value)
    assert len(str(err.value)) < 200


@pytest.mark.parametrize(
    "text, match",
    [
        ("a: &x [*x]\n", "contains it"),  # a cyclic value
        ("[" * 200 + "]" * 200, "deeper than|too deeply"),
        ("a: [1, 2\n", "not valid YAML.*line"),
        (b"\xff\xfe", "not UTF-8"),
    ],
)
def test_hostile_documents_are_one_value_error_naming_the_file(text, match):
    with pytest.raises(ValueError, match=match) as err:
        _yaml.safe_load(text, "f.yaml")
    assert str(err.value).startswith("f.yaml: ") and "\n" not in str(err.value)


def test_size_is_bounded_before_parsing(tmp_path):
    path = tmp_path / "big.yaml"
    path.write_text("a: 1\n" * 100)
    with pytest.raises(ValueError, match="byte limit"):
        _yaml.read(path, max_bytes=64)
    assert _yaml.read(path) == {"a": 1}  # duplicate keys: the last one, as yaml.safe_load
    assert _yaml.safe_load("") is None and _yaml.safe_load("[1, *x]".replace("*x", "2")) == [1, 2]


def test_a_tech_config_with_an_alias_bomb_is_refused_by_name(tmp_path):
    path = tmp_path / "bomb.yaml"
    path.write_text("name: bomb\n" + _bomb().replace("a9:", "mult8_energy:"))
    with pytest.raises(ValueError, match=r"bomb.yaml: YAML expands to more than"):
        load_tech(path)
