"""What the K runs of a sweep record while a :class:`~imlp_core.trainer.Trainer` trains them: each epoch's numbers, which
models are stopped, and at the end one record per run (the JSON the store keeps, ``records.py``).

A model whose training loss or weights become non-finite is *stopped*: its record says ``diverged at epoch N``
and holds no numbers (None) from that epoch on; the other models of the sweep are untouched (every operation
acts on each stacked model separately). If the prior diverges, no I-MLP is interpolated from that epoch on.
"""

from __future__ import annotations

import math
from typing import Any

import torch
from torch import Tensor

from imlp_core.data import ImageDataset
from imlp_core.interpolate import AlphaSchedule
from imlp_core.models import IMLP, Prior
from imlp_core.provenance import environment_info
from imlp_core.sweep import SweepConfig

PRIOR = "prior"  # the prior's entry in Divergence.at (the I-MLPs' are 0, ..., K - 1)


class Divergence:
    """Which models of a sweep are stopped: ``at`` holds the epoch (from 1) at which each diverged I-MLP k, or the
    :data:`PRIOR`, first had a non-finite training loss or weights."""

    def __init__(self) -> None:
        self.at: dict[int | str, int] = {}

    @torch.no_grad()
    def check(self, epoch: int, prior: Prior, prior_loss: Tensor, mlp: IMLP, mlp_loss: Tensor) -> None:
        """Mark the prior and each I-MLP whose epoch loss or weights are no longer finite as diverged (stopped)."""
        prior_finite = math.isfinite(prior_loss.item()) and all(p.isfinite().all() for p in prior.parameters())
        mlp_finite = mlp_loss.isfinite()
        for p in mlp.parameters():  # stacked: (K, ...), checked one model at a time (isfinite's temporaries are
            for k, weights in enumerate(p):  # 2.25 bytes per element: 0.5 GB for 23 S-CNN I-MLPs' first layer)
                mlp_finite[k] &= weights.isfinite().all()
        for model, finite in [(PRIOR, prior_finite), *enumerate(mlp_finite.tolist())]:
            if not finite:
                self.at.setdefault(model, epoch + 1)

    def stopped(self, model: int | str, epoch: int) -> bool:
        """Whether I-MLP ``model`` (k), or the :data:`PRIOR`, is stopped at (1-based) ``epoch``: it diverged then or
        before. A stopped model's numbers are None from then on; a stopped prior is no longer interpolated towards."""
        return self.at.get(model, math.inf) <= epoch

    def status(self, k: int, epochs: int) -> str:
        """The record's status of I-MLP ``k`` after ``epochs``: ok, diverged, or its prior diverged."""
        if self.stopped(k, epochs):
            return f"diverged at epoch {self.at[k]}: training loss or weights not finite; stopped"
        if self.stopped(PRIOR, epochs):
            return f"prior diverged at epoch {self.at[PRIOR]}; interpolation stopped"
        return "ok"


class History:
    """The K runs' numbers epoch by epoch (``entries``: one dict per epoch, a list over the K models per I-MLP
    number), which models are stopped (``divergence``) and the seconds spent training (``train_seconds``)."""

    def __init__(self) -> None:
        self.entries: list[dict[str, Any]] = []
        self.divergence = Divergence()
        self.train_seconds = 0.0

    def __len__(self) -> int:
        """The epochs recorded."""
        return len(self.entries)

    def state(self) -> dict[str, Any]:
        """The history as plain data, for the Trainer's checkpoint."""
        return {"history": self.entries, "diverged_at": self.divergence.at, "train_seconds": self.train_seconds}

    def load_state(self, state: dict[str, Any]) -> None:
        """Continue from ``state`` (what :meth:`state` returned)."""
        self.entries, self.divergence.at, self.train_seconds = (state["history"], state["diverged_at"],
                                                                state["train_seconds"])

    def add_epoch(self, epoch: int, alphas: list[float], prior_loss: Tensor, mlp_loss: Tensor, prior_acc: float,
                  mlp_acc: list[float], pulls: dict[str, Any], accuracy_before_last_pull: list[float] | None,
                  test_images: int | None) -> None:
        """Append (0-based) ``epoch``'s numbers; a stopped (diverged) model's are None from its divergence on.
        ``pulls``: the epoch's pull measurements; ``accuracy_before_last_pull``: the run's, at its last epoch;
        ``test_images``: on how many test images the accuracies were measured (recorded with a curve subset)."""
        stopped = self.divergence.stopped
        mlp_losses = [None if stopped(k, epoch + 1) else loss for k, loss in enumerate(mlp_loss.tolist())]
        mlp_acc = [None if stopped(k, epoch + 1) else acc for k, acc in enumerate(mlp_acc)]
        prior_stopped = stopped(PRIOR, epoch + 1)
        self.entries.append({"epoch": epoch + 1, "alpha": alphas, "train_loss": mlp_losses, "test_acc": mlp_acc,
                             "prior_train_loss": None if prior_stopped else prior_loss.item(),
                             "prior_test_acc": None if prior_stopped else prior_acc, **pulls})
        if accuracy_before_last_pull is not None:
            self.entries[-1]["test_acc_before_pull"] = [
                None if stopped(k, epoch + 1) else acc for k, acc in enumerate(accuracy_before_last_pull)]
        if test_images is not None:
            self.entries[-1]["test_images"] = test_images

    def progress(self, epochs: int, n_train: int) -> str:
        """The progress bar's note after the last recorded epoch: the prior's and the I-MLPs' accuracy, and the
        training images per second (``n_train`` images per epoch)."""
        last, speed = self.entries[-1], n_train * len(self) / max(self.train_seconds, 1e-9)
        mlp = [acc for acc in last["test_acc"] if acc is not None]
        prior = "—" if last["prior_test_acc"] is None else f"{last['prior_test_acc']:.1%}"
        spread = f"{min(mlp):.1%}-{max(mlp):.1%}" if mlp else "—"
        return f"epoch {last['epoch']}/{epochs} prior {prior} I-MLP {spread} {speed:.0f} img/s"

    def records(self, sweep: SweepConfig, schedules: list[AlphaSchedule], data: ImageDataset, device: torch.device
                ) -> list[dict[str, Any]]:
        """One record per I-MLP of ``schedules``: its key and config, its history and its status (ok, diverged, or
        prior diverged), the dataset ``data`` and the environment on ``device``."""
        environment = environment_info(device)
        dataset = {"name": data.name, "source": data.source, "fingerprint": data.fingerprint,
                   "num_train": len(data.train_labels), "num_test": len(data.test_labels),
                   "num_classes": data.num_classes}
        images_per_s = len(data.train_labels) * len(self.entries) / max(self.train_seconds, 1e-9)
        records = []
        for k, schedule in enumerate(schedules):
            history = [{name: (value[k] if isinstance(value, list) else value) for name, value in h.items()}
                       for h in self.entries]
            records.append({
                "key": sweep.run_key(schedule), "config": sweep.run_config(schedule), "label": schedule.label,
                "status": self.divergence.status(k, len(self.entries)),
                "history": history,
                "final": {"test_acc": history[-1]["test_acc"], "prior_test_acc": history[-1]["prior_test_acc"],
                          "test_acc_before_pull": history[-1]["test_acc_before_pull"],
                          "train_loss": history[-1]["train_loss"]},
                "sweep_size": len(schedules), "wall_time_s": self.train_seconds,
                "images_per_s": images_per_s, "dataset": dataset, "environment": environment,
            })
        return records
