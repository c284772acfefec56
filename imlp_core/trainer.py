"""Algorithm 1 for one prior and K I-MLPs trained side by side on the same mini-batches, resumable per epoch.

One :class:`Trainer` trains ONE prior and K I-MLPs (one per alpha schedule) on the same mini-batches (App. E:
Adam, lr 1e-4, batch 128, cross-entropy, random crop + flip). The K I-MLPs' weights are stacked, so each layer
is one batched matmul; since Adam and the loss act on each model separately, model k follows exactly the path of
a separate run with the same seed (up to float rounding). After every epoch each I-MLP is interpolated towards
the prior (Algorithm 1), then all are evaluated on the test split.

Beside the loop, and called by it: what notebooks 08 and 09 measure of each pull (``pull_measurements.py``), and what
the runs record, epoch by epoch, with the models that diverged stopped (``history.py``).

Its whole training state is one dict of plain data, saved to the sweep's checkpoint file at epoch boundaries and read
back as plain data only (``checkpoint.py``); ``train.py`` runs a Trainer against the result store.
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any

import torch
import torch.nn.functional as F
from torch import Tensor
from tqdm import tqdm

from imlp_core.checkpoint import resume, trainer_state
from imlp_core.data import load_dataset, stratified_subset
from imlp_core.devices import TrainStep, large_allocations_outside_heap, prepare
from imlp_core.history import PRIOR, History
from imlp_core.interpolate import AlphaSchedule, interpolate_
from imlp_core.models import IMLP, build_prior
from imlp_core.options import cosine_lr
from imlp_core.pull_measurements import PullMeasurements
from imlp_core.results import atomic_torch_save, pause_point
from imlp_core.settings import TrainingSettings
from imlp_core.sweep import SweepConfig

EVAL_BATCH = 1000


class Trainer:
    """Algorithm 1 for one prior and the I-MLPs of ``schedules``, resumable at epoch boundaries from ``checkpoint``
    (written every ``settings.checkpoint_every_s``); ``settings`` also say where the data is and how the device runs."""

    def __init__(self, sweep: SweepConfig, schedules: list[AlphaSchedule], checkpoint: Path,
                 device: torch.device, progress: bool, settings: TrainingSettings = TrainingSettings()) -> None:
        self.sweep, self.schedules, self.device, self.progress = sweep, schedules, device, progress
        self.checkpoint, self.settings = checkpoint, settings
        self.keys = [sweep.run_key(s) for s in schedules]
        prepare(device, cpu_heap=settings.cpu_heap)
        self.data = load_dataset(sweep.dataset, train_subset=sweep.train_subset, test_subset=sweep.test_subset,
                                 seed=sweep.seed, data_dir=settings.data_dir,
                                 dataset_dirs=settings.dataset_dirs).to(device)
        torch.manual_seed(sweep.seed)
        self.prior = build_prior(sweep.prior, self.data.num_classes, sweep.block, sweep.ln != "plain").to(device)
        self.mlp = IMLP.matching(self.prior, num_models=len(schedules)).to(device)
        self.interpolation = sweep.interpolation_kwargs(len(self.mlp.interpolated_layers()))
        self.curve_index = curve_images(sweep, self.data.test_labels)
        self.steps_per_epoch = math.ceil(len(self.data.train_labels) / sweep.batch_size)
        self.total_steps = sweep.epochs * self.steps_per_epoch
        self.pulls = PullMeasurements(self.mlp, self.prior, self.interpolation["layers"], sweep.interpolate_every,
                                      self.steps_per_epoch, self.total_steps, lambda: self.evaluate(None)[1])
        self.prior_opt, self.mlp_opt = adam(self.prior, sweep.lr, device), adam(self.mlp, sweep.lr, device)
        # The eager step, or its CUDA graph's replay. A cosine learning rate changes every step, which a captured
        # graph would not see: such sweeps run eagerly.
        self.train_step = TrainStep(self.eager_step, device, sweep.batch_size, graphs=sweep.lr_schedule == "constant" and settings.cuda_graphs)
        self.generator = torch.Generator(device).manual_seed(sweep.seed)  # batch order and augmentation
        self.history = History()

    def save_checkpoint(self) -> None:
        """Write the sweep's state (:func:`checkpoint.trainer_state`) atomically to the checkpoint file."""
        atomic_torch_save(trainer_state(self), self.checkpoint)

    # -- Algorithm 1 --------------------------------------------------------------------------------
    def run(self) -> list[dict[str, Any]]:
        """Algorithm 1 from the checkpoint (or the start) to the last epoch; returns one record per I-MLP."""
        resume(self)
        epochs, steps = self.sweep.epochs, self.steps_per_epoch
        bar = tqdm(total=epochs * steps, initial=len(self.history) * steps, disable=not self.progress,
                   desc=f"{self.sweep.prior} x{len(self.schedules)} on {self.sweep.dataset}", unit="batch",
                   mininterval=2.0, dynamic_ncols=True)
        last_save = time.monotonic()
        for epoch in range(len(self.history), epochs):
            start = time.perf_counter()
            prior_loss, mlp_loss = self.train_epoch(epoch, bar)
            self.history.train_seconds += time.perf_counter() - start
            with large_allocations_outside_heap():  # an epoch's end: other temporaries than a step's (``devices``)
                self.end_epoch(epoch, prior_loss, mlp_loss, bar)
            if epoch < epochs - 1 and time.monotonic() - last_save >= self.settings.checkpoint_every_s:
                with large_allocations_outside_heap():
                    self.save_checkpoint()
                last_save = time.monotonic()
        bar.close()
        return self.history.records(self.sweep, self.schedules, self.data, self.device)

    def end_epoch(self, epoch: int, prior_loss: Tensor, mlp_loss: Tensor, bar: tqdm) -> None:
        """After the steps of (0-based) ``epoch``: the divergence check, the pull (per epoch), the test-time pull after
        the last epoch, the evaluation and the epoch's history entry."""
        epochs, steps, last = self.sweep.epochs, self.steps_per_epoch, epoch == self.sweep.epochs - 1
        # before interpolating: a NaN prior must not spread
        self.history.divergence.check(epoch, self.prior, prior_loss, self.mlp, mlp_loss)
        alphas = self.alphas(epoch)
        if self.sweep.interpolate_every == "epoch":
            self.interpolate(alphas, (epoch + 1) * steps)
        if last:  # App. F: the test-time-only models are interpolated once, now
            prior_stopped = self.history.divergence.stopped(PRIOR, epoch + 1)
            test_time = [0.0 if prior_stopped else s.at_test_time() for s in self.schedules]
            if any(test_time):
                interpolate_(self.mlp, self.prior, test_time, **self.interpolation)
            alphas = [a + t for a, t in zip(alphas, test_time)]
        prior_acc, mlp_acc = self.evaluate(None if last else self.curve_index)
        test_images = len(self.data.test_labels) if last or self.curve_index is None else len(self.curve_index)
        self.history.add_epoch(epoch, alphas, prior_loss, mlp_loss, prior_acc, mlp_acc, self.pulls.epoch_fields,
                               self.pulls.accuracy_before_last_pull if last else None,
                               None if self.sweep.curve_test_subset is None else test_images)
        bar.set_postfix_str(self.history.progress(epochs, len(self.data.train_labels)), refresh=False)

    def alphas(self, epoch: int) -> list[float]:
        """alpha[t] of each I-MLP for (0-based) ``epoch``; 0 once the prior diverged (it is not interpolated towards).
        A function of the epoch: pulls every N steps use the alpha of the epoch the step falls in, as recorded."""
        if self.history.divergence.stopped(PRIOR, epoch + 1):
            return [0.0] * len(self.schedules)
        return [s.during_training(epoch, self.sweep.epochs) for s in self.schedules]

    @torch.no_grad()
    def interpolate(self, alphas: list[float], step: int) -> None:
        """One pull (Algorithm 1) of every I-MLP towards the prior's current weights, with the sweep's options, after
        optimizer step ``step`` (counted from 1), measured around it (:class:`PullMeasurements`).
        ``optimizer_state="reset"`` then restarts Adam's moments and step count, for all K models of the sweep (they
        share one step count)."""
        dense = self.pulls.before_pull(step)  # the prior's dense layers, when measuring built them
        if any(alphas):
            interpolate_(self.mlp, self.prior, alphas, **self.interpolation, dense=dense)
            if self.sweep.optimizer_state == "reset":
                for state in self.mlp_opt.state.values():
                    for value in state.values():
                        value.zero_()  # in place: a CUDA graph's captured Adam keeps its tensors
        self.pulls.after_pull(step, dense)

    def autocast(self) -> torch.autocast:
        """The sweep's :func:`autocast` on its device (read at every step: a benchmark switches the precision)."""
        return autocast(self.device, self.sweep.precision)

    def eager_step(self, x: Tensor, y: Tensor) -> tuple[Tensor, Tensor]:
        """One Adam step of the prior and one of the K I-MLPs on the batch (x, y); returns their losses."""
        free = self.device.type == "cpu"  # a captured CUDA graph keeps its gradients in its own pool
        with self.autocast():
            prior_loss = F.cross_entropy(self.prior(x), y)
        prior_loss = step(self.prior_opt, prior_loss, free)
        with self.autocast():
            mlp_loss = stacked_cross_entropy(self.mlp(x), y)
        return prior_loss, step(self.mlp_opt, mlp_loss, free)

    def train_epoch(self, epoch: int, bar: tqdm) -> tuple[Tensor, Tensor]:
        """One pass over the training split; returns the prior's and each I-MLP's mean training loss.

        With ``interpolate_every = N`` steps, the I-MLPs are interpolated after every N-th optimizer step of
        the run, counted back from its last step (:func:`pulled_after`), with this epoch's alphas.
        """
        sweep = self.sweep
        self.prior.train()
        self.mlp.train()
        prior_sum = torch.zeros((), device=self.device)
        mlp_sum = torch.zeros(self.mlp.num_models, device=self.device)
        alphas = self.alphas(epoch)
        self.pulls.start_epoch()
        for i, (x, y) in enumerate(self.data.train_batches(sweep.batch_size, self.generator)):
            global_step = epoch * self.steps_per_epoch + i
            if sweep.lr_schedule == "cosine":
                set_lr((self.prior_opt, self.mlp_opt), cosine_lr(sweep.lr, global_step, self.total_steps))
            prior_loss, mlp_loss = self.train_step(x, y)
            prior_sum += prior_loss * len(y)
            mlp_sum += mlp_loss * len(y)
            self.pulls.after_step()
            if sweep.interpolate_every != "epoch" and pulled_after(global_step + 1, self.total_steps, sweep.interpolate_every):
                with large_allocations_outside_heap():  # the prior's dense layers, the measurements (``devices``)
                    self.interpolate(alphas, global_step + 1)
            bar.update()
            if i == 0:
                pause_point("epoch", self.settings)
        n = len(self.data.train_labels)
        return prior_sum / n, mlp_sum / n

    def evaluate(self, index: Tensor | None = None) -> tuple[float, list[float]]:
        """Test accuracy of the prior and of each I-MLP on the test images ``index`` (None: all of them)."""
        return test_accuracy(self.prior, self.mlp, self.data.test_batches(EVAL_BATCH, index),
                             len(self.data.test_labels) if index is None else len(index), self.autocast)


@torch.no_grad()
def test_accuracy(prior: torch.nn.Module, mlp: IMLP, batches: Iterable[tuple[Tensor, Tensor]], n: int,
                  autocast: Callable[[], torch.autocast]) -> tuple[float, list[float]]:
    """Accuracy of ``prior`` and of each of ``mlp``'s stacked I-MLPs on the ``n`` images of ``batches``: correct
    predictions counted as integers, divided once."""
    prior.eval()
    mlp.eval()
    device = next(prior.parameters()).device
    prior_correct = torch.zeros((), dtype=torch.long, device=device)
    mlp_correct = torch.zeros(mlp.num_models, dtype=torch.long, device=device)
    for x, y in batches:
        with autocast():
            prior_logits, mlp_logits = prior(x), mlp(x)
        prior_correct += (prior_logits.argmax(-1) == y).sum()
        mlp_correct += (mlp_logits.argmax(-1) == y).sum(-1)
    return prior_correct.item() / n, [correct / n for correct in mlp_correct.tolist()]


def curve_images(sweep: SweepConfig, test_labels: Tensor) -> Tensor | None:
    """The test images of every epoch but the last (``SweepConfig.curve_test_subset``, stratified); None: all."""
    if sweep.curve_test_subset is None or sweep.curve_test_subset >= len(test_labels):
        return None
    return stratified_subset(test_labels.cpu(), sweep.curve_test_subset, sweep.seed,
                             split="curve_test").to(test_labels.device)


def autocast(device: torch.device, precision: str) -> torch.autocast:
    """bf16 autocast around the forward passes when ``precision`` is "bf16" (the backward follows)."""
    return torch.autocast(device.type, torch.bfloat16, enabled=precision == "bf16",
                          cache_enabled=False)  # no cast cache: CUDA graphs must not capture one


def set_lr(optimizers: Iterable[torch.optim.Optimizer], lr: float) -> None:
    """Every parameter group of ``optimizers`` at learning rate ``lr`` (the cosine schedule's step)."""
    for optimizer in optimizers:
        for group in optimizer.param_groups:
            group["lr"] = lr


def pulled_after(step: int, total_steps: int, every: int) -> bool:
    """Whether the I-MLPs are pulled after optimizer step ``step`` (counted from 1) of ``total_steps`` when pulling
    every ``every`` steps.

    Pulls are counted back from the run's last step, so that training always ends on a pull, whatever N: a run
    that ended a few Adam steps after its last pull would be judged on a model that has left the prior again
    (notebook 09). Where N divides the run's steps this is the same as counting from the first step."""
    return (total_steps - step) % every == 0


def adam(model: torch.nn.Module, lr: float, device: torch.device) -> torch.optim.Adam:
    """App. E's Adam for ``model``, fused, its state made now (:func:`allocate_adam_state`); on a GPU capturable (the
    step count lives on the GPU, so that a CUDA graph can replay the update)."""
    optimizer = torch.optim.Adam(model.parameters(), lr=lr, fused=True, capturable=device.type == "cuda")
    allocate_adam_state(optimizer)
    return optimizer


def allocate_adam_state(optimizer: torch.optim.Adam) -> None:
    """Adam's state of every parameter made now, as its first step makes it (a zero step count on the parameter's
    device, zero moments), so that the moments lie beside the weights in the heap: made lazily by the first step,
    after its activations and gradients, they left the heap fragmented (``devices.release_free_memory``)."""
    for group in optimizer.param_groups:
        for p in group["params"]:
            state = optimizer.state[p]
            if not state:
                state["step"] = torch.zeros((), dtype=torch.float32, device=p.device)  # fused: float32, on the device
                state["exp_avg"] = torch.zeros_like(p, memory_format=torch.preserve_format)
                state["exp_avg_sq"] = torch.zeros_like(p, memory_format=torch.preserve_format)


def step(optimizer: torch.optim.Optimizer, loss: Tensor, free_gradients: bool = False) -> Tensor:
    """One optimiser step on ``loss`` (summed if it holds one loss per model); returns the detached loss.

    ``free_gradients``: the gradients go right after the step instead of at the next one, so that every step starts
    from the same heap and allocates its activations and gradients where the step before it did (on the CPU, where
    a gradient kept across the step's boundary made each step's layout drift, and the heap grow: ``devices``)."""
    optimizer.zero_grad(set_to_none=True)
    loss.sum().backward()
    optimizer.step()
    if free_gradients:
        optimizer.zero_grad(set_to_none=True)
    return loss.detach()


def stacked_cross_entropy(logits: Tensor, labels: Tensor) -> Tensor:
    """Mean cross-entropy (App. E's loss) of each of K models: logits (K, N, classes), labels (N,) -> (K,)."""
    num_models, n, _ = logits.shape
    return F.cross_entropy(logits.flatten(0, 1), labels.repeat(num_models), reduction="none").view(num_models, n).mean(1)
