"""Profiles: how much of the paper a batch run reproduces, as plain data (smoke / cpu / paper / auto).

Every notebook takes its profile from the injected papermill parameter ``profile`` or, when that is
None, from ``IMLP_PROFILE`` (default ``auto``: ``paper`` where CUDA is available, else ``cpu``), which the door
reads (``settings.Settings.profile``). Resolving a profile has no side effect: where its outputs go is
``Settings.output_root(profile.name)``, passed on by the caller.
"""

from __future__ import annotations

import difflib
from dataclasses import dataclass, field

# Figure 2's alpha grid (log-spaced, with both end points).
ALPHA_GRID = (0.0, 1e-4, 3e-4, 5e-4, 1e-3, 3e-3, 5e-3, 1e-2, 3e-2, 0.1, 0.3, 0.5, 1.0)
# Figure 3 / Table 4: decay exponents k at a = 0.5.
DECAY_KS = (0.0, 0.5, 1.0, 2.0, 3.0, 4.0, 6.0, 8.0)
# Notebook 08: a coarser alpha grid, run once per open choice.
OPEN_CHOICE_ALPHAS = (0.0, 1e-3, 5e-3, 1e-2, 0.1, 0.3, 1.0)
# Notebook 09 (where the V sits): an alpha grid dense enough to place a minimum, 13 values from 1e-4 to 1 with
# two per decade between 1e-3 and 1e-1, and the S-MLP (alpha = 0).
INTERVAL_ALPHAS = (0.0, 1e-4, 3e-4, 5e-4, 1e-3, 3e-3, 5e-3, 1e-2, 3e-2, 5e-2, 0.1, 0.3, 0.5, 1.0)
# The paper-scale test of notebook 09's law (claims.PREDICTIONS): dense around its predicted alpha_min, 0.07
# [0.017, 0.29] per step, so that a miss is visible, with points beyond it on both sides and the two ends.
PAPER_TEST_ALPHAS = (0.0, 1e-3, 1e-2, 2e-2, 3e-2, 5e-2, 7e-2, 0.1, 0.15, 0.2, 0.3, 0.5, 1.0)
EXPERIMENTS = ("cnn", "mixer", "schedules", "first_layer", "open_choices", "intervals", "held_out")
APPENDIX_E_LR = 1e-4


@dataclass(frozen=True)
class Budget:
    """Training of one experiment: epochs, (optionally) class-balanced subsets of the splits, Adam's lr, and the
    test images of the epochs before the last (``SweepConfig.curve_test_subset``)."""

    epochs: int
    train_subset: int | None = None
    test_subset: int | None = None
    lr: float = APPENDIX_E_LR
    curve_test_subset: int | None = None


@dataclass(frozen=True)
class IntervalStudy:
    """Notebook 09's runs: the S-CNN's alpha curve under every pull interval (optimizer steps, or "epoch") at every
    learning rate, over ``seeds``; and the Mixer's curve under ``mixer_intervals`` (its own budget, same seeds)."""

    intervals: tuple[int | str, ...]
    lrs: tuple[float, ...]
    seeds: tuple[int, ...]
    alphas: tuple[float, ...] = INTERVAL_ALPHAS
    mixer_intervals: tuple[int | str, ...] = ()
    mixer_alphas: tuple[float, ...] = ()


@dataclass(frozen=True)
class HeldOutStudy:
    """The seeds that judge the companion's own findings (``claims.FINDINGS``), registered before they were trained:
    the S-CNN's merged sweep and its per-step sweep over ``seeds``, the Mixer's sweep over ``mixer_seeds``."""

    seeds: tuple[int, ...] = ()
    mixer_seeds: tuple[int, ...] = ()


@dataclass(frozen=True)
class Profile:
    """What one batch run trains. ``datasets`` are the CIFAR-10 and CIFAR-100 roles, in that order."""

    name: str
    datasets: tuple[str, ...]
    seeds: tuple[int, ...]
    alphas: tuple[float, ...]
    decay_ks: tuple[float, ...]
    budgets: dict[str, Budget] = field(hash=False)
    regime: str = ""  # which regime the numbers come from, said in every notebook
    skipped: str = ""  # what this profile does not run, said in every notebook
    open_choice_alphas: tuple[float, ...] = OPEN_CHOICE_ALPHAS
    open_choice_seeds: tuple[int, ...] = (0,)  # notebook 08's seeds
    # Notebook 08's option values, labelled as ``experiments.option_label`` writes them ("default" for none);
    # None runs every value of ``experiments.OPEN_CHOICES``.
    open_choice_options: tuple[str, ...] | None = None
    intervals: IntervalStudy = IntervalStudy(intervals=(1, "epoch"), lrs=(APPENDIX_E_LR,), seeds=(0,))
    # Notebook 08's option values trained over every seed of ``seeds`` (the rest over ``open_choice_seeds``).
    open_choices_all_seeds: tuple[str, ...] = ()
    held_out: HeldOutStudy = HeldOutStudy()

    @property
    def experiments(self) -> tuple[str, ...]:
        """What this profile runs: every experiment with a budget, and the held-out test where it has seeds (which
        trains under the S-CNN's, the open choices' and the Mixer's budgets)."""
        return (*self.budgets, *(("held_out",) if self.held_out.seeds else ()))

    def budget(self, experiment: str) -> Budget:
        if experiment not in self.budgets:
            raise ValueError(f"unknown experiment {experiment!r}; choose one of {', '.join(EXPERIMENTS)}")
        return self.budgets[experiment]


CURVE_TEST_IMAGES = 2_000  # the cpu profile's test images for the epochs before the last (the curves)
LAPTOP_LR = 1e-3  # 10x Appendix E's: at a few epochs, the rate at which the priors beat the S-MLP (issue 11)

PROFILES = {
    "smoke": Profile(
        name="smoke", datasets=("synthetic", "synthetic100"), seeds=(0,), alphas=(0.0, 0.01, 1.0),
        decay_ks=(0.0, 2.0),
        # The wide I-MLPs (Mixer: 39.9 M, Table 5: 16.9 M parameters each) get fewer images to stay fast.
        budgets={"cnn": Budget(epochs=2, train_subset=500), "mixer": Budget(epochs=2, train_subset=200),
                 "schedules": Budget(epochs=2, train_subset=500), "first_layer": Budget(epochs=2, train_subset=200),
                 "open_choices": Budget(epochs=2, train_subset=128, test_subset=200),
                 "intervals": Budget(epochs=2, train_subset=128, test_subset=200)},
        regime="Smoke: a few hundred synthetic images for 2 epochs, to check that everything runs.",
        skipped="The smoke profile trains on a few hundred synthetic images for 2 epochs: it checks that "
                "everything runs, and its numbers say nothing about the paper's claims.",
        open_choice_alphas=(0.0, 0.5, 1.0),
        intervals=IntervalStudy(intervals=(1, "epoch"), lrs=(1e-3, 3e-4), seeds=(0,), alphas=(0.0, 0.1, 1.0),
                                mixer_intervals=(1, "epoch"), mixer_alphas=(0.0, 0.01, 1.0)),  # 04's per-epoch runs
    ),
    "cpu": Profile(
        name="cpu", datasets=("cifar10",), seeds=(0, 1, 2, 3, 4), alphas=ALPHA_GRID, decay_ks=DECAY_KS,
        # Chosen by measurement on a 2-core CPU (README, benchmarks/regime_search.py): at lr 1e-3 both priors
        # beat the S-MLP, at Appendix E's 1e-4 they trail it. Every final accuracy is on all 10,000 test images
        # (binomial noise about ±0.45 points, against ±1 on 2,000); the curves' earlier epochs on 2,000 of them.
        budgets={
            "cnn": Budget(epochs=5, train_subset=5_000, lr=LAPTOP_LR, curve_test_subset=CURVE_TEST_IMAGES),
            "mixer": Budget(epochs=4, train_subset=3_000, lr=LAPTOP_LR, curve_test_subset=CURVE_TEST_IMAGES),
            "schedules": Budget(epochs=5, train_subset=5_000, lr=LAPTOP_LR, curve_test_subset=CURVE_TEST_IMAGES),
            # Table 5's 12-layer MLP-1 and its prior stay at chance at lr 1e-3 (measured); at 3e-4 they learn.
            "first_layer": Budget(epochs=5, train_subset=5_000, lr=3e-4, curve_test_subset=CURVE_TEST_IMAGES),
            "open_choices": Budget(epochs=5, train_subset=5_000, lr=LAPTOP_LR, curve_test_subset=CURVE_TEST_IMAGES),
            # Notebook 09: the laptop regime of 03 and 08; each learning rate of the study replaces lr.
            "intervals": Budget(epochs=5, train_subset=5_000, lr=LAPTOP_LR, curve_test_subset=CURVE_TEST_IMAGES),
        },
        regime="The laptop regime: a few thousand CIFAR-10 images, a few epochs, Adam at lr 1e-3 (10× Appendix E's; "
               "Table 5's deeper networks at 3e-4, where they learn at all), chosen on seed 0 so that the S-CNN and the "
               "Mixer beat their S-MLP, as the paper's premise (the low-compute regime) asks; five seeds where a "
               "claim rests (three for notebook 08's other options and notebook 09), final accuracies on all 10,000 "
               "test images.",
        skipped="The cpu profile trains on a subset of CIFAR-10 for a few epochs with three to five seeds, and skips "
                "CIFAR-100: the paper's 100-epoch claims need the paper profile (a GPU).",
        open_choice_seeds=(0, 1, 2),
        open_choice_options=None,  # every value of experiments.OPEN_CHOICES, three seeds each (all stored)
        # the claims of notebook 08 rest on the default and per-step sweeps: five seeds (issue 29)
        open_choices_all_seeds=("default", "interpolate_every = 1"),
        held_out=HeldOutStudy(seeds=(3, 4, 5, 6, 7), mixer_seeds=(3, 4, 5)),
        # 5,000 images in batches of 128: 40 steps per epoch, which every interval divides. The second learning rate
        # is 3e-4, where the S-CNN trails its S-MLP here (notebook 09 says by how much); at 5e-4 neither leads.
        intervals=IntervalStudy(intervals=(1, 2, 5, 10, 20, "epoch"), lrs=(LAPTOP_LR, 3e-4), seeds=(0, 1, 2),
                                mixer_intervals=(1, "epoch"), mixer_alphas=(0.0, 1e-3, 1e-2, 3e-2, 0.1, 0.3, 0.5, 1.0)),
    ),
    "paper": Profile(
        name="paper", datasets=("cifar10", "cifar100"), seeds=(0, 1, 2), alphas=ALPHA_GRID, decay_ks=DECAY_KS,
        budgets={e: Budget(epochs=100) for e in EXPERIMENTS},
        regime="Appendix E's settings: 100 epochs on all training images, Adam at lr 1e-4, batch 128.",
        open_choice_seeds=(0, 1, 2),
        # The paper-scale test of notebook 09's prediction (claims.PREDICTIONS): per-step and per-epoch pulls, three
        # seeds, the alphas around both predicted minima and the two ends.
        intervals=IntervalStudy(intervals=(1, "epoch"), lrs=(APPENDIX_E_LR,), seeds=(0, 1, 2), alphas=PAPER_TEST_ALPHAS),
    ),
}


def resolve_profile(name: str) -> Profile:
    """The profile called ``name`` (``auto``: ``paper`` where CUDA is available, else ``cpu``)."""
    if not isinstance(name, str):
        raise TypeError(f"profile must be a string ({', '.join([*PROFILES, 'auto'])}), got {name!r}")
    if name == "auto":
        import torch  # only here: paths (and so every reading module) imports this module

        name = "paper" if torch.cuda.is_available() else "cpu"
    if name not in PROFILES:
        close = difflib.get_close_matches(name.strip().lower(), [*PROFILES, "auto"], n=1)
        hint = f"did you mean {close[0]!r}? " if close else ""
        raise ValueError(f"unknown profile {name!r}; {hint}choose one of {', '.join([*PROFILES, 'auto'])} "
                         f"(set IMLP_PROFILE or inject the notebook parameter 'profile')")
    return PROFILES[name]
