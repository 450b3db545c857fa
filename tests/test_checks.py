"""logreg_core.checks: one message style, "<name> must be <expected>; got <received>"."""

import math

import numpy as np
import pytest

from logreg_core.checks import (
    check_choice,
    check_finite,
    check_int,
    check_open_unit,
    check_positive_finite,
    check_positive_int,
)


def test_values_that_pass_come_back_as_plain_python_types():
    assert check_int("n", np.int64(3), 0) == 3 and type(check_int("n", np.int64(3), 0)) is int
    assert check_positive_int("n", 1, maximum=1) == 1
    assert type(check_finite("x", np.float32(0.5))) is float
    assert check_finite("x", 0, minimum=0.0) == 0.0
    assert check_positive_finite("α", 2) == 2.0
    assert check_open_unit("t", 0.5) == 0.5
    assert check_choice("scaling", "255", ("none", "255")) == "255"


@pytest.mark.parametrize(
    ("call", "message"),
    [
        (lambda: check_int("m", 1, 2), "m must be a whole number ≥ 2; got 1"),
        (lambda: check_int("m", 2.0, 2), "m must be a whole number ≥ 2; got 2.0"),
        (lambda: check_int("m", True, 0), "m must be a whole number ≥ 0; got True"),
        (lambda: check_int("m", 10**7, 1, 1_000_000), "m must be at most 1,000,000; got 10,000,000"),
        (lambda: check_positive_int("snapshot interval", 0), "snapshot interval must be a whole number ≥ 1; got 0"),
        (lambda: check_finite("slope", math.nan), "slope must be a finite number; got nan"),
        (lambda: check_finite("slope", "1"), "slope must be a finite number; got '1'"),
        (lambda: check_finite("noise", -1.0, minimum=0.0), "noise must be a finite number ≥ 0; got -1.0"),
        (lambda: check_positive_finite("learning rate", 0), "learning rate must be a finite number > 0; got 0"),
        (lambda: check_positive_finite("α", math.inf), "α must be a finite number > 0; got inf"),
        (lambda: check_positive_finite("α", False), "α must be a finite number > 0; got False"),
        (lambda: check_open_unit("threshold", 1.0), "threshold must be a number strictly between 0 and 1; got 1.0"),
        (lambda: check_choice("method", "fast", ("auto", "direct")), "method must be one of auto, direct; got 'fast'"),
    ],
)
def test_one_message_style(call, message):
    with pytest.raises(ValueError) as caught:
        call()
    assert str(caught.value) == message
    assert "; got " in message and ", got" not in message and ">=" not in message
