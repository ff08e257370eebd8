"""The shared argument checks: one wording per mistake, the field named."""

import numpy as np
import pytest

from griffin_jax._checks import check_bool, check_choice, check_int, check_ints, is_int


def test_ints_are_ints_and_bools_are_not():
    assert is_int(3) and is_int(np.int64(3)) and not is_int(True) and not is_int(3.0)
    assert check_int("x", np.int32(4), 1) == 4 and type(check_int("x", np.int32(4))) is int
    assert check_int("x", None, 1, optional=True) is None
    assert check_ints("xs", [1, np.int8(2)], 1) == (1, 2)


@pytest.mark.parametrize(
    "call, match",
    [
        (lambda: check_int("Foo.n", 0, 1), r"Foo.n must be an int >= 1, got 0"),
        (lambda: check_int("Foo.n", None, 1), r"Foo.n must be an int >= 1, got None"),
        (lambda: check_int("Foo.n", 2.5, optional=True), r"Foo.n must be null or an int"),
        (lambda: check_ints("Foo.xs", [1, True], 0), r"Foo.xs must be a list of ints >= 0"),
        (lambda: check_bool("Foo.b", 1), r"Foo.b must be a bool, got 1"),
        (lambda: check_choice("Foo.c", "x", ("a", "b")), r"Foo.c must be one of \('a', 'b'\)"),
    ],
)
def test_each_mistake_names_the_field(call, match):
    with pytest.raises(ValueError, match=match):
        call()
