"""Both committed stores judged: every registered claim's :class:`~imlp_core.reading.inference.Verdict` at the laptop
scale (``results/runs/``) and at the H100's (``results/paper-h100/results/runs/``), read from the records as notebooks
07 and 09 judge them, with what the records trained on. The README's blocks, the site's landing page, notebook 07's
summary and notebooks 03–06's claim bullets read these values; the words are :mod:`imlp_core.reading.prose`'s.
"""

from __future__ import annotations

import contextlib
import io
from pathlib import Path

import pandas as pd

from imlp_core.reading import claims
from imlp_core.experiments import experiment_runs, paper_test_runs
from imlp_core.facts import TRAIN_IMAGES
from imlp_core.paths import runs_dir
from imlp_core.profiles import resolve_profile
from imlp_core.records import load
from imlp_core.reading.inference import Verdict
from imlp_core.reading.verdicts import JudgedStore, claim_verdicts

# Each scale's committed store: the output root under the repository and the profile that trained it.
STORES = {"laptop": (Path("."), "cpu"), "paper": (Path("results") / "paper-h100", "paper")}
CLAIM_EXPERIMENTS = ("cnn", "mixer", "schedules", "first_layer")  # the runs of notebooks 03-06


def budgets(runs: pd.DataFrame) -> tuple[tuple[int, ...], tuple[int, ...]]:
    """Every training length and every training-set size of ``runs``, ascending (a dataset's whole training set
    where no subset was taken)."""
    images = [TRAIN_IMAGES[d] if pd.isna(n) else int(n) for d, n in zip(runs["dataset"], runs["train_subset"])]
    return tuple(sorted({int(e) for e in runs["epochs"]})), tuple(sorted(set(images)))


def paper_claim_runs(profile, store: Path) -> pd.DataFrame:
    """The runs of notebooks 03–06 on every dataset of ``profile`` that ``store`` holds, reading records only."""
    with contextlib.redirect_stdout(io.StringIO()):  # the notes on runs a store lacks: the verdicts say "not run"
        return pd.concat([experiment_runs(experiment, profile, dataset, results=store, stored_only=True,
                                          progress=False)
                          for dataset in profile.datasets for experiment in CLAIM_EXPERIMENTS], ignore_index=True)


def registry_verdicts(profile, store: Path) -> dict[str, Verdict]:
    """The registry's verdict of each of the paper's claims at ``profile``'s scale, as notebook 07 gives it (Holm
    within the family), from the runs of notebooks 03–06 that ``store`` holds: what notebooks 03–06 show."""
    return {v.claim.id: v for v in claim_verdicts(paper_claim_runs(profile, store), profile, claims.PAPER_CLAIMS)}


def judge_store(root: Path, scale: str) -> JudgedStore:
    """Every claim registered at ``scale``, judged on the committed store under ``root`` (the repository), reading
    records only: the paper's claims on the runs of notebooks 03–06, the held-out findings on their held-out seeds
    (laptop), the law's prediction on the paper-scale test's runs (H100)."""
    if scale not in STORES:
        raise ValueError(f"unknown scale {scale!r}; choose one of {', '.join(STORES)}")
    folder, name = STORES[scale]
    profile = resolve_profile(name)
    store = runs_dir(root / folder)
    runs = paper_claim_runs(profile, store)
    judged = claim_verdicts(runs, profile, claims.PAPER_CLAIMS)
    if scale == "laptop":
        with contextlib.redirect_stdout(io.StringIO()):
            held_out = experiment_runs("held_out", profile, profile.datasets[0], results=store, stored_only=True,
                                       progress=False)
        judged += claim_verdicts(held_out, profile, claims.FINDINGS)
    else:
        judged += claim_verdicts(paper_test_runs(profile, store), profile, claims.PREDICTIONS)
    every = load(store)
    return JudgedStore(scale, tuple(judged), *budgets(runs), tuple(sorted(set(every["source"]))), len(every))


def judged_stores(root: Path) -> dict[str, JudgedStore]:
    """Both scales' committed stores, judged (:func:`judge_store`)."""
    return {scale: judge_store(root, scale) for scale in STORES}
