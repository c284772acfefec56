"""Algorithm 1 for one prior and K I-MLPs trained side by side, and the result store around it.

One *sweep* trains ONE prior and K I-MLPs (one per alpha schedule) on the same mini-batches (App. E:
Adam, lr 1e-4, batch 128, cross-entropy, random crop + flip). The K I-MLPs' weights are stacked, so
each layer is one batched matmul; since Adam and the loss act on each model separately, model k
follows exactly the path of a separate run with the same seed (up to float rounding). After every
epoch each I-MLP is interpolated towards the prior (Algorithm 1), then all are evaluated on the test split.

Every trained I-MLP becomes one JSON record keyed by the hash of its full config (``results.py``). A
sweep whose records exist is not run again; one interrupted mid-way continues from its last epoch
checkpoint (one file per sweep), and a lock per sweep keeps two processes from training the same runs.

A model whose training loss or weights become non-finite is *stopped*: its record says
``diverged at epoch N`` and holds no numbers (None) from that epoch on; the other models of the sweep
are untouched (every operation acts on each stacked model separately). If the prior diverges, no
I-MLP is interpolated from that epoch on.

Its command line (``cli.train_command``):

    python -m imlp_core.train --prior cnn --dataset cifar10 --alphas 0 0.01 1 --epochs 100
"""

from __future__ import annotations

import math
import os
import time
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any, Sequence

import torch
import torch.nn.functional as F
from filelock import FileLock, Timeout
from torch import Tensor
from tqdm import tqdm

from imlp_core import data as datasets
from imlp_core.devices import TrainStep, prepare, resolve_device
from imlp_core.interpolate import AlphaSchedule, interpolate_, select_layers
from imlp_core.models import IMLP, PRIORS, build_prior
from imlp_core.options import CHOICES, DEFAULTS, check_choice, check_interval, cosine_lr
from imlp_core.paths import runs_dir
from imlp_core.results import (
    atomic_torch_save, check_writable, checkpoint_path, config_key, environment_info, lock_path, pause_point,
    read_record, record_path, remove_stale_temps, write_record,
)

EVAL_BATCH = 1000
PRECISIONS = ("float32", "bf16")


@dataclass(frozen=True)
class SweepConfig:
    """What the K I-MLPs of one sweep share (defaults: Appendix E)."""

    prior: str
    dataset: str
    epochs: int = 100
    batch_size: int = 128
    lr: float = 1e-4
    train_subset: int | None = None
    test_subset: int | None = None
    seed: int = 0
    layers: str | tuple[int, ...] | None = None  # which layers are interpolated; None: the prior's ``interpolated``
    precision: str = "float32"  # or "bf16": autocast (meant for GPUs; float32 on CUDA uses TF32 matmuls)
    # Algorithm 1's open choices (``options.py``, notebook 08); each default is the companion's first reading.
    interpolate_every: str | int = "epoch"  # or N: after every N optimizer steps
    head: str = "interpolated"
    block: str = "every-layer"
    ln: str = "plain"
    optimizer_state: str = "keep"
    bias: str = "interpolated"
    lr_schedule: str = "constant"
    # Test images for the accuracy of every epoch but the last (the curves); the last epoch's accuracy, the one
    # every claim reads, is always on the whole test split of the sweep. None: every epoch on the whole split.
    curve_test_subset: int | None = None

    def __post_init__(self) -> None:
        if self.prior not in PRIORS:
            raise ValueError(f"unknown prior {self.prior!r}; choose one of {', '.join(PRIORS)}")
        check_dataset_name(self.dataset)
        for name in ("epochs", "batch_size"):
            value = getattr(self, name)
            if isinstance(value, bool) or not isinstance(value, int) or value < 1:
                raise ValueError(f"{name} must be an integer >= 1, got {value!r}")
        for name in ("train_subset", "test_subset", "curve_test_subset"):
            value = getattr(self, name)
            if value is not None and (isinstance(value, bool) or not isinstance(value, int) or value < 1):
                raise ValueError(f"{name} must be None (the whole split) or an integer >= 1, got {value!r}")
        if isinstance(self.seed, bool) or not isinstance(self.seed, int):
            raise ValueError(f"seed must be an integer, got {self.seed!r}")
        if isinstance(self.lr, bool) or not (isinstance(self.lr, (int, float)) and math.isfinite(self.lr) and self.lr > 0):
            raise ValueError(f"lr must be a finite number > 0, got {self.lr!r}")
        if self.precision not in PRECISIONS:
            raise ValueError(f"unknown precision {self.precision!r}; choose one of {', '.join(PRECISIONS)}")
        check_interval(self.interpolate_every)
        for name in CHOICES:
            check_choice(name, getattr(self, name))
        if self.layers is None:
            object.__setattr__(self, "layers", PRIORS[self.prior].interpolated)
        if not isinstance(self.layers, str):
            object.__setattr__(self, "layers", tuple(self.layers))
        select_layers(self.layers, len(build_prior(self.prior).mlp_spec().widths))  # hidden layers + head

    def config(self) -> dict[str, Any]:
        """The sweep's settings as JSON data; defaults of settings added later stay out (``options.DEFAULTS``),
        so that records made before a setting existed keep their keys."""
        config = asdict(self)
        config["layers"] = self.layers if isinstance(self.layers, str) else list(self.layers)
        return {name: value for name, value in config.items() if DEFAULTS.get(name, ...) != value}

    def run_config(self, schedule: AlphaSchedule) -> dict[str, Any]:
        """The full config of one I-MLP of the sweep: what its record's key hashes."""
        return {**self.config(), "schedule": asdict(schedule)}

    @property
    def key(self) -> str:
        """The sweep's key (whichever runs it trains): names its checkpoint and lock in the store."""
        return config_key(self.config())

    def run_key(self, schedule: AlphaSchedule) -> str:
        """The key of the record of the I-MLP of ``schedule`` in this sweep."""
        return config_key(self.run_config(schedule))

    def interpolation_kwargs(self, num_layers: int) -> dict[str, Any]:
        """What :func:`interpolate_` needs under this sweep's options: the layers (the head left out when it is
        the I-MLP's own), and whether the biases and the affine LN's gamma, beta are pulled too."""
        layers = select_layers(self.layers, num_layers)
        if self.head == "own":
            layers = [i for i in layers if i != num_layers - 1]
        return {"layers": layers, "bias": self.bias == "interpolated", "norms": self.ln == "affine-interpolated"}


def check_dataset_name(name: str) -> str:
    """``name`` if :func:`imlp_core.data.load_dataset` knows it, else a ValueError (before any data is read)."""
    if not isinstance(name, str) or not name:
        raise ValueError(f"dataset must be a non-empty name, got {name!r}")
    if name not in datasets.DATASET_NAMES and not os.environ.get(datasets.dataset_env_var(name)):
        raise ValueError(
            f"unknown dataset {name!r}; choose one of {', '.join(datasets.DATASET_NAMES)}, or point "
            f"{datasets.dataset_env_var(name)} at an ImageFolder directory with train/ and test/"
        )
    return name


def check_schedules(schedules: Sequence[AlphaSchedule]) -> list[AlphaSchedule]:
    """The distinct ``schedules`` in their order, or a ValueError when there is none."""
    if not schedules:
        raise ValueError("no alpha given: a sweep needs at least one alpha or schedule (e.g. --alphas 0 0.01 1)")
    return list(dict.fromkeys(schedules))  # one model per distinct schedule


class SweepBusy(RuntimeError):
    """Another live process holds the sweep's lock (raised by ``run_sweep(..., wait=False)``)."""


def run_sweep(
    sweep: SweepConfig,
    schedules: Sequence[AlphaSchedule],
    results: Path | None = None,
    device: str | torch.device = "auto",
    progress: bool = True,
    wait: bool = True,
) -> list[dict[str, Any]]:
    """Train what is missing of ``schedules`` in ``sweep`` and return every record (in ``schedules`` order).

    While another process trains the sweep, wait for it, or with ``wait=False`` raise :class:`SweepBusy`.
    The lock is the kernel's (flock): it goes with a process that dies, and its sweep can then be taken over.
    """
    schedules = check_schedules(schedules)
    results = check_writable(Path(results) if results is not None else runs_dir())
    device = resolve_device(device)
    keys = [sweep.run_key(s) for s in schedules]
    lock = FileLock(lock_path(results, sweep.key))
    try:
        lock.acquire(timeout=0)
    except Timeout:
        if not wait:
            raise SweepBusy(f"another process holds the lock of this sweep ({lock.lock_file})") from None
        print(f"another process holds the lock of this sweep ({lock.lock_file}); waiting for it to finish", flush=True)
        lock.acquire()
    try:
        checkpoint = checkpoint_path(results, sweep.key)
        for path in [*(record_path(results, key) for key in keys), checkpoint]:
            remove_stale_temps(path)  # left by a process killed while writing
        # A checkpoint of the sweep (killed after writing some of its records) is continued as a whole, so that
        # the missing records are exactly those of the uninterrupted sweep; runs it does not hold train after it.
        checkpointed = Trainer.checkpointed_schedules(checkpoint)
        if checkpointed and missing_schedules(sweep, checkpointed, results):
            Trainer(sweep, checkpointed, results, device, progress).run()
        checkpoint.unlink(missing_ok=True)  # finished, or left by a process killed after its last record
        if pending := missing_schedules(sweep, schedules, results):
            Trainer(sweep, pending, results, device, progress).run()
        if not missing_schedules(sweep, schedules, results):  # done: no lock file left (a waiter tries again)
            Path(lock.lock_file).unlink(missing_ok=True)
    finally:
        lock.release()
    return [read_record(record_path(results, key)) for key in keys]


def missing_schedules(sweep: SweepConfig, schedules: Sequence[AlphaSchedule], results: Path) -> list[AlphaSchedule]:
    """The ``schedules`` of ``sweep`` whose record the store ``results`` does not hold (a corrupt one is missing)."""
    return [s for s in schedules if read_record(record_path(results, sweep.run_key(s))) is None]


def stored_records(sweep: SweepConfig, schedules: Sequence[AlphaSchedule], results: Path | None = None
                   ) -> list[dict[str, Any]]:
    """The records the store holds of the runs of ``schedules`` in ``sweep`` (in ``schedules`` order, the missing left
    out); trains nothing. Each record is one I-MLP's whole run, so a sweep stored in part still gives whole runs."""
    results = Path(results) if results is not None else runs_dir()
    records = [read_record(record_path(results, sweep.run_key(s))) for s in check_schedules(schedules)]
    return [record for record in records if record is not None]


PRIOR = "prior"  # the prior's entry in Trainer.diverged_at (the I-MLPs' are 0, ..., K - 1)


class Trainer:
    """Algorithm 1 for one prior and the I-MLPs of ``schedules``, resumable at epoch boundaries."""

    CHECKPOINT_EVERY_S = float(os.environ.get("IMLP_CHECKPOINT_EVERY_S", 60))

    def __init__(self, sweep: SweepConfig, schedules: list[AlphaSchedule], results: Path,
                 device: torch.device, progress: bool) -> None:
        self.sweep, self.schedules, self.results, self.device, self.progress = sweep, schedules, results, device, progress
        self.keys = [sweep.run_key(s) for s in schedules]
        self.checkpoint = checkpoint_path(results, sweep.key)
        prepare(device)
        self.data = datasets.load_dataset(sweep.dataset, train_subset=sweep.train_subset,
                                          test_subset=sweep.test_subset, seed=sweep.seed).to(device)
        torch.manual_seed(sweep.seed)
        self.prior = build_prior(sweep.prior, self.data.num_classes, sweep.block, sweep.ln != "plain").to(device)
        self.mlp = IMLP.matching(self.prior, num_models=len(schedules)).to(device)
        self.interpolation = sweep.interpolation_kwargs(len(self.mlp.interpolated_layers()))
        self.curve_index = None  # the test images of the epochs before the last (SweepConfig.curve_test_subset)
        if sweep.curve_test_subset is not None and sweep.curve_test_subset < len(self.data.test_labels):
            self.curve_index = datasets.stratified_subset(self.data.test_labels.cpu(), sweep.curve_test_subset,
                                                          sweep.seed, split="curve_test").to(device)
        self.steps_per_epoch = math.ceil(len(self.data.train_labels) / sweep.batch_size)
        # Each selected layer's weights just after the last interpolation (or at the start): Adam's drift since then.
        self.last_pulled = [self.mlp.interpolated_layers()[i].weight.detach().clone() for i in self.interpolation["layers"]]
        # capturable: Adam's step count lives on the GPU, so that a CUDA graph can replay the update.
        capturable = device.type == "cuda"
        self.prior_opt = torch.optim.Adam(self.prior.parameters(), lr=sweep.lr, fused=True, capturable=capturable)
        self.mlp_opt = torch.optim.Adam(self.mlp.parameters(), lr=sweep.lr, fused=True, capturable=capturable)
        # The eager step, or its CUDA graph's replay. A cosine learning rate changes every step, which a captured
        # graph would not see: such sweeps run eagerly.
        self.train_step = TrainStep(self.eager_step, device, sweep.batch_size, graphs=sweep.lr_schedule == "constant")
        self.generator = torch.Generator(device).manual_seed(sweep.seed)  # batch order and augmentation
        self.history: list[dict[str, Any]] = []
        self.pull_diagnostics: dict[str, list | None] = {}  # drift and gap per model and layer at the epoch's last pull
        # The epoch (from 1) at which each diverged I-MLP k, or the PRIOR, had a non-finite loss or weights.
        self.diverged_at: dict[int | str, int] = {}
        self.train_seconds = 0.0

    @staticmethod
    def checkpointed_schedules(checkpoint: Path) -> list[AlphaSchedule] | None:
        """The schedules the checkpoint at ``checkpoint`` trains; None if there is none, or it is unreadable."""
        try:  # memory-mapped: reads the small entries, not the weights
            state = torch.load(checkpoint, map_location="cpu", weights_only=False, mmap=True)
            return [AlphaSchedule(**schedule) for schedule in state["schedules"]]
        except FileNotFoundError:
            return None
        except Exception as error:  # an older code version's checkpoint, or a damaged file
            print(f"ignoring unreadable checkpoint {checkpoint} ({error}); its runs start afresh", flush=True)
            return None

    # -- state ------------------------------------------------------------------------------------
    def state(self) -> dict[str, Any]:
        """What an epoch checkpoint holds: the runs, the models, the optimisers, the generator and the history."""
        return {"schedules": [asdict(s) for s in self.schedules], "keys": self.keys,
                "prior": self.prior.state_dict(), "mlp": self.mlp.state_dict(),
                "prior_opt": self.prior_opt.state_dict(), "mlp_opt": self.mlp_opt.state_dict(),
                "generator": self.generator.get_state(), "history": self.history, "diverged_at": self.diverged_at,
                "train_seconds": self.train_seconds}

    def save_checkpoint(self) -> None:
        """Write :meth:`state` atomically to the sweep's checkpoint file."""
        atomic_torch_save(self.state(), self.checkpoint)

    def load_checkpoint(self) -> None:
        """Continue from the sweep's checkpoint if it trains these runs; an unreadable one is ignored, with a message."""
        try:
            state = torch.load(self.checkpoint, map_location=self.device, weights_only=False)
            if state["keys"] != self.keys:
                raise ValueError(f"it trains the runs {state['keys']}, not {self.keys}")
            history, diverged_at, train_seconds = state["history"], state["diverged_at"], state["train_seconds"]
            self.prior.load_state_dict(state["prior"])
            self.mlp.load_state_dict(state["mlp"])
            self.prior_opt.load_state_dict(state["prior_opt"])
            self.mlp_opt.load_state_dict(state["mlp_opt"])
            self.generator.set_state(state["generator"].cpu() if self.device.type == "cpu" else state["generator"])
        except FileNotFoundError:
            return
        except Exception as error:  # a checkpoint from an older code version or a damaged file
            print(f"ignoring unreadable checkpoint {self.checkpoint} ({error}); starting this sweep afresh")
            return
        self.history, self.diverged_at, self.train_seconds = history, diverged_at, train_seconds
        # Checkpoints are taken after an epoch's interpolation, so the drift restarts from here (exactly so when
        # interpolation happens per epoch, or every N steps with N dividing an epoch's steps).
        self.snapshot_pulled_weights()
        print(f"resuming from checkpoint {self.checkpoint} after epoch {len(self.history)}", flush=True)

    # -- Algorithm 1 --------------------------------------------------------------------------------
    def run(self) -> None:
        """Algorithm 1 from the checkpoint (or the start) to the last epoch, then one record per I-MLP."""
        self.load_checkpoint()
        epochs, n_train, steps = self.sweep.epochs, len(self.data.train_labels), self.steps_per_epoch
        bar = tqdm(total=epochs * steps, initial=len(self.history) * steps, disable=not self.progress,
                   desc=f"{self.sweep.prior} x{len(self.schedules)} on {self.sweep.dataset}", unit="batch",
                   mininterval=2.0, dynamic_ncols=True)
        last_save = time.monotonic()
        for epoch in range(len(self.history), epochs):
            start = time.perf_counter()
            prior_loss, mlp_loss = self.train_epoch(epoch, bar)
            self.train_seconds += time.perf_counter() - start
            self.check_divergence(epoch, prior_loss, mlp_loss)  # before interpolating: a NaN prior must not spread
            alphas = self.alphas(epoch)
            if self.sweep.interpolate_every == "epoch":
                self.interpolate(alphas)
            if epoch == epochs - 1:  # App. F: the test-time-only models are interpolated once, now
                test_time = [0.0 if self.stopped(PRIOR, epoch + 1) else s.at_test_time() for s in self.schedules]
                if any(test_time):
                    interpolate_(self.mlp, self.prior, test_time, **self.interpolation)
                alphas = [a + t for a, t in zip(alphas, test_time)]
            last = epoch == epochs - 1
            prior_acc, mlp_acc = self.evaluate(None if last else self.curve_index)
            self.record_epoch(epoch, alphas, prior_loss, mlp_loss, prior_acc, mlp_acc, last)
            bar.set_postfix_str(
                f"epoch {epoch + 1}/{epochs} prior {prior_acc:.1%} I-MLP {min(mlp_acc):.1%}-{max(mlp_acc):.1%} "
                f"{n_train * len(self.history) / max(self.train_seconds, 1e-9):.0f} img/s", refresh=False)
            if epoch < epochs - 1 and time.monotonic() - last_save >= self.CHECKPOINT_EVERY_S:
                self.save_checkpoint()
                last_save = time.monotonic()
        bar.close()
        self.write_records()
        self.checkpoint.unlink(missing_ok=True)

    def alphas(self, epoch: int) -> list[float]:
        """alpha[t] of each I-MLP for (0-based) ``epoch``; 0 once the prior diverged (it is not interpolated towards).

        Decay schedules stay a function of the epoch: a run that interpolates every N steps uses the alpha of
        the epoch the step falls in, as recorded in that epoch's history.
        """
        if self.stopped(PRIOR, epoch + 1):
            return [0.0] * len(self.schedules)
        return [s.during_training(epoch, self.sweep.epochs) for s in self.schedules]

    @torch.no_grad()
    def interpolate(self, alphas: list[float], step: int | None = None) -> None:
        """One interpolation (Algorithm 1) of every I-MLP towards the prior's current weights, with the sweep's options.

        At the epoch's last pull it first measures per model and selected layer how far Adam moved W since the
        previous pull (``drift``) and how far W is from W_P (``gap``): a pull of alpha moves W by alpha * gap, so
        drift / gap is the alpha at which the two balance (notebook 08). ``step``: the optimizer steps done so
        far when pulling every N steps (None: once per epoch). ``optimizer_state="reset"`` then restarts Adam's
        moments and step count, for all K models of the sweep (they share one step count).
        """
        dense = None  # the prior's dense layers, built here when the pull is measured, else by interpolate_
        if step is None or self.is_epochs_last_pull(step):
            dense, layers = self.prior.dense_layers(), self.mlp.interpolated_layers()
            drift, gap = [], []
            for i, before in zip(self.interpolation["layers"], self.last_pulled):
                weight = layers[i].weight
                drift.append((weight - before).flatten(1).norm(dim=1))
                gap.append((weight - dense[i][0].to(weight.dtype)).flatten(1).norm(dim=1))
            # None where a norm is not finite (a diverged model or prior): records hold strict JSON
            self.pull_diagnostics = {name: [[v if math.isfinite(v) else None for v in row] for row in torch.stack(norms, 1).tolist()]
                                     for name, norms in (("drift", drift), ("gap", gap))}
        if any(alphas):
            interpolate_(self.mlp, self.prior, alphas, **self.interpolation, dense=dense)
            if self.sweep.optimizer_state == "reset":
                for state in self.mlp_opt.state.values():
                    for value in state.values():
                        value.zero_()  # in place: a CUDA graph's captured Adam keeps its tensors
        if step is None or self.is_epochs_last_pull(step + self.sweep.interpolate_every):
            self.snapshot_pulled_weights()  # the next pull is measured: its drift counts from here

    def is_epochs_last_pull(self, step: int) -> bool:
        """Whether the pull after optimizer step ``step`` (counted from 1) is the last of its epoch."""
        epoch_end = math.ceil(step / self.steps_per_epoch) * self.steps_per_epoch
        return step + self.sweep.interpolate_every > epoch_end

    def snapshot_pulled_weights(self) -> None:
        """Remember each selected layer's current weights: the next measured pull's drift counts from them."""
        for i, buffer in zip(self.interpolation["layers"], self.last_pulled):
            buffer.copy_(self.mlp.interpolated_layers()[i].weight)

    def autocast(self) -> torch.autocast:
        """bf16 autocast around the forward passes when the sweep asks for it (the backward follows)."""
        return torch.autocast(self.device.type, torch.bfloat16, enabled=self.sweep.precision == "bf16",
                              cache_enabled=False)  # no cast cache: CUDA graphs must not capture one

    def eager_step(self, x: Tensor, y: Tensor) -> tuple[Tensor, Tensor]:
        """One Adam step of the prior and one of the K I-MLPs on the batch (x, y); returns their losses."""
        with self.autocast():
            prior_loss = F.cross_entropy(self.prior(x), y)
        prior_loss = step(self.prior_opt, prior_loss)
        with self.autocast():
            mlp_loss = stacked_cross_entropy(self.mlp(x), y)
        return prior_loss, step(self.mlp_opt, mlp_loss)

    def train_epoch(self, epoch: int, bar: tqdm) -> tuple[Tensor, Tensor]:
        """One pass over the training split; returns the prior's and each I-MLP's mean training loss.

        With ``interpolate_every = N`` steps, the I-MLPs are interpolated after every N-th optimizer step of
        the run (counted from its first step), with this epoch's alphas.
        """
        data, sweep = self.data, self.sweep
        self.prior.train()
        self.mlp.train()
        order = torch.randperm(len(data.train_labels), generator=self.generator, device=self.device)
        prior_sum = torch.zeros((), device=self.device)
        mlp_sum = torch.zeros(self.mlp.num_models, device=self.device)
        alphas = self.alphas(epoch)
        self.pull_diagnostics = {"drift": None, "gap": None}  # until this epoch's first interpolation
        for i, batch in enumerate(order.split(sweep.batch_size)):
            global_step = epoch * self.steps_per_epoch + i
            if sweep.lr_schedule == "cosine":
                lr = cosine_lr(sweep.lr, global_step, sweep.epochs * self.steps_per_epoch)
                for group in (*self.prior_opt.param_groups, *self.mlp_opt.param_groups):
                    group["lr"] = lr
            images = datasets.augment_batch(data.train_images[batch], self.generator)
            x, y = datasets.normalize(images, data.mean, data.std), data.train_labels[batch]
            prior_loss, mlp_loss = self.train_step(x, y)
            prior_sum += prior_loss * len(batch)
            mlp_sum += mlp_loss * len(batch)
            if sweep.interpolate_every != "epoch" and (global_step + 1) % sweep.interpolate_every == 0:
                self.interpolate(alphas, step=global_step + 1)
            bar.update()
            if i == 0:
                pause_point("epoch")
        n = len(order)
        return prior_sum / n, mlp_sum / n

    @torch.no_grad()
    def evaluate(self, index: Tensor | None = None) -> tuple[float, list[float]]:
        """Test accuracy of the prior and of each I-MLP on the test images ``index`` (None: all of them): correct
        predictions counted as integers, divided once."""
        self.prior.eval()
        self.mlp.eval()
        prior_correct = torch.zeros((), dtype=torch.long, device=self.device)
        mlp_correct = torch.zeros(self.mlp.num_models, dtype=torch.long, device=self.device)
        data = self.data
        images, labels = (data.test_images, data.test_labels) if index is None else (data.test_images[index],
                                                                                     data.test_labels[index])
        for start in range(0, len(labels), EVAL_BATCH):
            x = datasets.normalize(images[start:start + EVAL_BATCH], data.mean, data.std)
            y = labels[start:start + EVAL_BATCH]
            with self.autocast():
                prior_logits, mlp_logits = self.prior(x), self.mlp(x)
            prior_correct += (prior_logits.argmax(-1) == y).sum()
            mlp_correct += (mlp_logits.argmax(-1) == y).sum(-1)
        n = len(labels)
        return prior_correct.item() / n, [correct / n for correct in mlp_correct.tolist()]

    @torch.no_grad()
    def check_divergence(self, epoch: int, prior_loss: Tensor, mlp_loss: Tensor) -> None:
        """Mark the prior and each I-MLP whose epoch loss or weights are no longer finite as diverged (stopped)."""
        prior_finite = math.isfinite(prior_loss.item()) and all(p.isfinite().all() for p in self.prior.parameters())
        mlp_finite = mlp_loss.isfinite()
        for p in self.mlp.parameters():  # stacked: (K, ...)
            mlp_finite &= p.flatten(1).isfinite().all(1)
        for model, finite in [(PRIOR, prior_finite), *enumerate(mlp_finite.tolist())]:
            if not finite:
                self.diverged_at.setdefault(model, epoch + 1)

    def stopped(self, model: int | str, epoch: int) -> bool:
        """Whether I-MLP ``model`` (k), or the :data:`PRIOR`, is stopped at (1-based) ``epoch``: it diverged then or
        before. A stopped model's numbers are None from then on; a stopped prior is no longer interpolated towards."""
        return self.diverged_at.get(model, math.inf) <= epoch

    def record_epoch(self, epoch: int, alphas: list[float], prior_loss: Tensor, mlp_loss: Tensor,
                     prior_acc: float, mlp_acc: list[float], last: bool) -> None:
        """Append this epoch's numbers; a stopped (diverged) model's are None from its divergence on. With a
        ``curve_test_subset``, each entry also says on how many test images its accuracies were measured."""
        mlp_losses = [None if self.stopped(k, epoch + 1) else loss for k, loss in enumerate(mlp_loss.tolist())]
        mlp_acc = [None if self.stopped(k, epoch + 1) else acc for k, acc in enumerate(mlp_acc)]
        prior_stopped = self.stopped(PRIOR, epoch + 1)
        self.history.append({"epoch": epoch + 1, "alpha": alphas, "train_loss": mlp_losses, "test_acc": mlp_acc,
                             "prior_train_loss": None if prior_stopped else prior_loss.item(),
                             "prior_test_acc": None if prior_stopped else prior_acc, **self.pull_diagnostics})
        if self.sweep.curve_test_subset is not None:
            self.history[-1]["test_images"] = len(self.data.test_labels) if last or self.curve_index is None \
                else len(self.curve_index)

    def write_records(self) -> None:
        """One record per I-MLP not yet stored, with its history and status (ok, diverged, or prior diverged)."""
        environment = environment_info(self.device)
        data = self.data
        dataset = {"name": data.name, "source": data.source, "fingerprint": data.fingerprint,
                   "num_train": len(data.train_labels), "num_test": len(data.test_labels),
                   "num_classes": data.num_classes}
        images_per_s = len(data.train_labels) * len(self.history) / max(self.train_seconds, 1e-9)
        for k, (schedule, key) in enumerate(zip(self.schedules, self.keys)):
            if read_record(record_path(self.results, key)) is not None:
                continue  # written before an interruption; this run continued the whole sweep for the others
            history = [{name: (value[k] if isinstance(value, list) else value) for name, value in h.items()}
                       for h in self.history]
            status = "ok"
            if self.stopped(k, len(self.history)):
                status = f"diverged at epoch {self.diverged_at[k]}: training loss or weights not finite; stopped"
            elif self.stopped(PRIOR, len(self.history)):
                status = f"prior diverged at epoch {self.diverged_at[PRIOR]}; interpolation stopped"
            write_record(self.results, {
                "key": key, "config": self.sweep.run_config(schedule), "label": schedule.label, "status": status,
                "history": history,
                "final": {"test_acc": history[-1]["test_acc"], "prior_test_acc": history[-1]["prior_test_acc"],
                          "train_loss": history[-1]["train_loss"]},
                "sweep_size": len(self.schedules), "wall_time_s": self.train_seconds,
                "images_per_s": images_per_s, "dataset": dataset, "environment": environment,
            })


def step(optimizer: torch.optim.Optimizer, loss: Tensor) -> Tensor:
    """One optimiser step on ``loss`` (summed if it holds one loss per model); returns the detached loss."""
    optimizer.zero_grad(set_to_none=True)
    loss.sum().backward()
    optimizer.step()
    return loss.detach()


def stacked_cross_entropy(logits: Tensor, labels: Tensor) -> Tensor:
    """Mean cross-entropy (App. E's loss) of each of K models: logits (K, N, classes), labels (N,) -> (K,)."""
    num_models, n, _ = logits.shape
    return F.cross_entropy(logits.flatten(0, 1), labels.repeat(num_models), reduction="none").view(num_models, n).mean(1)


if __name__ == "__main__":  # the command line lives in cli.py
    from imlp_core.cli import train_command

    train_command()
