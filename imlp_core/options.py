"""The implementation choices Algorithm 1 leaves open, as options of a sweep (notebook 08).

Each option is a field of :class:`imlp_core.sweep.SweepConfig` and a flag of ``python -m imlp_core train``.
Its first value is what the companion did before the option existed; a default stays out of a record's
config, so that records made before the option keep their keys (``config_key``).

| option | values (default first) | what the paper leaves open |
|---|---|---|
| ``interpolate_every`` | ``"epoch"``, or N optimiser steps | Algorithm 1 says "each epoch" |
| ``head`` | interpolated, own | Table 2 bolds only the six hidden layers |
| ``block`` | every-layer, s-mlp | Table 2's caption "Layers-1 and Layers-5"; App. E cites the S-MLP code |
| ``ln`` | plain, affine-interpolated, affine-own | the paper's alpha = 1 differs from its prior |
| ``optimizer_state`` | keep, reset | not said |
| ``bias`` | interpolated, own | Algorithm 1 names W only |
| ``lr_schedule`` | constant, cosine | App. E: constant; the S-MLP code offers cosine |
"""

from __future__ import annotations

import math
from typing import Any

from imlp_core.facts import BLOCKS

CHOICES: dict[str, tuple[str, ...]] = {
    "head": ("interpolated", "own"),
    "block": BLOCKS,
    "ln": ("plain", "affine-interpolated", "affine-own"),
    "optimizer_state": ("keep", "reset"),
    "bias": ("interpolated", "own"),
    "lr_schedule": ("constant", "cosine"),
}
# Every setting of a sweep whose default stays out of its records' keys (``precision`` came first).
DEFAULTS: dict[str, Any] = {"precision": "float32", "interpolate_every": "epoch", "curve_test_subset": None,
                            **{name: values[0] for name, values in CHOICES.items()}}


def check_choice(name: str, value: Any) -> None:
    """A ValueError naming the allowed values unless ``value`` is one of option ``name``'s."""
    if value not in CHOICES[name]:
        raise ValueError(f"unknown {name} {value!r}; choose one of {', '.join(CHOICES[name])}")


def check_interval(value: Any) -> None:
    """``interpolate_every`` is "epoch" or a whole number of optimiser steps >= 1."""
    if value != "epoch" and (isinstance(value, bool) or not isinstance(value, int) or value < 1):
        raise ValueError(f"interpolate_every must be 'epoch' or a number of optimizer steps >= 1 (1: after every "
                         f"step), got {value!r}")


def parse_interval(text: str) -> str | int:
    """The command line's ``--interpolate-every`` ("epoch" or N) as a config value."""
    if text == "epoch":
        return text
    try:
        return int(text)
    except ValueError:
        raise ValueError(f"--interpolate-every takes 'epoch' or a number of optimizer steps, got {text!r}") from None


def cosine_lr(lr: float, step: int, total_steps: int) -> float:
    """The learning rate before optimiser step ``step`` (0-based) of ``total_steps``: lr (1 + cos(pi step / total)) / 2."""
    return lr * 0.5 * (1.0 + math.cos(math.pi * step / total_steps))
