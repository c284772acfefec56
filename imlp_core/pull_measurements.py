"""What notebooks 08 and 09 measure of Algorithm 1's pulls while a :class:`~imlp_core.trainer.Trainer` trains.

Per model and selected layer, just before each epoch's last pull, against a snapshot W_0, W_P0 of the I-MLPs' weights
and the prior's dense equivalent taken just after the pull before it (or at the start):

* ``drift`` = |W - W_0| and ``gap`` = |W - W_P|, norms (a pull of alpha moves W by alpha * gap);
* along u = (W_P0 - W_0) / |W_P0 - W_0|, the direction towards the prior when the interval began:
  ``gap_start`` = |W_P0 - W_0|, ``drift_along`` = <W - W_0, u> (Adam's move towards the prior; < 0: away)
  and ``prior_along`` = <W_P - W_P0, u> (the prior's move away from W);
* ``first_step_along``: <W - W_0, u> after the interval's first optimiser step (Adam's moments still carry
  the I-MLP's own path).

Along u the gap grows by G = prior_along - drift_along in the interval, from gap_start to gap_start + G
before the pull; a pull of alpha takes it back to (1 - alpha)(gap_start + G). It stays put, as in a settled
model, at alpha = G / (gap_start + G): the directional balance (``dip.directional_balance``).
None where a number is not finite (a diverged model, or alpha = 1, whose gap_start is 0): strict JSON.

And ``test_acc_before_pull``: the I-MLPs' accuracy on the whole test split just before the run's last pull, what the
pull itself changes apart from what training did.
"""

from __future__ import annotations

import math
from typing import Callable

import torch
from torch import Tensor

from imlp_core.models import IMLP, Prior

DenseLayers = list[tuple[Tensor, Tensor]]  # the prior's (W_P, b_P) per layer (``Prior.dense_layers``)


class PullMeasurements:
    """The measurements of the pulls of ``mlp`` (K stacked I-MLPs) towards ``prior`` in the selected ``layers``.

    The Trainer calls it when an epoch starts (:meth:`start_epoch`), after each optimiser step (:meth:`after_step`)
    and around each pull (:meth:`before_pull`, :meth:`after_pull`); :attr:`epoch_fields` then holds the epoch's
    measurements as the record's history fields, [model][layer] each, and :attr:`accuracy_before_last_pull` the run's
    ``test_acc_before_pull``. Pulls come after every ``interval`` ("epoch" or N) optimiser steps; ``test_accuracy``
    gives the I-MLPs' accuracy on the whole test split.
    """

    def __init__(self, mlp: IMLP, prior: Prior, layers: list[int], interval: str | int, steps_per_epoch: int,
                 total_steps: int, test_accuracy: Callable[[], list[float]]) -> None:
        self.mlp, self.prior, self.layers, self.interval = mlp, prior, layers, interval
        self.steps_per_epoch, self.total_steps, self.test_accuracy = steps_per_epoch, total_steps, test_accuracy
        self.first_step_pending = False  # whether the next optimiser step is the first after a snapshot
        self.last_pulled: list[Tensor] = []  # each selected layer's W_0, (K, ...)
        self.prior_at_last_pull: list[Tensor] = []  # and W_P0
        self.epoch_fields: dict[str, list | None] = {}
        self.accuracy_before_last_pull: list[float] | None = None
        self.snapshot()

    def start_epoch(self) -> None:
        """No drift or gap until this epoch's last pull is measured."""
        self.epoch_fields = {"drift": None, "gap": None}

    @torch.no_grad()
    def after_step(self) -> None:
        """``first_step_along`` when this was the first optimiser step after the snapshot."""
        if self.first_step_pending:
            self.epoch_fields["first_step_along"] = finite_rows(self.moves_along_gap())
            self.first_step_pending = False

    def before_pull(self, step: int) -> DenseLayers | None:
        """Before the pull after optimiser step ``step`` (counted from 1): the accuracy if it is the run's last pull,
        and the measurements if it is its epoch's last; returns the prior's dense layers built for them (else None)."""
        if step == self.total_steps:
            self.accuracy_before_last_pull = self.test_accuracy()
        if not self.is_measured(step):
            return None
        dense = self.prior.dense_layers()
        self.measure(dense)
        return dense

    def after_pull(self, step: int, dense: DenseLayers | None) -> None:
        """After the pull after optimiser step ``step``: the snapshot, if the next pull is measured (its drift counts
        from here). ``dense``: what :meth:`before_pull` returned."""
        if self.interval == "epoch" or self.is_measured(step + self.interval):
            self.snapshot(dense)

    def is_measured(self, step: int) -> bool:
        """Whether the pull after optimiser step ``step`` is the last of its epoch (each one, when pulling per epoch)."""
        if self.interval == "epoch":
            return True
        epoch_end = math.ceil(step / self.steps_per_epoch) * self.steps_per_epoch
        return step + self.interval > epoch_end

    @torch.no_grad()
    def measure(self, dense: DenseLayers) -> None:
        """The drift, gap and their parts along u of this pull (the module docstring), the prior at ``dense``."""
        layers = self.mlp.interpolated_layers()
        drift, gap, prior_along, gap_start = [], [], [], []
        for i, before, prior_before in zip(self.layers, self.last_pulled, self.prior_at_last_pull):
            weight, prior_weight = layers[i].weight, dense[i][0].to(layers[i].weight.dtype)
            start = (prior_before - before).flatten(1)  # (K, n): W_P0 - W_0
            start_norm = start.norm(dim=1)
            drift.append((weight - before).flatten(1).norm(dim=1))
            gap.append((weight - prior_weight).flatten(1).norm(dim=1))
            prior_along.append(((prior_weight - prior_before).flatten() * start).sum(1) / start_norm)  # one prior, (n,)
            gap_start.append(start_norm)
        self.epoch_fields.setdefault("first_step_along", None)  # no first step measured in this epoch
        self.epoch_fields.update({name: finite_rows(values) for name, values in (
            ("drift", drift), ("gap", gap), ("gap_start", gap_start), ("drift_along", self.moves_along_gap()),
            ("prior_along", prior_along))})

    def moves_along_gap(self) -> list[Tensor]:
        """Per selected layer, <W - W_0, u> for each of the K models: how far W moved towards the prior since the
        snapshot."""
        layers, moves = self.mlp.interpolated_layers(), []
        for i, before, prior_before in zip(self.layers, self.last_pulled, self.prior_at_last_pull):
            start = (prior_before - before).flatten(1)
            moves.append(((layers[i].weight - before).flatten(1) * start).sum(1) / start.norm(dim=1))
        return moves

    @torch.no_grad()
    def snapshot(self, dense: DenseLayers | None = None) -> None:
        """W_0 and W_P0: each selected layer's current weights and the prior's dense equivalent (``dense``, when
        just built); the next measured pull counts from them."""
        layers, dense = self.mlp.interpolated_layers(), dense or self.prior.dense_layers()
        weights = [layers[i].weight.detach() for i in self.layers]
        priors = [dense[i][0].detach().to(w.dtype) for i, w in zip(self.layers, weights)]
        if [t.shape for t in self.last_pulled] == [w.shape for w in weights]:
            # copied into the snapshot's own tensors: a new snapshot beside the old (K weight copies, 2 GB for the
            # Mixer's 13 I-MLPs) was made at every epoch end, in the heap's holes or above them (``devices``)
            for snapshot, now in zip((*self.last_pulled, *self.prior_at_last_pull), (*weights, *priors)):
                snapshot.copy_(now)
        else:
            self.last_pulled = [w.clone() for w in weights]
            self.prior_at_last_pull = [p.clone() for p in priors]
        self.first_step_pending = True


def finite_rows(values: list[Tensor]) -> list[list[float | None]]:
    """Per-layer (K,) tensors as rows [model][layer] of floats, None where not finite (records hold strict JSON)."""
    return [[v if math.isfinite(v) else None for v in row] for row in torch.stack(values, 1).tolist()]
