"""The paper's numbers as data, the verdicts on them (imlp_core.reading.verdicts: every registered claim and every printed
number on hand-made runs), the headline counts, and the figure, finding and table helpers (no training)."""

from __future__ import annotations

import math
from dataclasses import replace

import pandas as pd
import pytest
from test_prose_findings import registry, sweep_findings

from imlp_core import figures, notebook
from imlp_core.reading import summaries, paper, prose, verdicts
from imlp_core.reading import inference as st
from imlp_core.reading.claims import CLAIMS, Claim, Role, claim, claims_at
from imlp_core.profiles import resolve_profile
from imlp_core.reading.inference import Kind, Verdict


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
    paths = summaries.save_table(table, "t_table", tmp_path)
    assert [p.suffix for p in paths] == [".csv", ".md"] and all(p.is_file() for p in paths)


def test_accumulated_share_is_one_minus_the_kept_product():
    epochs = figures.epoch_frame(fake_runs("cifar10", {0.01: 0.5}, prior=0.5, epochs=3))
    assert epochs["share"].tolist() == pytest.approx([1 - 0.99, 1 - 0.99 ** 2, 1 - 0.99 ** 3])
    points = paper.paper_share_points()
    assert points.loc[points.alpha == 0.01, "share"].iloc[0] == pytest.approx(1 - 0.99 ** 100)


def test_difference_sentence_says_who_is_ahead_and_whether_beyond_noise():
    ahead = prose.difference_sentence("the S-CNN", "the S-MLP", st.t_interval([6.0, 7.0, 8.0]))
    assert ahead.startswith("the S-CNN is ahead of the S-MLP: +7.00 [") and ahead.endswith("beyond noise, uncorrected")
    behind = prose.difference_sentence("a", "b", st.t_interval([-6.0, -7.0, -8.0]))
    assert "is behind b: -7.00" in behind and behind.endswith("beyond noise, uncorrected")
    assert prose.difference_sentence("a", "b", st.t_interval([1.0, -1.0, 2.0])).endswith("within noise")


def test_sweep_findings_name_the_prior_and_the_smlp_the_right_way_round():
    ahead_runs = fake_runs("cifar10", GRID, prior=[0.60, 0.61, 0.59]).assign(profile="cpu")
    text = sweep_findings(ahead_runs, registry(ahead_runs))
    assert "the S-CNN is ahead of the S-MLP (α = 0): +10.00" in text
    assert "`t1a-v-c10`" in text and "**reproduced** (confirmatory;" in text and "3 seeds" in text
    behind_runs = fake_runs("cifar10", GRID, prior=[0.40, 0.41, 0.39]).assign(profile="cpu")
    behind = sweep_findings(behind_runs, registry(behind_runs))
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


# ---------------------------------------------------------------------------------------------
# Edges the mutants found (issue 29): hand-made runs, expected values by hand

CPU = resolve_profile("cpu")


def rows(*specs: tuple, experiment: str = "schedules", prior: str = "cnn", dataset: str = "cifar10") -> pd.DataFrame:
    """Runs in the order given: (seed, schedule, alpha, k, test accuracy in %, the prior's in %)."""
    return pd.DataFrame([{"experiment": experiment, "prior": prior, "dataset": dataset, "seed": seed,
                          "schedule": schedule, "alpha": alpha, "k": k, "test_acc": acc / 100,
                          "prior_test_acc": prior_acc / 100}
                         for seed, schedule, alpha, k, acc, prior_acc in specs])


def test_claim_verdicts_judges_only_the_given_claims_that_have_a_role_at_the_scale():
    paper_only = replace(claim("t1a-v-c10"), id="paper-only", roles={"paper": Role.CONFIRMATORY})
    runs = fake_runs("cifar10", NUMBER_RUNS, prior=0.626)
    judged = verdicts.claim_verdicts(runs, CPU, (claim("t1a-prior-c10"), paper_only))
    assert [v.claim.id for v in judged] == ["t1a-prior-c10"]
    assert judged[0].kind is Kind.REPRODUCED  # "the prior beats the S-MLP": 62.6 − 58.30, 58.36, 58.42 = 4.3, 4.24, 4.18


def test_select_runs_reads_the_numbers_schedule_and_k():
    constant, k4 = paper.TABLE_4[2], paper.TABLE_4[6]  # constant α = 0.5; decay a = 0.5, k = 4
    runs = rows(*[(s, "test-time", 0.5, 0.0, 48.0 + s, 62.0) for s in (0, 1)],
                *[(s, "decay", 0.5, 2.0, 54.0 + s, 62.0) for s in (0, 1)],
                *[(s, "decay", 0.5, 4.0, 60.0 + s, 62.0) for s in (0, 1)],
                *[(s, "constant", 0.5, 0.0, 61.0 + s, 62.0) for s in (0, 1)])
    assert verdicts.select_runs(runs, constant, "cifar10").to_dict() == pytest.approx({0: 61.0, 1: 62.0})
    assert verdicts.select_runs(runs, k4, "cifar10").to_dict() == pytest.approx({0: 60.0, 1: 61.0})
    empty = verdicts.select_runs(runs.iloc[:0], constant, "cifar10")
    assert empty.empty and empty.dtype == float


def test_number_tolerance_is_two_sigma_at_least_one_point():
    number = paper.TABLE_4[2]
    assert verdicts.number_tolerance(replace(number, std=None)) == 1.0
    assert verdicts.number_tolerance(replace(number, std=0.3)) == 1.0
    assert verdicts.number_tolerance(replace(number, std=0.97)) == pytest.approx(1.94)


def test_number_verdicts_say_the_dataset_they_read():
    numbers = verdicts.number_verdicts(fake_runs("cifar10", NUMBER_RUNS, prior=0.626), CPU)
    assert {n.dataset for n in numbers if n.number.dataset == "CIFAR-10"} == {"cifar10"}
    assert {n.dataset for n in numbers if n.number.dataset == "CIFAR-100"} == {None}  # skipped by the cpu profile


def test_ours_table_says_not_run_for_a_number_without_runs_and_names_its_index():
    runs = fake_runs("cifar10", {0.0: NUMBER_RUNS[0.0]}, prior=0.626)  # no α = 0.01, no α = 1
    table = verdicts.ours_table(runs, paper.TABLE_1A, CPU)
    assert table.index.name == "model"
    assert table.loc["I-MLP (α = 1.0)", "CIFAR-10 (ours: cifar10)"] == "not run in this profile"
    assert table.loc["I-MLP (α = 0.0)", "CIFAR-10 (ours: cifar10)"].startswith("58.36 [")


def test_as_cnn_sweeps_numbers_the_rows_afresh():
    frame = rows((0, "constant", 0.0, 0.0, 50.0, 60.0), (1, "constant", 0.0, 0.0, 51.0, 60.0)).set_axis([5, 7])
    sweeps = verdicts.as_cnn_sweeps(frame)
    assert list(sweeps.index) == [0, 1, 2, 3] and list(sweeps["experiment"]) == ["cnn", "cnn", "schedules", "schedules"]


def test_drop_below_ends_of_an_alpha_not_run_is_empty():
    runs = rows(*[(s, "constant", a, 0.0, acc, 60.0) for a, accs in {0.0: (50.0, 52.0), 0.5: (40.0, 41.0),
                                                                        1.0: (55.0, 51.0)}.items()
                  for s, acc in enumerate(accs)])
    drop = verdicts.drop_below_ends(runs, 0.5)  # 40 − 50, 41 − 51
    assert (drop.mean, drop.n) == pytest.approx((-10.0, 2))
    assert verdicts.drop_below_ends(runs, 0.7).n == 0 and verdicts.drop_below_ends(runs.iloc[:0], 0.5).n == 0


def open_runs(option: str = "default", alphas=(0.0, 0.5, 1.0)) -> pd.DataFrame:
    """Two seeds of one option value: constant α at 50 + 10 α + seed %, the prior at 60 %."""
    return rows(*[(s, "constant", a, 0.0, 50.0 + 10 * a + s, 60.0) for a in alphas for s in (0, 1)]).assign(
        option=option)


def test_option_verdicts_judge_at_the_laptops_scale_by_default_and_without_an_end():
    default = verdicts.option_verdicts(open_runs())
    assert {v.scale for v in default.claims.values()} == {"laptop"}
    assert (default.smlp.mean, default.smlp.n) == pytest.approx((50.5, 2)) and default.one_minus_prior.mean == pytest.approx(0.5)
    no_one = verdicts.option_verdicts(open_runs(alphas=(0.0, 0.5)))
    assert (no_one.smlp.mean, no_one.smlp.n) == pytest.approx((50.5, 2)) and no_one.one_minus_prior.n == 0
    no_zero = verdicts.option_verdicts(open_runs(alphas=(0.5, 1.0)))
    assert no_zero.smlp.n == 0 and no_zero.one_minus_prior.n == 2


def test_option_table_keeps_a_lone_option_and_passes_the_scale_on():
    assert list(verdicts.option_table(open_runs("lr = 0.1"))) == ["lr = 0.1"]
    assert {v.scale for v in verdicts.option_table(open_runs())["default"].claims.values()} == {"laptop"}
    assert {v.scale for v in verdicts.option_table(open_runs(), "paper")["default"].claims.values()} == {"paper"}


def test_claims_by_option_judge_at_the_profiles_scale_in_the_order_run():
    runs = pd.concat([open_runs("z"), open_runs("a")], ignore_index=True)
    by_option = verdicts.claims_by_option(runs, CPU)
    assert list(by_option) == ["z", "a"]
    assert {v.scale for vs in by_option.values() for v in vs} == {"laptop"}


@pytest.mark.parametrize("run", [{"prior": "cnn"}, {"prior": "cnn", "layers": None},
                                 {"prior": "cnn", "layers": float("nan")}])
def test_a_known_prior_without_a_layer_selection_interpolates_its_head(run):
    assert verdicts.interpolates_head(pd.Series(run, dtype=object)) is True


def test_hidden_layer_balance_reads_every_run_after_one_without_drift():
    history = [{"epoch": 1, "drift": [0.2, 0.1, 0.3], "gap": [2.0, 1.0, 3.0]}]
    runs = pd.DataFrame([{"option": "default", "seed": seed, "schedule": "constant", "alpha": 0.0,
                          "history": [{"epoch": 1}] if seed == 0 else history} for seed in (0, 1, 2)])
    balance = verdicts.hidden_layer_balance(runs)
    assert balance[["seed", "layer"]].values.tolist() == [[1, "layer 1"], [1, "layer 2"], [2, "layer 1"],
                                                          [2, "layer 2"]]
    assert list(balance.index) == [0, 1, 2, 3] and balance["balance α"].tolist() == pytest.approx([0.1, 0.1] * 2)


def test_schedule_differences_pair_the_right_runs():
    runs = rows((0, "constant", 0.5, 0.0, 60.0, 62.0), (0, "decay", 0.0, 1.0, 30.0, 62.0),
                (0, "constant", 0.0, 0.0, 58.0, 62.0), (0, "test-time", 0.5, 0.0, 48.0, 62.0),
                (1, "constant", 0.5, 0.0, 62.0, 63.0), (1, "decay", 0.0, 1.0, 31.0, 63.0),
                (1, "test-time", 0.1, 0.0, 20.0, 63.0), (1, "constant", 0.0, 0.0, 59.0, 63.0),
                (1, "test-time", 0.5, 0.0, 50.0, 63.0))
    d = verdicts.schedule_differences(runs)
    assert d.alpha == 0.5
    assert (d.test_time_minus_none.mean, d.test_time_minus_none.n) == pytest.approx((-9.5, 2))  # 48 − 58, 50 − 59
    assert (d.test_time_minus_prior.mean, d.test_time_minus_prior.n) == pytest.approx((-13.5, 2))  # 48 − 62, 50 − 63
    assert (d.constant_minus_none.mean, d.constant_minus_none.n) == pytest.approx((2.5, 2))  # 60 − 58, 62 − 59
    assert list(d.decays) == [1.0] and (d.decays[1.0].mean, d.decays[1.0].n) == pytest.approx((30.5, 2))
    without = verdicts.schedule_differences(runs[runs["schedule"] != "test-time"])
    assert without.alpha == 0.5 and without.test_time_minus_none.n == 0
    one = verdicts.schedule_differences(pd.concat([runs[runs["schedule"] != "test-time"], runs.iloc[[3]]]))
    assert one.alpha == 0.5 and (one.test_time_minus_none.mean, one.test_time_minus_none.n) == pytest.approx((-10.0, 1))


def test_first_layer_differences_take_alpha_zero_as_the_baseline():
    runs = rows(*[(s, "constant", a, 0.0, acc + s, 60.0) for a, acc in ((0.5, 55.0), (0.0, 50.0)) for s in (0, 1)],
                experiment="first_layer")
    d = verdicts.first_layer_differences(runs, ("cnn",), 0.5)
    assert (d.baseline["cnn"].mean, d.gain["cnn"].mean, d.gain["cnn"].n) == pytest.approx((50.5, 5.0, 2))


def test_scale_of_runs_is_the_papers_only_where_the_paper_profile_trained_them():
    runs = fake_runs("cifar10", {0.0: 0.5}, prior=0.6)
    assert verdicts.scale_of_runs(runs) == "laptop"
    assert verdicts.scale_of_runs(runs.assign(profile="cpu")) == "laptop"
    assert verdicts.scale_of_runs(runs.assign(profile=["paper"])) == "paper"


def test_notebook_claim_verdicts_of_a_notebook_without_claims_is_empty():
    runs = fake_runs("cifar10", {0.0: [0.5, 0.51], 0.01: [0.45, 0.47]}, prior=[0.6, 0.61])
    assert verdicts.notebook_claim_verdicts(runs, "open_choices") == []
    judged = verdicts.notebook_claim_verdicts(runs, "cnn")
    assert [v.claim.id for v in judged] == ["t1a-v-c10", "f2-cnn-min", "f2-cnn-turn"]
    assert {v.scale for v in judged} == {"laptop"}


def test_sweep_differences_read_constant_alpha_and_leave_alpha_one_out_where_not_run():
    runs = rows((0, "test-time", 0.0, 0.0, 30.0, 60.0), (0, "constant", 0.0, 0.0, 50.0, 60.0),
                (1, "test-time", 0.0, 0.0, 31.0, 62.0), (1, "constant", 0.0, 0.0, 53.0, 62.0),
                (0, "test-time", 1.0, 0.0, 20.0, 60.0), (0, "constant", 1.0, 0.0, 60.5, 60.0),
                (1, "test-time", 1.0, 0.0, 21.0, 62.0), (1, "constant", 1.0, 0.0, 62.5, 62.0), experiment="cnn")
    d = verdicts.sweep_differences(runs)
    assert (d.prior_minus_mlp.mean, d.prior_minus_mlp.n) == pytest.approx((9.5, 2))  # 60 − 50, 62 − 53
    assert (d.one_minus_prior.mean, d.one_minus_prior.n) == pytest.approx((0.5, 2))  # 60.5 − 60, 62.5 − 62
    assert verdicts.sweep_differences(runs[runs["alpha"] == 0.0]).one_minus_prior is None


def test_describe_runs_says_the_budget_and_the_source_of_one_experiment():
    runs = fake_runs("cifar10", {0.0: [0.5, 0.5]}, prior=0.6).assign(train_subset=[8000, math.nan],
                                                                     source=["b", "a"])
    other = fake_runs("cifar10", {0.0: 0.5}, prior=0.6, experiment="mixer", epochs=9).assign(source="c")
    both = pd.concat([runs, other], ignore_index=True)
    # sorted: "3 epochs, 8000 ..." before "3 epochs, all ..." ('8' < 'a')
    assert verdicts.describe_runs(both, "cifar10", "cnn") == ("3 epochs, 8000 train images; 3 epochs, all train images",
                                                              "a; b")
    assert verdicts.describe_runs(both, "cifar10", "mixer") == ("9 epochs, 8000 train images", "c")
    for dataset, frame in (("cifar100", both), (None, both), ("cifar10", both.iloc[:0]), ("cifar10", pd.DataFrame())):
        assert verdicts.describe_runs(frame, dataset, "cnn") == ("—", "—")


def test_interior_curves_and_interior_constant_keep_only_constant_alpha_strictly_inside():
    runs = fake_runs("cifar10", {0.0: [0.5, 0.6], 0.01: [0.4, 0.45], 0.5: [0.3, 0.35], 1.0: [0.7, 0.75]}, prior=0.6)
    curves = verdicts.interior_curves(runs)
    assert list(curves.columns) == [0.01, 0.5] and curves.loc[1].tolist() == pytest.approx([45.0, 35.0])
    assert verdicts.interior_curves(runs.iloc[:0]).empty and verdicts.interior_curves(pd.DataFrame()).empty
    balance = pd.DataFrame({"schedule": ["constant"] * 4 + ["decay"], "alpha": [0.0, 0.01, 0.5, 1.0, 0.5]})
    assert verdicts.interior_constant(balance).index.tolist() == [1, 2]


def test_held_out_power_is_statsmodels_power_on_the_held_out_seeds_at_holms_first_level():
    from statsmodels.stats.power import TTestPower

    from imlp_core.reading.claims import Arm, Contrast, Diff

    gain = Contrast("α = 0.5 − α = 0", Diff(Arm("cnn", "cnn", alpha=0.5), Arm("cnn", "cnn", alpha=0.0)))
    found = Claim("f1", "test", "f1", (gain,), {"laptop": Role.CONFIRMATORY}, family="held-out", seeds=(3, 4, 5, 6))
    absent = replace(found, id="f2", contrasts=(replace(gain, value=Diff(Arm("mixer", "mixer", alpha=0.5),
                                                                         Arm("mixer", "mixer"))),))
    # seeds 0-2: α = 0.5 lies 1, 2, 3 points above α = 0: effect 2 / 1 = 2; two contrasts in the family: level 0.025
    earlier = fake_runs("cifar10", {0.0: [0.50, 0.50, 0.50, 0.9], 0.5: [0.51, 0.52, 0.53, 0.1]}, prior=0.6)
    turn = replace(found, id="f3", contrasts=())  # a finding without contrasts (a turn) has no power to speak of
    power = verdicts.held_out_power((found, absent, turn), earlier, CPU)
    expected = TTestPower().power(effect_size=2.0, nobs=4, alpha=0.025, alternative="two-sided")
    assert power["f1"].power == pytest.approx(expected) and math.isnan(power["f2"].power)
    assert math.isnan(power["f3"].power)
    assert all(p.level == pytest.approx(0.025) and not p.picked for p in power.values())


def test_held_out_power_marks_the_finding_whose_effect_was_the_deepest_of_a_scan():
    """held-per-step-v-deepest tests the α where seeds 0–2's per-step dip was deepest (a maximum picked among the α
    scanned), so the power at that effect is overstated and says so; the others were not picked that way."""
    from imlp_core.reading.claims import FINDINGS

    assert verdicts.PICKED_AS_EXTREME == ("held-per-step-v-deepest",)
    assert "deepest" in claim("held-per-step-v-deepest").note and "chosen after looking" in claim(
        "held-per-step-v-deepest").note
    power = verdicts.held_out_power(FINDINGS, fake_runs("cifar10", {0.0: 0.5}, prior=0.6), CPU)
    assert [p.picked for p in power.values()] == [f.id == "held-per-step-v-deepest" for f in FINDINGS]
    assert all(p.level == pytest.approx(0.05 / len(FINDINGS)) for p in power.values())


def test_one_test_image_is_the_resolution_of_every_committed_record():
    """inference.RESOLUTION (0.01 points) is one image of the test set: every committed record at both scales was
    tested on all 10,000 images (no test subset), so its accuracy moves in steps of 100 / 10,000 points."""
    import json
    from pathlib import Path

    root = Path(__file__).resolve().parent.parent / "results"
    paths = [*root.glob("runs/*.json"), *root.glob("paper-h100/results/runs/*.json")]
    records = [json.loads(p.read_text()) for p in paths]
    assert len(records) > 900
    assert {(r["dataset"]["num_test"], r["config"]["test_subset"]) for r in records} == {(10_000, None)}
    assert st.RESOLUTION == pytest.approx(100 / 10_000)
