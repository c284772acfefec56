"""Algorithm 1 for one prior and K I-MLPs trained side by side, the result store around it, and the CLI.

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

    python -m imlp_core.train --prior cnn --dataset cifar10 --alphas 0 0.01 1 --epochs 100
"""

from __future__ import annotations

import argparse
import ctypes
import io
import math
import os
import time
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any, Callable, Sequence

import torch
import torch.nn.functional as F
from filelock import FileLock, Timeout
from torch import Tensor
from tqdm import tqdm

from imlp_core import data as datasets
from imlp_core.interpolate import SCHEDULE_KINDS, AlphaSchedule, interpolate_, select_layers
from imlp_core.models import IMLP, PRIORS, build_prior
from imlp_core.options import CHOICES, DEFAULTS, check_choice, check_interval, cosine_lr, parse_interval
from imlp_core.paths import runs_dir
from imlp_core.results import (
    atomic_write_bytes, check_writable, config_key, environment_info, pause_point, read_record, record_path,
    remove_stale_temps, write_record,
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
    layers: str | tuple[int, ...] = "all"
    precision: str = "float32"  # or "bf16": autocast (meant for GPUs; float32 on CUDA uses TF32 matmuls)
    # Algorithm 1's open choices (``options.py``, notebook 08); each default is the companion's first reading.
    interpolate_every: str | int = "epoch"  # or N: after every N optimizer steps
    head: str = "interpolated"
    block: str = "every-layer"
    ln: str = "plain"
    optimizer_state: str = "keep"
    bias: str = "interpolated"
    lr_schedule: str = "constant"

    def __post_init__(self) -> None:
        if self.prior not in PRIORS:
            raise ValueError(f"unknown prior {self.prior!r}; choose one of {', '.join(PRIORS)}")
        check_dataset_name(self.dataset)
        for name in ("epochs", "batch_size"):
            value = getattr(self, name)
            if isinstance(value, bool) or not isinstance(value, int) or value < 1:
                raise ValueError(f"{name} must be an integer >= 1, got {value!r}")
        for name in ("train_subset", "test_subset"):
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
    keys = [config_key(sweep.run_config(s)) for s in schedules]
    lock = FileLock(sweep_lock_path(sweep, results))
    try:
        lock.acquire(timeout=0)
    except Timeout:
        if not wait:
            raise SweepBusy(f"another process holds the lock of this sweep ({lock.lock_file})") from None
        print(f"another process holds the lock of this sweep ({lock.lock_file}); waiting for it to finish", flush=True)
        lock.acquire()
    try:
        checkpoint = Trainer.checkpoint_path(sweep, results)
        for path in [*(record_path(results, key) for key in keys), checkpoint]:
            remove_stale_temps(path)  # left by a process killed while writing
        stored = lambda schedule: read_record(record_path(results, config_key(sweep.run_config(schedule)))) is not None
        # A checkpoint of the sweep (killed after writing some of its records) is continued as a whole, so that
        # the missing records are exactly those of the uninterrupted sweep; runs it does not hold train after it.
        checkpointed = Trainer.checkpointed_schedules(checkpoint)
        if checkpointed and not all(map(stored, checkpointed)):
            Trainer(sweep, checkpointed, results, device, progress).run()
        checkpoint.unlink(missing_ok=True)  # finished, or left by a process killed after its last record
        if pending := [s for s in schedules if not stored(s)]:
            Trainer(sweep, pending, results, device, progress).run()
        if all(map(stored, schedules)):  # done: no lock file left (a waiter on the unlinked file tries again)
            Path(lock.lock_file).unlink(missing_ok=True)
    finally:
        lock.release()
    return [read_record(record_path(results, key)) for key in keys]


def sweep_lock_path(sweep: SweepConfig, results: Path) -> Path:
    """The lock file that keeps two processes from training ``sweep`` (whatever its runs) at once."""
    return results / ".locks" / f"{config_key(sweep.config())}.lock"


def stored_records(sweep: SweepConfig, schedules: Sequence[AlphaSchedule], results: Path | None = None
                   ) -> list[dict[str, Any]] | None:
    """The records of every run of ``schedules`` in ``sweep`` if the store holds them all, else None; trains nothing."""
    results = Path(results) if results is not None else runs_dir()
    records = [read_record(record_path(results, config_key(sweep.run_config(s)))) for s in check_schedules(schedules)]
    return None if any(record is None for record in records) else records


def resolve_device(device: str | torch.device) -> torch.device:
    if str(device) == "auto":
        return torch.device("cuda" if torch.cuda.is_available() else "cpu")
    device = torch.device(device)
    if device.type == "cuda" and not torch.cuda.is_available():
        raise ValueError("--device cuda was asked for but CUDA is not available here; use --device cpu or auto")
    return device


class Trainer:
    """Algorithm 1 for one prior and the I-MLPs of ``schedules``, resumable at epoch boundaries."""

    CHECKPOINT_EVERY_S = float(os.environ.get("IMLP_CHECKPOINT_EVERY_S", 60))

    def __init__(self, sweep: SweepConfig, schedules: list[AlphaSchedule], results: Path,
                 device: torch.device, progress: bool) -> None:
        self.sweep, self.schedules, self.results, self.device, self.progress = sweep, schedules, results, device, progress
        self.keys = [config_key(sweep.run_config(s)) for s in schedules]
        self.checkpoint = self.checkpoint_path(sweep, results)
        if device.type == "cuda":
            configure_cuda()
        else:
            keep_large_allocations_in_heap()
        self.data = datasets.load_dataset(sweep.dataset, train_subset=sweep.train_subset,
                                          test_subset=sweep.test_subset, seed=sweep.seed).to(device)
        torch.manual_seed(sweep.seed)
        self.prior = build_prior(sweep.prior, self.data.num_classes, sweep.block, sweep.ln != "plain").to(device)
        self.mlp = IMLP.matching(self.prior, num_models=len(schedules)).to(device)
        self.interpolation = sweep.interpolation_kwargs(len(self.mlp.interpolated_layers()))
        self.steps_per_epoch = math.ceil(len(self.data.train_labels) / sweep.batch_size)
        # Each selected layer's weights just after the last interpolation (or at the start): Adam's drift since then.
        self.last_pulled = [self.mlp.interpolated_layers()[i].weight.detach().clone() for i in self.interpolation["layers"]]
        # capturable: Adam's step count lives on the GPU, so that a CUDA graph can replay the update.
        capturable = device.type == "cuda"
        self.prior_opt = torch.optim.Adam(self.prior.parameters(), lr=sweep.lr, fused=True, capturable=capturable)
        self.mlp_opt = torch.optim.Adam(self.mlp.parameters(), lr=sweep.lr, fused=True, capturable=capturable)
        # A cosine learning rate changes every step, which a captured graph would not see: such sweeps run eagerly.
        self.use_graphs = (device.type == "cuda" and os.environ.get("IMLP_CUDA_GRAPHS", "1") != "0"
                           and sweep.lr_schedule == "constant")
        self.graph: GraphedStep | None = None  # captured after GRAPH_WARMUP eager full-batch steps
        self.full_batch_steps = 0
        self.generator = torch.Generator(device).manual_seed(sweep.seed)  # batch order and augmentation
        self.history: list[dict[str, Any]] = []
        self.pull_diagnostics: dict[str, list | None] = {}  # drift and gap per model and layer at the epoch's last pull
        self.diverged: list[int | None] = [None] * len(schedules)  # epoch at which model k's loss went non-finite
        self.prior_diverged: int | None = None
        self.train_seconds = 0.0

    @staticmethod
    def checkpoint_path(sweep: SweepConfig, results: Path) -> Path:
        """Where ``sweep`` keeps its one epoch checkpoint, whichever of its runs it trains (they are in the file)."""
        return results / ".checkpoints" / f"{config_key(sweep.config())}.pt"

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
        return {"schedules": [asdict(s) for s in self.schedules], "keys": self.keys,
                "prior": self.prior.state_dict(), "mlp": self.mlp.state_dict(),
                "prior_opt": self.prior_opt.state_dict(), "mlp_opt": self.mlp_opt.state_dict(),
                "generator": self.generator.get_state(), "history": self.history, "diverged": self.diverged,
                "prior_diverged": self.prior_diverged, "train_seconds": self.train_seconds}

    def save_checkpoint(self) -> None:
        buffer = io.BytesIO()
        torch.save(self.state(), buffer)
        atomic_write_bytes(self.checkpoint, buffer.getvalue())

    def load_checkpoint(self) -> None:
        try:
            state = torch.load(self.checkpoint, map_location=self.device, weights_only=False)
            if state["keys"] != self.keys:
                raise ValueError(f"it trains the runs {state['keys']}, not {self.keys}")
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
        self.history, self.diverged = state["history"], state["diverged"]
        self.prior_diverged, self.train_seconds = state["prior_diverged"], state["train_seconds"]
        # Checkpoints are taken after an epoch's interpolation, so the drift restarts from here (exactly so when
        # interpolation happens per epoch, or every N steps with N dividing an epoch's steps).
        self.snapshot_pulled_weights()
        print(f"resuming from checkpoint {self.checkpoint} after epoch {len(self.history)}", flush=True)

    # -- Algorithm 1 --------------------------------------------------------------------------------
    def run(self) -> None:
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
                test_time = [0.0 if self.prior_diverged else s.at_test_time() for s in self.schedules]
                if any(test_time):
                    interpolate_(self.mlp, self.prior, test_time, **self.interpolation)
                alphas = [a + t for a, t in zip(alphas, test_time)]
            prior_acc, mlp_acc = self.evaluate()
            self.record_epoch(epoch, alphas, prior_loss, mlp_loss, prior_acc, mlp_acc)
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
        if self.prior_diverged is not None:
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
        if step is None or self.is_epochs_last_pull(step):
            dense, layers = self.prior.dense_layers(), self.mlp.interpolated_layers()  # interpolate_ builds its own
            drift, gap = [], []
            for i, before in zip(self.interpolation["layers"], self.last_pulled):
                weight = layers[i].weight
                drift.append((weight - before).flatten(1).norm(dim=1))
                gap.append((weight - dense[i][0].to(weight.dtype)).flatten(1).norm(dim=1))
            # None where a norm is not finite (a diverged model or prior): records hold strict JSON
            self.pull_diagnostics = {name: [[v if math.isfinite(v) else None for v in row] for row in torch.stack(norms, 1).tolist()]
                                     for name, norms in (("drift", drift), ("gap", gap))}
        if any(alphas):
            interpolate_(self.mlp, self.prior, alphas, **self.interpolation)
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

    def train_step(self, x: Tensor, y: Tensor) -> tuple[Tensor, Tensor]:
        """:meth:`eager_step`, or on a GPU (full batches, after a warm-up) the replay of its CUDA graph.

        Replaying one captured graph launches the step's few hundred small kernels at once instead of
        one by one from Python. The graph runs the eager step's kernels (same capturable fused Adam);
        the last, smaller batch of an epoch runs eagerly.
        """
        if not self.use_graphs or len(y) != self.sweep.batch_size:
            return self.eager_step(x, y)
        if self.graph is not None:
            return self.graph(x, y)
        self.full_batch_steps += 1
        if self.full_batch_steps <= GRAPH_WARMUP:  # warm up on a side stream, as capture requires
            side = torch.cuda.Stream(self.device)
            side.wait_stream(torch.cuda.current_stream(self.device))
            with torch.cuda.stream(side):
                losses = self.eager_step(x, y)
            torch.cuda.current_stream(self.device).wait_stream(side)
            return losses
        self.graph = GraphedStep(self.eager_step, x, y)
        return self.graph(x, y)

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
    def evaluate(self) -> tuple[float, list[float]]:
        """Test accuracy of the prior and of each I-MLP: correct predictions counted as integers, divided once."""
        self.prior.eval()
        self.mlp.eval()
        prior_correct = torch.zeros((), dtype=torch.long, device=self.device)
        mlp_correct = torch.zeros(self.mlp.num_models, dtype=torch.long, device=self.device)
        data = self.data
        for start in range(0, len(data.test_labels), EVAL_BATCH):
            x = datasets.normalize(data.test_images[start:start + EVAL_BATCH], data.mean, data.std)
            y = data.test_labels[start:start + EVAL_BATCH]
            with self.autocast():
                prior_logits, mlp_logits = self.prior(x), self.mlp(x)
            prior_correct += (prior_logits.argmax(-1) == y).sum()
            mlp_correct += (mlp_logits.argmax(-1) == y).sum(-1)
        n = len(data.test_labels)
        return prior_correct.item() / n, [correct / n for correct in mlp_correct.tolist()]

    @torch.no_grad()
    def check_divergence(self, epoch: int, prior_loss: Tensor, mlp_loss: Tensor) -> None:
        """Mark the prior and each I-MLP whose epoch loss or weights are no longer finite as diverged (stopped)."""
        prior_finite = math.isfinite(prior_loss.item()) and all(p.isfinite().all() for p in self.prior.parameters())
        if not prior_finite and self.prior_diverged is None:
            self.prior_diverged = epoch + 1
        mlp_finite = mlp_loss.isfinite()
        for p in self.mlp.parameters():  # stacked: (K, ...)
            mlp_finite &= p.flatten(1).isfinite().all(1)
        for k, finite in enumerate(mlp_finite.tolist()):
            if not finite and self.diverged[k] is None:
                self.diverged[k] = epoch + 1

    def record_epoch(self, epoch: int, alphas: list[float], prior_loss: Tensor, mlp_loss: Tensor,
                     prior_acc: float, mlp_acc: list[float]) -> None:
        """Append this epoch's numbers; a stopped (diverged) model's are None from its divergence on."""
        stopped = lambda diverged_at: diverged_at is not None and diverged_at <= epoch + 1
        mlp_losses = [None if stopped(d) else loss for d, loss in zip(self.diverged, mlp_loss.tolist())]
        mlp_acc = [None if stopped(d) else acc for d, acc in zip(self.diverged, mlp_acc)]
        prior_stopped = stopped(self.prior_diverged)
        self.history.append({"epoch": epoch + 1, "alpha": alphas, "train_loss": mlp_losses, "test_acc": mlp_acc,
                             "prior_train_loss": None if prior_stopped else prior_loss.item(),
                             "prior_test_acc": None if prior_stopped else prior_acc, **self.pull_diagnostics})

    def write_records(self) -> None:
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
            if self.diverged[k] is not None:
                status = f"diverged at epoch {self.diverged[k]}: training loss or weights not finite; stopped"
            elif self.prior_diverged is not None:
                status = f"prior diverged at epoch {self.prior_diverged}; interpolation stopped"
            write_record(self.results, {
                "key": key, "config": self.sweep.run_config(schedule), "label": schedule.label, "status": status,
                "history": history,
                "final": {"test_acc": history[-1]["test_acc"], "prior_test_acc": history[-1]["prior_test_acc"],
                          "train_loss": history[-1]["train_loss"]},
                "sweep_size": len(self.schedules), "wall_time_s": self.train_seconds,
                "images_per_s": images_per_s, "dataset": dataset, "environment": environment,
            })


GRAPH_WARMUP = 3  # eager full-batch steps before the CUDA graph is captured


def configure_cuda() -> None:
    """float32 on a GPU: TF32 matmuls and convolutions; deterministic cuDNN and cuBLAS (same seed, same record)."""
    os.environ.setdefault("CUBLAS_WORKSPACE_CONFIG", ":4096:8")  # read when cuBLAS first runs
    torch.backends.cuda.matmul.allow_tf32 = torch.backends.cudnn.allow_tf32 = True
    torch.backends.cudnn.deterministic, torch.backends.cudnn.benchmark = True, False
    torch.use_deterministic_algorithms(True, warn_only=True)


def keep_large_allocations_in_heap() -> bool:
    """On glibc (Linux), serve allocations above 32 MB from the heap and keep freed memory there.

    By default glibc maps each such allocation afresh and unmaps it when freed, so every CPU training step
    of a batched sweep page-faults its weight-sized gradients in again (2 GB per step for 12 Mixer I-MLPs).
    Kept in the heap, they are reused (``make bench`` times the step both ways). The process then keeps its
    peak memory until it exits; ``IMLP_CPU_HEAP=0`` leaves glibc as it is. Returns whether it was applied
    (False without glibc: macOS, musl).
    """
    if os.environ.get("IMLP_CPU_HEAP", "1") == "0":
        return False
    try:
        mallopt = ctypes.CDLL("libc.so.6").mallopt
    except (OSError, AttributeError):
        return False
    m_trim_threshold, m_mmap_max = -1, -4  # from glibc's malloc.h
    return bool(mallopt(m_mmap_max, 0) and mallopt(m_trim_threshold, 2**31 - 1))


class GraphedStep:
    """A training step captured once as a CUDA graph (PyTorch's whole-network capture) and replayed.

    The step reads the batch from static buffers, so a call copies (x, y) in and replays. Gradients
    were set to None before capture, so the replayed backward writes them afresh, and the captured Adam
    updates the parameters and moments in place: interpolating the weights between epochs (``lerp_``)
    is seen by the next replay. The returned losses are overwritten by the next replay: use them at once.
    """

    def __init__(self, step_fn: Callable[[Tensor, Tensor], tuple[Tensor, ...]], x: Tensor, y: Tensor) -> None:
        self.x, self.y = x.clone(), y.clone()
        self.graph = torch.cuda.CUDAGraph()
        with torch.cuda.graph(self.graph):
            self.losses = step_fn(self.x, self.y)

    def __call__(self, x: Tensor, y: Tensor) -> tuple[Tensor, ...]:
        self.x.copy_(x)
        self.y.copy_(y)
        self.graph.replay()
        return self.losses


def step(optimizer: torch.optim.Optimizer, loss: Tensor) -> Tensor:
    """One optimiser step on ``loss`` (summed if it holds one loss per model); returns the detached loss."""
    optimizer.zero_grad(set_to_none=True)
    loss.sum().backward()
    optimizer.step()
    return loss.detach()


def stacked_cross_entropy(logits: Tensor, labels: Tensor) -> Tensor:
    """Mean cross-entropy of each of K models: logits (K, N, classes), labels (N,) -> (K,)."""
    num_models, n, _ = logits.shape
    return F.cross_entropy(logits.flatten(0, 1), labels.repeat(num_models), reduction="none").view(num_models, n).mean(1)


# -- command line -------------------------------------------------------------------------------------
def schedules_from_args(args: argparse.Namespace) -> list[AlphaSchedule]:
    if args.schedule == "decay":
        return [AlphaSchedule("decay", args.decay_a, k) for k in args.decay_k]
    return [AlphaSchedule(args.schedule, alpha) for alpha in args.alphas]


def parse_layers(values: list[str]) -> str | tuple[int, ...]:
    if len(values) == 1 and values[0] in ("all", "first"):
        return values[0]
    try:
        return tuple(int(v) for v in values)
    except ValueError:
        raise argparse.ArgumentTypeError(f"--layers takes 'all', 'first' or layer indices, got {' '.join(values)}") from None


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m imlp_core.train", description=__doc__.split("\n\n")[0],
                                     formatter_class=argparse.ArgumentDefaultsHelpFormatter)
    parser.add_argument("--prior", required=True, choices=list(PRIORS))
    parser.add_argument("--dataset", required=True, help="cifar10, cifar100, synthetic, synthetic100 or NAME with IMLP_DATASET_<NAME>")
    parser.add_argument("--alphas", type=float, nargs="+", default=[0.0], help="constant alphas (or alpha_test for test-time)")
    parser.add_argument("--schedule", choices=SCHEDULE_KINDS, default="constant")
    parser.add_argument("--decay-a", type=float, default=0.5, help="initial alpha a of the decay schedule")
    parser.add_argument("--decay-k", type=float, nargs="+", default=[1.0], help="decay exponents k")
    parser.add_argument("--layers", nargs="+", default=["all"], help="all, first, or layer indices")
    parser.add_argument("--epochs", type=int, default=100)
    parser.add_argument("--batch-size", type=int, default=128)
    parser.add_argument("--lr", type=float, default=1e-4)
    parser.add_argument("--train-subset", type=int, default=None)
    parser.add_argument("--test-subset", type=int, default=None)
    parser.add_argument("--seeds", type=int, nargs="+", default=[0])
    parser.add_argument("--precision", choices=PRECISIONS, default="float32",
                        help="bf16: autocast, for GPUs (float32 on CUDA uses TF32 matmuls)")
    add_option_arguments(parser)
    parser.add_argument("--device", default="auto", help="cpu, cuda or auto")
    parser.add_argument("--results", type=Path, default=None, help="result store (default results/runs)")
    args = parser.parse_args(argv)
    try:
        layers = parse_layers(args.layers)
        schedules = schedules_from_args(args)
        sweeps = [SweepConfig(args.prior, args.dataset, args.epochs, args.batch_size, args.lr,
                              args.train_subset, args.test_subset, seed, layers, args.precision, **options_from_args(args))
                  for seed in args.seeds]
        check_schedules(schedules)
        results = check_writable(args.results if args.results is not None else runs_dir())
        device = resolve_device(args.device)
    except (ValueError, TypeError, PermissionError, argparse.ArgumentTypeError) as error:
        parser.error(str(error))
    for i, sweep in enumerate(sweeps):
        if i:
            pause_point("between-sweeps")
        for record in run_sweep(sweep, schedules, results, device):
            print(f"{record['label']:>28}  seed {record['config']['seed']}  I-MLP {percent(record['final']['test_acc'])}  "
                  f"prior {percent(record['final']['prior_test_acc'])}  [{record['status']}]  {record['key']}")


def add_option_arguments(parser: argparse.ArgumentParser) -> None:
    """The flags of Algorithm 1's open choices (``options.py``), shared by ``train`` and ``experiments``."""
    group = parser.add_argument_group("open choices of Algorithm 1 (notebook 08; defaults first)")
    group.add_argument("--interpolate-every", default="epoch", metavar="epoch|N",
                       help="interpolate after every epoch, or after every N optimizer steps (1: every step)")
    for name, values in CHOICES.items():
        group.add_argument(f"--{name.replace('_', '-')}", choices=values, default=values[0])


def options_from_args(args: argparse.Namespace) -> dict[str, Any]:
    """The SweepConfig fields of the open-choice flags (a ValueError for a bad ``--interpolate-every``)."""
    return {"interpolate_every": parse_interval(args.interpolate_every), **{name: getattr(args, name) for name in CHOICES}}


def percent(value: float | None) -> str:
    return "-" if value is None else f"{value:.2%}"


if __name__ == "__main__":
    main()
