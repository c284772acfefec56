"""Size of a sweep's epoch checkpoint (prior + K stacked I-MLPs, their Adam moments, the generator and history),
and the time to write one atomically, measured after one training step (when Adam's moments exist).

The size is linear in K, so two measured K per prior give every other K exactly:

    .venv/bin/python benchmarks/checkpoint_size.py [--models cnn:1,9 mixer:1,2] [--write]
"""

from __future__ import annotations

import argparse
import io
import tempfile
import time
from pathlib import Path

import torch
from tqdm import tqdm

from imlp_core import AlphaSchedule, SweepConfig, Trainer
from imlp_core.checkpoint import trainer_state


class Counter(io.RawIOBase):
    """A write-only stream that counts the bytes written to it (so that nothing is held in memory)."""

    def __init__(self) -> None:
        self.size = 0

    def writable(self) -> bool:
        return True

    def write(self, data) -> int:
        self.size += len(data)
        return len(data)


def measure(prior: str, k: int, workdir: Path, write: bool) -> dict:
    sweep = SweepConfig(prior, "synthetic", epochs=2, batch_size=128, train_subset=128, test_subset=128)
    schedules = [AlphaSchedule("constant", i / (4 * k)) for i in range(k)]
    trainer = Trainer(sweep, schedules, workdir / "checkpoint.pt", torch.device("cpu"), progress=False)
    trainer.train_epoch(0, tqdm(disable=True))  # one step: Adam's moments now exist
    counter = Counter()
    torch.save(trainer_state(trainer), counter)
    row = {"prior": prior, "K": k, "bytes": counter.size}
    if write:  # Trainer.save_checkpoint itself: streamed into a temporary file, fsynced, renamed
        start = time.perf_counter()
        trainer.save_checkpoint()
        row["write_s"] = time.perf_counter() - start
    return row


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--models", nargs="+", default=["cnn:1,9", "mixer:1,2"], help="PRIOR:K1,K2")
    parser.add_argument("--write", action="store_true", help="also time an atomic write to the temporary folder")
    parser.add_argument("--extrapolate", nargs="+", default=["cnn:9,13,22", "mixer:13"], help="PRIOR:K,...")
    args = parser.parse_args()
    fits = {}
    with tempfile.TemporaryDirectory() as workdir:
        for item in args.models:
            prior, ks = item.split(":")
            rows = [measure(prior, int(k), Path(workdir), args.write) for k in ks.split(",")]
            for row in rows:
                print(f"measured {row['prior']:>6} K = {row['K']:>2}: {row['bytes'] / 1e9:.3f} GB"
                      + (f", written in {row['write_s']:.1f} s" if "write_s" in row else ""), flush=True)
            (k1, b1), (k2, b2) = [(r["K"], r["bytes"]) for r in rows]
            fits[prior] = (b1 - (b2 - b1) / (k2 - k1) * k1, (b2 - b1) / (k2 - k1))
    for item in args.extrapolate:
        prior, ks = item.split(":")
        for k in map(int, ks.split(",")):
            base, per_model = fits[prior]
            print(f"linear  {prior:>6} K = {k:>2}: {(base + per_model * k) / 1e9:.3f} GB "
                  f"({per_model / 1e6:.1f} MB per I-MLP + {base / 1e6:.1f} MB)")


if __name__ == "__main__":
    main()
