"""The paper's numbers as data, the verdicts on them, and the figure, finding and table helpers (no training)."""

from __future__ import annotations

import math
from dataclasses import replace

import pandas as pd
import pytest

from imlp_core import figures, findings, notebook, paper, verdicts
from imlp_core import statistics as st
from imlp_core.profiles import resolve_profile


def fake_runs(dataset: str, accuracies: dict[float, float | list[float]], prior: float | list[float],
              experiment: str = "cnn", epochs: int = 3) -> pd.DataFrame:
    """A constant-α sweep: I-MLP test accuracy per α and the prior's, as fractions; a list gives one value per seed."""
    per_seed = lambda value, n: value if isinstance(value, list) else [value] * n
    seeds = max([len(v) for v in [*accuracies.values(), prior] if isinstance(v, list)], default=1)
    priors = per_seed(prior, seeds)
    rows = [{"experiment": experiment, "prior": experiment, "dataset": dataset, "seed": seed, "schedule": "constant",
             "alpha": alpha, "k": 0.0, "label": f"α = {alpha:g}", "test_acc": acc, "prior_test_acc": priors[seed],
             "epochs": epochs, "train_subset": 8000, "lr": 1e-3, "source": "test", "status": "ok",
             "history": [{"epoch": e + 1, "alpha": alpha, "test_acc": acc, "prior_test_acc": priors[seed]}
                         for e in range(epochs)]}
            for alpha, values in accuracies.items() for seed, acc in enumerate(per_seed(values, seeds))]
    return pd.DataFrame(rows)


def test_paper_tables_hold_every_printed_accuracy():
    assert len(paper.TABLE_1A) == len(paper.TABLE_1B) == 8
    assert len(paper.TABLE_4) == 7 and len(paper.TABLE_5) == 8
    table = paper.paper_table(paper.TABLE_1A)
    assert table.loc["S-CNN", "CIFAR-10"] == "62.60 ± 1.20"
    assert table.loc["I-MLP (α = 0.01)", "CIFAR-100"] == "21.67 ± 1.75"
    assert {e.alpha for e in paper.FIGURE_2_EXTREMA} == {5e-3, 1e-2, 5e-4}


def by_claim(claims: pd.DataFrame) -> dict[tuple[str, str], str]:
    return {(c.source, c.claim): c.verdict for c in claims.itertuples()}


V_CLAIM = ("Table 1(a), CIFAR-10", "α = 0.01 is worse than both ends, α = 0 and α = 1 (the V of Figure 2)")
PRIOR_CLAIM = ("Table 1(a), CIFAR-10", "the S-CNN prior beats the S-MLP (I-MLP α = 0)")
MINIMUM_CLAIM = ("Figure 2 (left), Sec. 4.1, CIFAR-10", "minimum of accuracy over α at α ≈ 0.005")


def test_numbers_are_reproduced_only_when_our_interval_lies_within_the_tolerance():
    profile = resolve_profile("cpu")
    runs = fake_runs("cifar10", {0.0: [0.5830, 0.5836, 0.5842], 0.01: [0.40, 0.41, 0.42], 1.0: [0.55, 0.62, 0.69]},
                     prior=[0.626, 0.626, 0.626])
    numbers = verdicts.compare_numbers(runs, profile)
    row = lambda source, model, dataset="CIFAR-10": numbers[(numbers.source == source) & (numbers.model == model)
                                                            & (numbers.dataset == dataset)].iloc[0]
    assert row("Table 1(a)", "I-MLP (α = 0.0)").verdict == verdicts.REPRODUCED
    assert row("Table 1(a)", "S-CNN").verdict == verdicts.REPRODUCED  # no spread: a zero-width interval on the spot
    assert row("Table 1(a)", "I-MLP (α = 0.01)").verdict == verdicts.NOT_REPRODUCED
    assert row("Table 1(a)", "I-MLP (α = 1.0)").verdict == verdicts.NUMBER_WITHIN_NOISE  # wider than ± 2.04
    assert math.isclose(row("Table 1(a)", "I-MLP (α = 0.01)").difference, 41.0 - 51.5)
    assert row("Table 1(a)", "I-MLP (α = 0.0)").ours.endswith("(3 seeds)")
    assert row("Table 1(a)", "S-CNN", "CIFAR-100").verdict == verdicts.NOT_RUN  # cpu skips CIFAR-100
    assert row("Table 1(b)", "MLP-Mixer").verdict == verdicts.NOT_RUN  # no mixer runs given


def test_one_seed_on_the_paper_is_not_reproduced():
    numbers = verdicts.compare_numbers(fake_runs("cifar10", {0.0: 0.5836}, prior=0.626), resolve_profile("cpu"))
    assert set(numbers[numbers.model == "I-MLP (α = 0.0)"].verdict) >= {verdicts.NUMBER_WITHIN_NOISE}
    assert verdicts.REPRODUCED not in set(numbers.verdict)


def test_synthetic_runs_are_never_judged_against_cifar():
    runs = fake_runs("synthetic", {0.0: 0.5836, 0.01: 0.5150, 1.0: 0.6214}, prior=0.626)
    numbers = verdicts.compare_numbers(runs, resolve_profile("smoke"))
    assert set(numbers.verdict) == {verdicts.NOT_RUN}
    assert set(verdicts.compare_claims(runs, resolve_profile("smoke")).verdict) == {verdicts.NOT_RUN}


GRID = {0.0: [0.50, 0.51, 0.49], 1e-3: [0.47, 0.48, 0.47], 5e-3: [0.44, 0.45, 0.43], 1e-2: [0.45, 0.46, 0.44],
        0.1: [0.46, 0.47, 0.45], 1.0: [0.48, 0.49, 0.47]}


def test_a_consistent_v_with_the_prior_behind_is_reproduced_and_opposite():
    claims = by_claim(verdicts.compare_claims(fake_runs("cifar10", GRID, prior=[0.48, 0.49, 0.47]), resolve_profile("cpu")))
    assert claims[V_CLAIM] == verdicts.REPRODUCED
    assert claims[PRIOR_CLAIM] == verdicts.OPPOSITE  # the prior is 2 points behind in every seed
    assert claims[MINIMUM_CLAIM] == verdicts.REPRODUCED


def test_one_seed_reversing_a_claim_leaves_it_within_noise():
    grid = {**GRID, 1e-2: [0.45, 0.46, 0.52]}  # seed 2: alpha = 0.01 above both ends
    claims = by_claim(verdicts.compare_claims(fake_runs("cifar10", grid, prior=[0.52, 0.53, 0.47]), resolve_profile("cpu")))
    assert claims[V_CLAIM] == verdicts.SAME_WITHIN_NOISE  # the means are below both ends, the intervals cross 0
    assert claims[PRIOR_CLAIM] == verdicts.SAME_WITHIN_NOISE  # +2, +2, -2


def test_a_claim_on_one_seed_is_never_reproduced():
    one_seed = {alpha: values[0] for alpha, values in GRID.items()}
    claims = by_claim(verdicts.compare_claims(fake_runs("cifar10", one_seed, prior=0.48), resolve_profile("cpu")))
    assert claims[V_CLAIM] == verdicts.SAME_WITHIN_NOISE and claims[PRIOR_CLAIM] == st.OPPOSITE_WITHIN_NOISE


def test_a_minimum_without_depth_is_not_the_papers_v():
    flat = {0.0: [0.30, 0.31, 0.29], 1e-3: [0.30, 0.31, 0.29], 5e-3: [0.295, 0.305, 0.285], 1e-2: [0.30, 0.31, 0.29],
            0.1: [0.30, 0.31, 0.29], 1.0: [0.30, 0.31, 0.29]}
    claims = by_claim(verdicts.compare_claims(fake_runs("cifar10", flat, prior=0.30), resolve_profile("cpu")))
    # the minimum sits at 5e-3 in every resample, but its drop below both ends is half a point, beyond noise
    # only if the seeds agree: here they do, so the depth decides; a depth of 0.5 is still below zero
    assert claims[MINIMUM_CLAIM] == verdicts.REPRODUCED
    above = {**flat, 1.0: [0.20, 0.21, 0.19]}  # the minimum sits 10 points above the alpha = 1 end
    claims = by_claim(verdicts.compare_claims(fake_runs("cifar10", above, prior=0.20), resolve_profile("cpu")))
    assert claims[MINIMUM_CLAIM] == verdicts.OPPOSITE


def test_a_minimum_elsewhere_is_opposite_and_a_monotone_curve_has_no_v():
    monotone = {0.0: [0.50, 0.51, 0.49], 1e-3: [0.48, 0.49, 0.47], 5e-3: [0.46, 0.47, 0.45], 1e-2: [0.44, 0.45, 0.43],
                0.1: [0.40, 0.41, 0.39], 0.3: [0.38, 0.39, 0.37], 1.0: [0.55, 0.56, 0.54]}
    claims = by_claim(verdicts.compare_claims(fake_runs("cifar10", monotone, prior=0.55), resolve_profile("cpu")))
    assert claims[MINIMUM_CLAIM] == verdicts.OPPOSITE  # the minimum sits at 0.3 in every resample


def test_verdict_counts_group_both_within_noise_verdicts():
    claims = pd.DataFrame({"verdict": [verdicts.REPRODUCED, verdicts.SAME_WITHIN_NOISE, "opposite direction, within noise",
                                       verdicts.OPPOSITE, verdicts.NOT_RUN, verdicts.NOT_RUN]})
    assert verdicts.verdict_counts(claims) == {"reproduced": 1, "within noise": 2, "opposite": 1, "not run": 2}


def test_figures_and_tables_are_saved_as_png_pdf_csv_md(tmp_path, monkeypatch):
    monkeypatch.setenv("IMLP_OUTPUT_DIR", str(tmp_path))
    runs = fake_runs("synthetic", {0.0: 0.3, 0.01: 0.2, 1.0: 0.4}, prior=0.4)
    fig = figures.alpha_sweep_figure(runs, "test", paper.FIGURE_2_EXTREMA[:1])
    assert [p.name for p in figures.save_figure(fig, "t_fig")] == ["t_fig.png", "t_fig.pdf"]
    assert fig.axes[0].get_ylabel() == "test accuracy (%)"
    table = verdicts.ours_table(runs, paper.TABLE_1A, resolve_profile("smoke"))
    assert table.iloc[0, 0] == "30.00 (1 seed)"  # one seed: the mean only
    paths = findings.save_table(table, "t_table")
    assert [p.suffix for p in paths] == [".csv", ".md"] and all(p.is_file() for p in paths)


def test_accumulated_share_is_one_minus_the_kept_product():
    epochs = figures.epoch_frame(fake_runs("cifar10", {0.01: 0.5}, prior=0.5, epochs=3))
    assert epochs["share"].tolist() == pytest.approx([1 - 0.99, 1 - 0.99 ** 2, 1 - 0.99 ** 3])
    points = paper.paper_share_points()
    assert points.loc[points.alpha == 0.01, "share"].iloc[0] == pytest.approx(1 - 0.99 ** 100)


def test_difference_sentence_says_who_is_ahead_and_whether_beyond_noise():
    ahead = findings.difference_sentence("the S-CNN", "the S-MLP", st.t_interval([6.0, 7.0, 8.0]))
    assert ahead.startswith("the S-CNN is ahead of the S-MLP: +7.00 [") and ahead.endswith("beyond noise")
    behind = findings.difference_sentence("a", "b", st.t_interval([-6.0, -7.0, -8.0]))
    assert "is behind b: -7.00" in behind and behind.endswith("beyond noise")
    assert findings.difference_sentence("a", "b", st.t_interval([1.0, -1.0, 2.0])).endswith("within noise")


def test_sweep_findings_name_the_prior_and_the_smlp_the_right_way_round():
    text = findings.sweep_findings(fake_runs("cifar10", GRID, prior=[0.60, 0.61, 0.59]), paper.FIGURE_2_EXTREMA[:1])
    assert "the S-CNN is ahead of the S-MLP (α = 0): +10.00" in text
    assert "below both ends beyond noise, as in the paper" in text
    assert "**reproduced**" in text and "3 seeds" in text


def test_profile_note_says_when_cifar100_is_skipped():
    note = notebook.profile_note(resolve_profile("cpu"), "cnn")
    assert "CIFAR-100 is skipped in this profile" in note
    assert "skipped" not in notebook.profile_note(replace(resolve_profile("paper"), skipped=""), "cnn")


def v_curve(ends: tuple[list[float], list[float]], at: dict[float, list[float]], elsewhere: float = 40.0,
            alphas: tuple[float, ...] = (1e-3, 5e-3, 5e-2, 0.5)) -> pd.DataFrame:
    """Three seeds of a constant-α sweep in %: α = 0 and α = 1 from ``ends``, the α of ``at`` as given, every other
    interior α of ``alphas`` at ``elsewhere`` (well above the rest, so never the minimum)."""
    accuracies = {0.0: ends[0], 1.0: ends[1], **{a: at.get(a, [elsewhere] * 3) for a in alphas}}
    return fake_runs("cifar10", {a: [v / 100 for v in values] for a, values in accuracies.items()}, 0.5)


ENDS = ([30.0, 31.0, 32.0], [36.0, 37.0, 38.0])


@pytest.mark.parametrize("target, verdict", [(5e-3, st.REPRODUCED), (2.5e-3, st.REPRODUCED), (1e-2, st.REPRODUCED),
                                             (2.49e-3, st.OPPOSITE), (1.01e-2, st.OPPOSITE)])
def test_a_turn_is_placed_within_a_factor_of_two_inclusive(target, verdict):
    runs = v_curve(ENDS, {5e-3: [25.0, 26.5, 26.8]})  # 5e-3 is the minimum in every resample, 4.5-5.2 below α = 0
    ours, got = verdicts.judge_minimum(runs, target)
    assert got == verdict
    assert ours.startswith("minimum over resamples at α ∈ {0.005}; drop below both ends: α = 0.005: -")


def test_a_turn_whose_drop_below_the_ends_straddles_zero_is_within_noise():
    runs = v_curve(ENDS, {5e-3: [25.0, 32.0, 29.0]})  # drops -5, +1, -3: the mean below zero, the interval across it
    assert verdicts.judge_minimum(runs, 5e-3)[1] == st.SAME_WITHIN_NOISE


def test_a_turn_significantly_above_an_end_is_opposite_even_where_the_paper_puts_it():
    runs = v_curve(ENDS, {5e-3: [33.0, 34.5, 35.2]})  # the interior minimum, but 3-3.2 points above α = 0 per seed
    assert verdicts.judge_minimum(runs, 5e-3)[1] == st.OPPOSITE


@pytest.mark.parametrize("target, verdict", [(2e-3, st.REPRODUCED), (4e-3, st.SAME_WITHIN_NOISE),
                                             (1e-2, st.OPPOSITE)])
def test_a_turn_shared_by_two_alphas_is_reproduced_only_if_both_are_near(target, verdict):
    # 1e-3 is the lowest in seed 0, 2e-3 in seed 1, 3e-3 (less deep) in seed 2: no α is the minimum in more
    # than half of the resamples, 1e-3 and 2e-3 together are; every drop below α = 0 is 6-10 points.
    dips = {1e-3: [24.0, 27.0, 27.0], 2e-3: [27.0, 24.0, 27.0], 3e-3: [27.0, 27.0, 25.0]}
    runs = v_curve(([33.0, 34.0, 35.0], ENDS[1]), dips, alphas=(1e-3, 2e-3, 3e-3, 0.5))
    ours, got = verdicts.judge_minimum(runs, target)
    assert ours.startswith("minimum over resamples at α ∈ {0.001, 0.002}")
    assert got == verdict


def test_a_turn_needs_three_interior_alphas():
    runs = v_curve(ENDS, {5e-3: [25.0, 26.5, 26.8]}, alphas=(5e-3, 0.5))
    assert verdicts.judge_minimum(runs, 5e-3) == ("—", st.NOT_RUN)
    three = v_curve(ENDS, {5e-3: [25.0, 26.5, 26.8]}, alphas=(1e-3, 5e-3, 0.5))
    assert verdicts.judge_minimum(three, 5e-3)[1] == st.REPRODUCED


def test_a_turn_names_every_alpha_with_its_signed_drop():
    above = verdicts.judge_minimum(v_curve(ENDS, {5e-3: [33.0, 34.5, 35.2]}), 5e-3)[0]
    assert above.endswith("α = 0.005: +3.23 [+2.61, +3.86] (3 seeds)")  # drops +3, +3.5, +3.2
    dips = {1e-3: [24.0, 27.0, 27.0], 2e-3: [27.0, 24.0, 27.0], 3e-3: [27.0, 27.0, 25.0]}
    shared = verdicts.judge_minimum(v_curve(([33.0, 34.0, 35.0], ENDS[1]), dips, alphas=(1e-3, 2e-3, 3e-3, 0.5)), 2e-3)[0]
    assert "drop below both ends: α = 0.001: -" in shared and " (3 seeds); α = 0.002: -" in shared


BUMP_ALPHAS = (1e-4, 5e-4, 1e-3, 1e-2, 0.5)


@pytest.mark.parametrize("bump, verdict", [([43.0, 44.0, 43.5], st.REPRODUCED),  # 3-4 points above both neighbours
                                           ([41.0, 39.5, 40.8], st.SAME_WITHIN_NOISE),  # +1, -0.5, +0.8 over 40
                                           ([39.0, 40.5, 39.2], st.OPPOSITE_WITHIN_NOISE),
                                           ([37.0, 36.5, 37.5], st.OPPOSITE)])  # below both neighbours in every seed
def test_a_local_maximum_is_judged_by_its_height_above_the_higher_neighbour(bump, verdict):
    runs = v_curve(ENDS, {5e-4: bump}, alphas=BUMP_ALPHAS)
    ours, got = verdicts.judge_local_maximum(runs, 5e-4)
    assert got == verdict
    assert ours.startswith("height above both neighbours: α = 0.0005: ")


def test_a_local_maximum_counts_when_any_nearby_alpha_stands_out():
    runs = v_curve(ENDS, {5e-4: [37.0, 36.5, 37.5], 1e-3: [45.0, 46.0, 45.5]}, alphas=BUMP_ALPHAS)
    ours, got = verdicts.judge_local_maximum(runs, 7e-4)  # 5e-4 is below its neighbours, 1e-3 stands out
    assert got == st.REPRODUCED and "α = 0.0005" in ours and "α = 0.001" in ours


def test_a_local_maximum_needs_an_interior_grid_point_near_it_and_five_alphas():
    runs = v_curve(ENDS, {5e-4: [43.0, 44.0, 43.5]}, alphas=BUMP_ALPHAS)
    assert verdicts.judge_local_maximum(runs, 2.5e-4)[1] == st.REPRODUCED  # 5e-4 is exactly 2x away
    assert verdicts.judge_local_maximum(runs, 1e-4)[1] == st.OPPOSITE  # only 1e-4, 3-4 points below 5e-4
    assert verdicts.judge_local_maximum(runs, 2.4e-4) == ("—", st.NOT_RUN)  # 1e-4 and 5e-4 both over 2x away
    assert verdicts.judge_local_maximum(runs, 5e-2) == ("—", st.NOT_RUN)  # no grid α within 2x of it
    few = v_curve(ENDS, {5e-4: [43.0, 44.0, 43.5]}, alphas=(5e-4, 1e-3))
    assert verdicts.judge_local_maximum(few, 5e-4) == ("—", st.NOT_RUN)  # four α: too few to see a turn
    five = v_curve(ENDS, {5e-4: [43.0, 44.0, 43.5]}, alphas=(5e-4, 1e-3, 1e-2))
    assert verdicts.judge_local_maximum(five, 5e-4)[1] == st.REPRODUCED  # five are enough
    last = v_curve(ENDS, {0.5: [43.0, 44.0, 43.5]}, alphas=BUMP_ALPHAS)
    assert verdicts.judge_local_maximum(last, 0.5)[1] == st.REPRODUCED  # the α next to 1 has both neighbours
    no_zero = runs[runs["alpha"] != 0.0]  # 1e-4 is then the first α: it has no left neighbour, so it is no turn
    assert verdicts.judge_local_maximum(no_zero, 1e-4) == ("—", st.NOT_RUN)
