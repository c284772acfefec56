"""A profile's interval study (notebook 09), one piece at a time: for the ``paper`` profile, the paper-scale test of
notebook 09's prediction (the S-CNN's alpha curve at ``PAPER_TEST_ALPHAS``, pulled after every optimizer step and
after every epoch, 100 epochs on all of CIFAR-10 at lr 1e-4, seeds 0, 1 and 2; ``profiles.py``, the design registered
in ``claims.PREDICTIONS``).

A piece is one sweep of the study's plan (a prior, a pull interval, a learning rate, a seed), or with ``--chunk M``
a stack of at most M of its I-MLPs (the same record keys; each chunk trains the prior again). A piece is done when
the store holds its records, so each call trains only what the calls before it left (of the pieces numbered in
``--pieces``, or all), in plan order, and starts the next piece only while the slowest piece of this call still
fits in the seconds left. It ends by listing the pieces, numbered, and what is left.
``benchmarks/gpu_session.sh paper-test`` runs it on a GPU and packs the new records.

    python benchmarks/paper_test.py --profile paper --dataset cifar10 --seconds 480
    python benchmarks/paper_test.py --profile paper --dataset cifar10 --left            # the pieces; trains nothing
    python benchmarks/paper_test.py --profile smoke --dataset synthetic --pieces 1 5    # two of them
"""

from __future__ import annotations

import argparse
import math
import time
from pathlib import Path
from typing import Sequence

from imlp_core.memory import split
from imlp_core.paths import runs_dir, shown
from imlp_core.plan import PlannedSweep, profile_plan
from imlp_core.profiles import resolve_profile
from imlp_core.settings import Settings, TrainingSettings
from imlp_core.train import run_sweep, stored_records

# What every history entry of a record holds since the trainer measures each interval's pull (notebook 09).
DRIFT_FIELDS = ("drift_along", "prior_along", "gap_start", "first_step_along")


def pieces(profile: str, dataset: str, chunk: int | None = None) -> list[PlannedSweep]:
    """The sweeps of ``profile``'s interval study on ``dataset`` in plan order, each cut into the fewest stacks of at
    most ``chunk`` I-MLPs (None: whole), as even as can be."""
    if chunk is not None and chunk < 1:
        raise ValueError(f"a piece holds at least one I-MLP, got --chunk {chunk}")
    sweeps = profile_plan(resolve_profile(profile), ["intervals"], [dataset])
    if not sweeps:
        raise ValueError(f"profile {profile!r} has no interval study on {dataset}")
    return [stack for p in sweeps for stack in split(p, math.ceil(len(p.schedules) / (chunk or len(p.schedules))))]


def describe(piece: PlannedSweep) -> str:
    """'cnn, pulled after every step, lr 0.0001, seed 0: alpha 0, 0.001, ..., 1 (13 I-MLPs)'."""
    s, every = piece.sweep, piece.sweep.interpolate_every
    interval = {"epoch": "every epoch", 1: "every step"}.get(every, f"every {every} steps")
    alphas = ", ".join(f"{schedule.alpha:g}" for schedule in piece.schedules)
    return f"{s.prior}, pulled after {interval}, lr {s.lr:g}, seed {s.seed}: alpha {alphas} ({len(piece.schedules)} I-MLPs)"


def has_drift_fields(record: dict) -> bool:
    """Whether ``record`` holds the pull measurements of notebook 09 (records made before them do not)."""
    return all(f in entry for entry in record["history"] for f in DRIFT_FIELDS) and "test_acc_before_pull" in record["final"]


def state(piece: PlannedSweep, store: Path) -> str:
    """How much of ``piece`` the store holds, and whether its stored records have the drift fields."""
    missing = len(piece.missing(store))
    if missing:
        return f"{missing} of {len(piece.schedules)} runs missing"
    older = sum(not has_drift_fields(r) for r in stored_records(piece.sweep, piece.schedules, store))
    return "stored" + (f", {older} records without the drift fields (trained before they were measured)" if older else "")


def train_pieces(todo: Sequence[PlannedSweep], store: Path, seconds: float, device: str,
                 training: TrainingSettings) -> None:
    """Train the missing pieces of ``todo`` in order (with the door's ``training`` settings), each only while the
    slowest one so far fits in what is left of ``seconds`` (the first always starts)."""
    start, slowest = time.monotonic(), 0.0
    for piece in [p for p in todo if p.missing(store)]:
        left = seconds - (time.monotonic() - start)
        if slowest > left:
            print(f"not started ({left:.0f} s left; the slowest piece of this call took {slowest:.0f} s): "
                  f"{describe(piece)}", flush=True)
            return
        print(f"training: {describe(piece)}", flush=True)
        began = time.monotonic()
        run_sweep(piece.sweep, piece.schedules, store, device, settings=training)
        slowest = max(slowest, time.monotonic() - began)
        print(f"stored in {time.monotonic() - began:.0f} s: {describe(piece)}", flush=True)


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--profile", default="paper")
    parser.add_argument("--dataset", default="cifar10", help="the study's dataset (the profile's CIFAR-10 role)")
    parser.add_argument("--chunk", type=int, default=None, help="at most this many I-MLPs per piece (default: a sweep)")
    parser.add_argument("--pieces", type=int, nargs="+", default=None,
                        help="train only these pieces, numbered as the listing numbers them (default: all)")
    parser.add_argument("--seconds", type=float, default=math.inf, help="the time this call may take")
    parser.add_argument("--left", action="store_true", help="list the pieces and what is left; train nothing")
    parser.add_argument("--device", default="auto", help="cpu, cuda or auto")
    args = parser.parse_args(argv)
    try:
        study = pieces(args.profile, args.dataset, args.chunk)
    except ValueError as error:
        parser.error(str(error))
    if unknown := sorted(set(args.pieces or ()) - set(range(1, len(study) + 1))):
        parser.error(f"pieces {unknown} are not among the study's 1 to {len(study)} (--left lists them)")
    settings = Settings.from_environment()  # this script's door
    store = runs_dir(settings.output_root(resolve_profile(args.profile).name))
    if not args.left:
        train_pieces([study[n - 1] for n in args.pieces] if args.pieces else study, store, args.seconds, args.device,
                     settings.training)
    print(f"the interval study of profile {args.profile!r} on {args.dataset}, store {shown(store)}:")
    for n, piece in enumerate(study, 1):
        print(f"  {n:>2}. {describe(piece)}: {state(piece, store)}")
    left = [n for n, piece in enumerate(study, 1) if piece.missing(store)]
    print(f"left: pieces {' '.join(map(str, left))} ({len(left)} of {len(study)})" if left
          else "left: nothing, every piece is stored", flush=True)


if __name__ == "__main__":
    main()
