"""The paper's numbers as data, the verdicts on them (imlp_core.verdicts: every registered claim and every printed
number on hand-made runs), the headline counts, and the figure, finding and table helpers (no training)."""

from __future__ import annotations

import math
from dataclasses import replace

import pandas as pd
import pytest

from imlp_core import figures, findings, notebook, paper, verdicts
from imlp_core import statistics as st
from imlp_core.claims import CLAIMS, Role, claim, claims_at
from imlp_core.profiles import resolve_profile
from imlp_core.statistics import Kind, Verdict


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


def test_scale_of_a_profile():
    assert verdicts.scale_of(resolve_profile("paper")) == "paper"
    assert verdicts.scale_of(resolve_profile("cpu")) == verdicts.scale_of(resolve_profile("smoke")) == "laptop"


# ---------------------------------------------------------------------------------------------
# Printed numbers


def numbers_by_row(numbers: list[verdicts.NumberVerdict]) -> dict[tuple[str, str, str], verdicts.NumberVerdict]:
    return {(n.number.source, n.number.row, n.number.dataset): n for n in numbers}


NUMBER_RUNS = {0.0: [0.5830, 0.5836, 0.5842], 0.01: [0.40, 0.41, 0.42], 1.0: [0.55, 0.62, 0.69]}


def test_numbers_are_reproduced_only_when_our_interval_lies_within_the_tolerance():
    """Table 1(a), CIFAR-10: α = 0 prints 58.36 ± 0.44 (tolerance max(2σ, 1) = 1), α = 0.01 51.50 ± 0.86, α = 1 62.14 ± 1.02,
    the S-CNN 62.60 ± 1.20."""
    runs = fake_runs("cifar10", NUMBER_RUNS, prior=[0.626, 0.626, 0.626])
    row = numbers_by_row(verdicts.number_verdicts(runs, resolve_profile("paper")))
    smlp = row["Table 1(a)", "I-MLP (α = 0.0)", "CIFAR-10"]
    assert smlp.kind is Kind.REPRODUCED and smlp.tolerance == 1.0 and smlp.ours.n == 3
    half = st.t_interval([58.30, 58.36, 58.42]).half_width
    assert half < 1.0 - 0.06  # by hand: 4.303 × 0.06 / √3 = 0.149
    assert row["Table 1(a)", "S-CNN", "CIFAR-10"].kind is Kind.REPRODUCED  # no spread: zero width on the spot
    assert row["Table 1(a)", "I-MLP (α = 0.01)", "CIFAR-10"].kind is Kind.EXCLUDES_EFFECT
    assert row["Table 1(a)", "I-MLP (α = 0.01)", "CIFAR-10"].ours.mean == pytest.approx(41.0)
    assert row["Table 1(a)", "I-MLP (α = 1.0)", "CIFAR-10"].kind is Kind.CANNOT_TELL  # wider than ± 2.04
    assert row["Table 1(a)", "S-CNN", "CIFAR-100"].kind is Kind.NOT_RUN  # the paper profile's CIFAR-100: no runs
    assert row["Table 1(b)", "MLP-Mixer", "CIFAR-10"].kind is Kind.NOT_RUN  # no mixer runs given


def test_numbers_are_not_compared_at_another_budget():
    runs = fake_runs("cifar10", NUMBER_RUNS, prior=[0.626, 0.626, 0.626])
    row = numbers_by_row(verdicts.number_verdicts(runs, resolve_profile("cpu")))
    assert row["Table 1(a)", "I-MLP (α = 0.0)", "CIFAR-10"].kind is Kind.NOT_COMPARED
    assert row["Table 1(a)", "I-MLP (α = 0.01)", "CIFAR-10"].kind is Kind.NOT_COMPARED
    assert row["Table 1(a)", "S-CNN", "CIFAR-100"].kind is Kind.NOT_RUN  # cpu skips CIFAR-100
    assert row["Table 1(a)", "S-CNN", "CIFAR-100"].dataset is None


def test_one_seed_on_the_paper_is_not_reproduced():
    numbers = verdicts.number_verdicts(fake_runs("cifar10", {0.0: 0.5836}, prior=0.626), resolve_profile("paper"))
    row = numbers_by_row(numbers)
    assert row["Table 1(a)", "I-MLP (α = 0.0)", "CIFAR-10"].kind is Kind.ONE_SEED
    assert Kind.REPRODUCED not in {n.kind for n in numbers}


def test_synthetic_runs_are_never_judged_against_cifar():
    runs = fake_runs("synthetic", {0.0: 0.5836, 0.01: 0.5150, 1.0: 0.6214}, prior=0.626)
    smoke = resolve_profile("smoke")
    assert {n.kind for n in verdicts.number_verdicts(runs, smoke)} == {Kind.NOT_RUN}
    assert {v.kind for v in verdicts.claim_verdicts(runs, smoke)} == {Kind.NOT_RUN}
    assert verdicts.runs_by_role(runs, smoke) == {}


# ---------------------------------------------------------------------------------------------
# The registered claims on hand-made runs


GRID = {0.0: [0.50, 0.51, 0.49], 1e-3: [0.47, 0.48, 0.47], 5e-3: [0.44, 0.45, 0.43], 1e-2: [0.45, 0.46, 0.44],
        0.1: [0.46, 0.47, 0.45], 1.0: [0.48, 0.49, 0.47]}


def by_id(judged: list[Verdict]) -> dict[str, Verdict]:
    return {v.claim.id: v for v in judged}


def test_a_consistent_v_with_the_prior_behind_is_reproduced_and_opposite():
    judged = by_id(verdicts.claim_verdicts(fake_runs("cifar10", GRID, prior=[0.48, 0.49, 0.47]), resolve_profile("cpu")))
    assert set(judged) == {c.id for c in claims_at("laptop")}
    v = judged["t1a-v-c10"]  # α = 0 − α = 0.01: +5 on every seed; α = 1 − α = 0.01: +3
    assert v.kind is Kind.REPRODUCED and v.role is Role.CONFIRMATORY
    assert [c.interval.mean for c in v.contrasts] == pytest.approx([5.0, 3.0])
    assert not v.compares_effect and all(c.effect is None for c in v.contrasts)  # laptop: the direction only
    prior = judged["t1a-prior-c10"]  # the prior 2 points behind α = 0 on every seed: a premise, not counted
    assert prior.kind is Kind.OPPOSITE and prior.role is Role.PREMISE and not prior.counted
    assert judged["f2-cnn-min"].kind is Kind.REPRODUCED  # min(50, 48) − 44 = 4 on every seed
    assert judged["f2-cnn-turn"].kind is Kind.REPRODUCED and 5e-3 in judged["f2-cnn-turn"].located
    assert judged["identity-cnn"].kind is Kind.REPRODUCED  # α = 1 equals the prior on every seed
    assert judged["t1b-v-c10"].kind is Kind.NOT_RUN and judged["t4-linear"].kind is Kind.NOT_RUN
    assert judged["held-cnn-prior"].kind is Kind.NOT_RUN  # judged on seeds 3-7 only: seeds 0-2 never count


def test_one_seed_reversing_a_claim_leaves_it_undecided():
    grid = {**GRID, 1e-2: [0.45, 0.46, 0.52]}  # seed 2: alpha = 0.01 above both ends
    judged = by_id(verdicts.claim_verdicts(fake_runs("cifar10", grid, prior=[0.52, 0.53, 0.47]), resolve_profile("cpu")))
    assert judged["t1a-v-c10"].kind is Kind.SAME_SIGN  # the means are below both ends, an interval crosses 0
    assert judged["t1a-v-c10"].seeds_needed is not None and not judged["t1a-v-c10"].decided
    assert judged["t1a-prior-c10"].kind is Kind.SAME_SIGN  # +2, +2, −2


def test_a_claim_on_one_seed_has_no_verdict():
    one_seed = {alpha: values[0] for alpha, values in GRID.items()}
    judged = by_id(verdicts.claim_verdicts(fake_runs("cifar10", one_seed, prior=0.48), resolve_profile("cpu")))
    for id in ("t1a-v-c10", "t1a-prior-c10", "f2-cnn-min", "f2-cnn-turn"):
        assert judged[id].kind is Kind.ONE_SEED and judged[id].seeds == 1, id


def test_the_papers_effect_is_compared_at_the_paper_scale():
    """At the paper's scale the V of Table 1(a) prints +6.86 (tolerance 1.94) and +10.64 (2.66): a V of +5 and +3
    points on every seed lies on the paper's side but excludes both effects."""
    runs = fake_runs("cifar10", GRID, prior=[0.48, 0.49, 0.47])
    judged = by_id(verdicts.claim_verdicts(runs, resolve_profile("paper")))
    v = judged["t1a-v-c10"]
    assert v.kind is Kind.EXCLUDES_EFFECT and v.compares_effect
    assert [c.effect.mean for c in v.contrasts] == pytest.approx([58.36 - 51.50, 62.14 - 51.50])
    assert judged["t1a-prior-c10"].role is Role.CONFIRMATORY  # a claim at the paper's scale, not a premise
    assert "held-cnn-prior" not in judged  # the held-out findings are judged at the laptop scale only


# ---------------------------------------------------------------------------------------------
# The headline counts


def test_verdict_counts_sum_to_the_confirmatory_claims_over_every_kind():
    laptop = claims_at("laptop")
    kinds = list(Kind)
    mix = [Verdict(c, "laptop", kinds[i % len(kinds)], (), 3, False) for i, c in enumerate(laptop)]
    counts = verdicts.verdict_counts(mix)
    assert list(counts) == list(st.COUNTED)
    assert sum(counts.values()) == len(claims_at("laptop", Role.CONFIRMATORY))
    assert sum(verdicts.verdict_counts(mix, role=None).values()) == len(laptop)
    assert sum(verdicts.verdict_counts(mix, role=Role.PREMISE).values()) == len(claims_at("laptop", Role.PREMISE))
    # by hand: one of each kind among the confirmatory claims in turn
    confirmatory = [v.kind for v in mix if v.role is Role.CONFIRMATORY]
    assert counts["reproduced"] == confirmatory.count(Kind.REPRODUCED)
    assert counts["opposite"] == confirmatory.count(Kind.OPPOSITE)
    assert counts["not run"] == confirmatory.count(Kind.NOT_RUN) + confirmatory.count(Kind.NOT_COMPARED)


@pytest.mark.parametrize("profile", ["cpu", "paper"])
def test_the_registry_judged_on_an_empty_store_is_not_run_and_sums(profile):
    empty = fake_runs("cifar10", {0.0: 0.5}, prior=0.5).iloc[:0]
    judged = verdicts.claim_verdicts(empty, resolve_profile(profile))
    scale = verdicts.scale_of(resolve_profile(profile))
    assert len(judged) == len(claims_at(scale)) and {v.kind for v in judged} == {Kind.NOT_RUN}
    counts = verdicts.verdict_counts(judged)
    assert counts == {**dict.fromkeys(st.COUNTED, 0), "not run": len(claims_at(scale, Role.CONFIRMATORY))}


def test_verdict_counts_on_judged_runs_sum_to_the_total():
    runs = fake_runs("cifar10", {**GRID, 1e-2: [0.45, 0.46, 0.52]}, prior=[0.52, 0.53, 0.47])
    for profile in ("cpu", "paper"):
        judged = verdicts.claim_verdicts(runs, resolve_profile(profile))
        assert sum(verdicts.verdict_counts(judged).values()) == sum(v.counted for v in judged)
        assert sum(verdicts.verdict_counts(judged, role=None).values()) == len(judged)


def test_every_claim_has_a_role_at_some_scale():
    assert all(c.role("laptop") or c.role("paper") for c in CLAIMS)
    assert claim("f2-cnn-turn").role("laptop") is Role.EXPLORATORY


# ---------------------------------------------------------------------------------------------
# Figures, tables, sentences


def test_figures_and_tables_are_saved_as_png_pdf_csv_md(tmp_path):
    runs = fake_runs("synthetic", {0.0: 0.3, 0.01: 0.2, 1.0: 0.4}, prior=0.4)
    fig = figures.alpha_sweep_figure(runs, "test", paper.FIGURE_2_EXTREMA[:1])
    assert [p.name for p in figures.save_figure(fig, "t_fig", tmp_path)] == ["t_fig.png", "t_fig.pdf"]
    assert fig.axes[0].get_ylabel() == "test accuracy (%)"
    table = verdicts.ours_table(runs, paper.TABLE_1A, resolve_profile("smoke"))
    assert table.iloc[0, 0] == "30.00 (1 seed)"  # one seed: the mean only
    paths = findings.save_table(table, "t_table", tmp_path)
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
    text = findings.sweep_findings(fake_runs("cifar10", GRID, prior=[0.60, 0.61, 0.59]))
    assert "the S-CNN is ahead of the S-MLP (α = 0): +10.00" in text
    assert "`t1a-v-c10`" in text and "**reproduced** (confirmatory)" in text and "3 seeds" in text
    behind = findings.sweep_findings(fake_runs("cifar10", GRID, prior=[0.40, 0.41, 0.39]))
    assert "the S-CNN is behind the S-MLP (α = 0): -10.00" in behind


def test_profile_note_says_when_cifar100_is_skipped():
    note = notebook.profile_note(resolve_profile("cpu"), "cnn")
    assert "CIFAR-100 is skipped in this profile" in note
    assert "skipped" not in notebook.profile_note(replace(resolve_profile("paper"), skipped=""), "cnn")


def test_ours_table_says_not_run_for_a_skipped_role():
    runs = fake_runs("cifar10", NUMBER_RUNS, prior=0.626)
    table = verdicts.ours_table(runs, paper.TABLE_1A, resolve_profile("cpu"))
    assert table.loc["I-MLP (α = 0.0)", "CIFAR-10 (ours: cifar10)"] == st.format_interval(
        st.t_interval([58.30, 58.36, 58.42]))
    assert set(table["CIFAR-100 (ours: skipped)"]) == {"not run in this profile"}
    assert math.isnan(st.t_interval([]).mean)
