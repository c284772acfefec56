"""A sweep's epoch checkpoint: the Trainer's whole state as one dict of plain data, written atomically at epoch
boundaries (the Trainer's ``save_checkpoint``) and read back as plain data only, so that a file planted in a shared results
folder cannot run code when a sweep resumes (issue 30)."""

from __future__ import annotations

import pickle
import re
from collections.abc import Callable
from dataclasses import asdict
from pathlib import Path
from typing import Any, Protocol, TypeVar

import torch
from torch import nn

from imlp_core.history import History
from imlp_core.interpolate import AlphaSchedule
from imlp_core.pull_measurements import PullMeasurements

T = TypeVar("T")


class Checkpointed(Protocol):
    """What a checkpoint holds of a Trainer (``trainer.py``), and where it is written."""

    schedules: list[AlphaSchedule]
    keys: list[str]
    prior: nn.Module
    mlp: nn.Module
    prior_opt: torch.optim.Optimizer
    mlp_opt: torch.optim.Optimizer
    generator: torch.Generator
    history: History
    pulls: PullMeasurements
    checkpoint: Path
    device: torch.device


def read_checkpoint(checkpoint: Path, use: Callable[[dict[str, Any]], T], **load: Any) -> T | None:
    """``use(state)`` of the checkpoint file ``checkpoint`` (``torch.load(checkpoint, weights_only=True, **load)``);
    None if there is none, or if it is refused, unreadable or ``use`` refuses it (another sweep's, a damaged file):
    then its runs start afresh, and a message says so.

    Only plain data is read (tensors, numbers, strings, lists, dicts: what :func:`trainer_state` holds). A file that
    holds anything else, whose unpickling could run code (one planted in a shared results folder), is refused."""
    try:
        return use(torch.load(checkpoint, weights_only=True, **load))
    except FileNotFoundError:
        return None
    except Exception as error:
        print(f"ignoring checkpoint {checkpoint}: {checkpoint_problem(error)}; its runs start afresh", flush=True)
        return None


def checkpoint_problem(error: Exception) -> str:
    """What was wrong with a checkpoint file that :func:`read_checkpoint` could not use, from ``error``."""
    refused = re.search(r"WeightsUnpickler error: ([^\n]+?)(\.\s|\n|$)", str(error))
    if isinstance(error, pickle.UnpicklingError) and refused:
        return (f"refused: it holds more than plain data ({refused[1]}), so loading it could run code (imlp_core "
                f"writes only tensors, numbers, strings, lists and dicts; a checkpoint an older version wrote with other "
                f"objects is refused alike; delete the file if you did not put it there)")
    return f"unreadable ({error})"


def checkpointed_schedules(checkpoint: Path) -> list[AlphaSchedule] | None:
    """The schedules the checkpoint file ``checkpoint`` trains; None if there is none, or it is unreadable."""
    return read_checkpoint(checkpoint, lambda state: [AlphaSchedule(**schedule) for schedule in state["schedules"]],
                           map_location="cpu", mmap=True)  # memory-mapped: reads the small entries, not the weights


def trainer_state(trainer: Checkpointed) -> dict[str, Any]:
    """What an epoch checkpoint holds: the runs, the models, the optimisers, the generator and the history."""
    return {"schedules": [asdict(s) for s in trainer.schedules], "keys": trainer.keys,
            "prior": trainer.prior.state_dict(), "mlp": trainer.mlp.state_dict(),
            "prior_opt": trainer.prior_opt.state_dict(), "mlp_opt": trainer.mlp_opt.state_dict(),
            "generator": trainer.generator.get_state(), **trainer.history.state()}


def load_trainer_state(trainer: Checkpointed, state: dict[str, Any]) -> None:
    """Continue ``trainer`` from ``state`` (what :func:`trainer_state` returned); a ValueError if it trains other runs."""
    if state["keys"] != trainer.keys:
        raise ValueError(f"it trains the runs {state['keys']}, not {trainer.keys}")
    trainer.prior.load_state_dict(state["prior"])
    trainer.mlp.load_state_dict(state["mlp"])
    trainer.prior_opt.load_state_dict(state["prior_opt"])
    trainer.mlp_opt.load_state_dict(state["mlp_opt"])
    trainer.generator.set_state(state["generator"].cpu() if trainer.device.type == "cpu" else state["generator"])
    trainer.history.load_state(state)


def resume(trainer: Checkpointed) -> None:
    """Continue ``trainer`` from its checkpoint file if that holds its runs (an unreadable one is ignored, with a
    message)."""
    read_checkpoint(trainer.checkpoint, lambda state: load_trainer_state(trainer, state), map_location=trainer.device)
    if trainer.history:  # a checkpoint is written after an epoch: loaded
        # Checkpoints are taken after an epoch's interpolation, so the drift restarts from here (exactly so when
        # interpolation happens per epoch, or every N steps with N dividing an epoch's steps).
        trainer.pulls.snapshot()
        print(f"resuming from checkpoint {trainer.checkpoint} after epoch {len(trainer.history)}", flush=True)
