"""The paper's numbers as data, the verdicts on them, and the figure, finding and table helpers (no training)."""

from __future__ import annotations

import math
from dataclasses import replace

import pandas as pd
import pytest

from imlp_core import figures, findings, notebook, paper, verdicts
from imlp_core.profiles import resolve_profile


def fake_runs(dataset: str, accuracies: dict[float, float], prior: float, experiment: str = "cnn",
              epochs: int = 3) -> pd.DataFrame:
    """One seed of a constant-α sweep: I-MLP test accuracy per α and the prior's, as fractions."""
    rows = [{"experiment": experiment, "prior": experiment, "dataset": dataset, "seed": 0, "schedule": "constant",
             "alpha": alpha, "k": 0.0, "label": f"α = {alpha:g}", "test_acc": acc, "prior_test_acc": prior,
             "epochs": epochs, "train_subset": 8000, "source": "test", "status": "ok",
             "history": [{"epoch": e + 1, "alpha": alpha, "test_acc": acc, "prior_test_acc": prior}
                         for e in range(epochs)]}
            for alpha, acc in accuracies.items()]
    return pd.DataFrame(rows)


def test_paper_tables_hold_every_printed_accuracy():
    assert len(paper.TABLE_1A) == len(paper.TABLE_1B) == 8
    assert len(paper.TABLE_4) == 7 and len(paper.TABLE_5) == 8
    table = paper.paper_table(paper.TABLE_1A)
    assert table.loc["S-CNN", "CIFAR-10"] == "62.60 ± 1.20"
    assert table.loc["I-MLP (α = 0.01)", "CIFAR-100"] == "21.67 ± 1.75"
    assert {e.alpha for e in paper.FIGURE_2_EXTREMA} == {5e-3, 1e-2, 5e-4}


def test_numbers_within_two_sigma_are_reproduced_and_others_not():
    profile = resolve_profile("cpu")
    runs = fake_runs("cifar10", {0.0: 0.5836, 0.01: 0.40, 1.0: 0.6214}, prior=0.626)
    numbers = verdicts.compare_numbers(runs, profile)
    row = lambda source, model, dataset="CIFAR-10": numbers[(numbers.source == source) & (numbers.model == model)
                                                            & (numbers.dataset == dataset)].iloc[0]
    assert row("Table 1(a)", "I-MLP (α = 0.0)").verdict == verdicts.REPRODUCED
    assert row("Table 1(a)", "S-CNN").verdict == verdicts.REPRODUCED
    assert row("Table 1(a)", "I-MLP (α = 0.01)").verdict == verdicts.NOT_REPRODUCED
    assert math.isclose(row("Table 1(a)", "I-MLP (α = 0.01)").difference, 40.0 - 51.5)
    assert row("Table 1(a)", "S-CNN", "CIFAR-100").verdict == verdicts.NOT_RUN  # cpu skips CIFAR-100
    assert row("Table 1(b)", "MLP-Mixer").verdict == verdicts.NOT_RUN  # no mixer runs given


def test_synthetic_runs_are_never_judged_against_cifar():
    runs = fake_runs("synthetic", {0.0: 0.5836, 0.01: 0.5150, 1.0: 0.6214}, prior=0.626)
    numbers = verdicts.compare_numbers(runs, resolve_profile("smoke"))
    assert set(numbers.verdict) == {verdicts.NOT_RUN}


def test_claims_follow_the_ordering_in_our_means():
    profile = resolve_profile("cpu")
    grid = {0.0: 0.50, 1e-3: 0.47, 5e-3: 0.44, 1e-2: 0.45, 0.1: 0.46, 1.0: 0.48}
    claims = verdicts.compare_claims(fake_runs("cifar10", grid, prior=0.48), profile)
    by_claim = {(c.source, c.claim): c.verdict for c in claims.itertuples()}
    v_shape = by_claim[("Table 1(a), CIFAR-10", "α = 0.01 is worse than both ends, α = 0 and α = 1 (the V of Figure 2)")]
    assert v_shape == verdicts.REPRODUCED
    assert by_claim[("Table 1(a), CIFAR-10", "the S-CNN prior beats the S-MLP (I-MLP α = 0)")] == verdicts.NOT_REPRODUCED
    assert by_claim[("Figure 2 (left), Sec. 4.1, CIFAR-10", "minimum of accuracy over α at α ≈ 0.005")] == verdicts.REPRODUCED
    assert verdicts.curve_extremum(fake_runs("cifar10", grid, prior=0.48), "cnn", "cifar10", "minimum") == 5e-3


def test_figures_and_tables_are_saved_as_png_pdf_csv_md(tmp_path, monkeypatch):
    monkeypatch.setenv("IMLP_OUTPUT_DIR", str(tmp_path))
    runs = fake_runs("synthetic", {0.0: 0.3, 0.01: 0.2, 1.0: 0.4}, prior=0.4)
    fig = figures.alpha_sweep_figure(runs, "test", paper.FIGURE_2_EXTREMA[:1])
    assert [p.name for p in figures.save_figure(fig, "t_fig")] == ["t_fig.png", "t_fig.pdf"]
    assert fig.axes[0].get_ylabel() == "test accuracy (%)"
    table = verdicts.ours_table(runs, paper.TABLE_1A, resolve_profile("smoke"))
    assert table.iloc[0, 0] == "30.00"  # one seed: the mean only
    paths = findings.save_table(table, "t_table")
    assert [p.suffix for p in paths] == [".csv", ".md"] and all(p.is_file() for p in paths)


def test_accumulated_share_is_one_minus_the_kept_product():
    epochs = figures.epoch_frame(fake_runs("cifar10", {0.01: 0.5}, prior=0.5, epochs=3))
    assert epochs["share"].tolist() == pytest.approx([1 - 0.99, 1 - 0.99 ** 2, 1 - 0.99 ** 3])
    points = paper.paper_share_points()
    assert points.loc[points.alpha == 0.01, "share"].iloc[0] == pytest.approx(1 - 0.99 ** 100)


def test_comparison_sentence_says_who_is_ahead():
    assert findings.comparison_sentence("the S-CNN", 62.1, "the S-MLP", 58.4) == "the S-CNN (62.1 %) is ahead of the S-MLP (58.4 %)"
    assert "is behind" in findings.comparison_sentence("a", 1.0, "b", 5.0)
    assert "level" in findings.comparison_sentence("a", 1.0, "b", 1.2)


def test_profile_note_says_when_cifar100_is_skipped():
    note = notebook.profile_note(resolve_profile("cpu"), "cnn")
    assert "CIFAR-100 is skipped in this profile" in note
    assert "skipped" not in notebook.profile_note(replace(resolve_profile("paper"), skipped=""), "cnn")
