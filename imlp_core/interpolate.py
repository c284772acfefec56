"""Algorithm 1's interpolation step and the alpha schedules (constant; decay, App. G; test-time, App. F)."""

from __future__ import annotations

import math
import numbers
from dataclasses import dataclass
from typing import Literal, Sequence

import torch
from torch import Tensor

from imlp_core.facts import LayerSelection, select_layers
from imlp_core.models import IMLP, Prior

SCHEDULE_KINDS = ("constant", "decay", "test-time")


def check_alpha(alpha: float, name: str = "alpha") -> float:
    """``alpha`` as a float, or a ValueError saying why it is not an interpolation weight."""
    if isinstance(alpha, bool) or not isinstance(alpha, numbers.Real):
        raise TypeError(f"{name} must be a number in [0, 1], got {alpha!r} of type {type(alpha).__name__}")
    alpha = float(alpha)
    if not math.isfinite(alpha) or not 0.0 <= alpha <= 1.0:
        raise ValueError(
            f"{name} must be a finite number in [0, 1] (0: plain S-MLP, 1: the prior's weights), got {alpha!r}"
        )
    return float(alpha)


@dataclass(frozen=True)
class AlphaSchedule:
    """The interpolation weight of one I-MLP over training.

    * ``constant``: alpha[t] = ``alpha`` after every epoch (Algorithm 1).
    * ``decay``: alpha[t] = a (1 - t / t_max)^k with a = ``alpha`` (Appendix G); t = 0, ..., t_max - 1 is the
      epoch just finished, so the first interpolation uses a and k = 0 is the constant schedule.
    * ``test-time``: no interpolation while training; once, with alpha_test = ``alpha``, before the final
      evaluation (Appendix F).
    """

    kind: Literal["constant", "decay", "test-time"] = "constant"
    alpha: float = 0.0
    k: float = 0.0

    def __post_init__(self) -> None:
        if self.kind not in SCHEDULE_KINDS:
            raise ValueError(f"unknown schedule {self.kind!r}; choose one of {', '.join(SCHEDULE_KINDS)}")
        check_alpha(self.alpha, "decay a" if self.kind == "decay" else "alpha")
        if isinstance(self.k, bool) or not isinstance(self.k, (int, float)) or not math.isfinite(self.k) or self.k < 0:
            raise ValueError(f"decay exponent k must be a finite number >= 0 (0 keeps alpha constant), got {self.k!r}")
        if self.kind != "decay" and self.k != 0:
            raise ValueError(f"k={self.k} only applies to the 'decay' schedule, not {self.kind!r}")

    def during_training(self, epoch: int, epochs: int) -> float:
        """alpha used after (0-based) ``epoch`` of ``epochs``."""
        if self.kind == "constant":
            return self.alpha
        if self.kind == "decay":
            return self.alpha * (1 - epoch / epochs) ** self.k
        return 0.0

    def at_test_time(self) -> float:
        """The one-off alpha applied before the final evaluation (non-zero only for ``test-time``)."""
        return self.alpha if self.kind == "test-time" else 0.0

    @property
    def label(self) -> str:
        if self.kind == "constant":
            return f"α = {self.alpha:g}"
        if self.kind == "decay":
            return f"decay a = {self.alpha:g}, k = {self.k:g}"
        return f"test-time α = {self.alpha:g}"


@torch.no_grad()
def interpolate_(
    mlp: IMLP, prior: Prior, alpha: float | Sequence[float] | Tensor, layers: LayerSelection = "all",
    *, bias: bool = True, norms: bool = False, dense: list[tuple[Tensor, Tensor]] | None = None,
) -> None:
    """Algorithm 1, in place: W <- (1 - alpha) W + alpha W_P and b <- (1 - alpha) b + alpha b_P.

    ``W_P, b_P`` come from the prior's current weights (``prior.dense_layers()``: Eq. 4 or Eq. 5). ``alpha`` is
    one number, or one per stacked model (shape (K,)). ``torch.lerp`` returns exactly W_P at alpha = 1 and
    exactly W at alpha = 0. Notebook 08's open choices: ``bias=False`` leaves b alone (Algorithm 1 names W
    only); ``norms=True`` also pulls the affine LN's gamma, beta after each selected hidden layer towards the
    prior's (``prior.dense_norms()``). ``dense``: ``prior.dense_layers()`` when the caller has just built them.
    """
    mlp_layers = mlp.interpolated_layers()
    dense = prior.dense_layers() if dense is None else dense
    if len(dense) != len(mlp_layers):
        raise ValueError(f"the I-MLP has {len(mlp_layers)} interpolated layers but the prior has {len(dense)}; build it with IMLP.matching(prior)")
    selected = select_layers(layers, len(mlp_layers))
    weight = mlp_layers[0].weight
    alphas = check_alphas(alpha, mlp.num_models).to(dtype=weight.dtype, device=weight.device)
    # Every check comes before the first write, so a mismatch never leaves the I-MLP half interpolated.
    for i in selected:
        layer, (w_p, b_p) = mlp_layers[i], dense[i]
        if layer.weight.shape[1:] != w_p.shape or layer.bias.shape[1:] != b_p.shape:
            raise ValueError(
                f"layer {i}: the I-MLP's weight is {tuple(layer.weight.shape[1:])} (bias {tuple(layer.bias.shape[1:])}) "
                f"but the prior's dense equivalent is {tuple(w_p.shape)} (bias {tuple(b_p.shape)}); "
                f"build the I-MLP with IMLP.matching(prior)"
            )
    for i in selected:
        layer, (w_p, b_p) = mlp_layers[i], dense[i]
        layer.weight.lerp_(w_p.to(weight.dtype).expand_as(layer.weight), alphas[:, None, None])
        if bias:
            layer.bias.lerp_(b_p.to(weight.dtype).expand_as(layer.bias), alphas[:, None])
    if norms:  # gamma and beta of the affine LN after each selected hidden layer
        for i, (norm, dense_norm) in enumerate(zip(mlp.affine_norms(), prior.dense_norms())):
            if i in selected and norm is not None:
                for param, target in zip((norm.weight, norm.bias), dense_norm):
                    param.lerp_(target.to(weight.dtype).expand_as(param), alphas[:, None])


def check_alphas(alpha: float | Sequence[float] | Tensor, num_models: int) -> Tensor:
    """``alpha`` as a float64 (K,) tensor: one number for all K models or one per model, each in [0, 1]."""
    if isinstance(alpha, Tensor):
        values = alpha.detach().double().cpu().flatten().tolist()
    elif isinstance(alpha, (int, float)):
        values = [alpha]
    else:
        values = list(alpha)
    values = [check_alpha(a, f"alpha[{k}]" if len(values) > 1 else "alpha") for k, a in enumerate(values)]
    if len(values) == 1:
        values = values * num_models
    if len(values) != num_models:
        raise ValueError(f"got {len(values)} alphas for an I-MLP of {num_models} stacked models; give one alpha, or one per model")
    return torch.tensor(values, dtype=torch.float64)
