"""prose.py (and findings.py) word verdicts and compute none: no interval, p-value or verdict code may enter it (an ``ast`` check of
its source), its tables carry what the README headline reads, and its counts sum to the claims they count."""

from __future__ import annotations

import ast
import inspect
import math
import re

import pandas as pd
import pytest

from imlp_core import findings, prose, verdicts
from imlp_core.claims import Arm, Claim, Contrast, Effect, Registered, Role, Turn, claims_at
from imlp_core.paper import PaperNumber
from imlp_core.profiles import resolve_profile
from imlp_core.statistics import COUNTED, MOST_SEEDS, ContrastResult, Interval, Kind, ScanResult, Verdict


# ---------------------------------------------------------------------------------------------
# No interval code in prose.py


FORBIDDEN = {"t_interval", "paired_differences", "judge", "judge_family", "judge_turn", "v_scan", "holm",
             "one_sided_p", "two_sided_p", "seeds_needed", "adjusted_interval", "number_kind", "contrast_kind",
             "claim_verdicts", "number_verdicts", "option_verdicts", "multipletests", "solve_power",
             "mlp_accuracy", "prior_accuracy", "simultaneous_interval", "standard_error", "power_at", "t_test_power",
             "held_out_power"}
FORBIDDEN_MODULES = ("scipy", "statsmodels")
FORBIDDEN_ROOTS = {"stats", "scipy", "statsmodels"}


def interval_code(source: str) -> list[str]:
    """What in ``source`` imports or calls interval, p-value or verdict code: one line per finding."""
    found = []
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Import):
            found += [f"import {a.name}" for a in node.names if a.name.split(".")[0] in FORBIDDEN_MODULES]
        elif isinstance(node, ast.ImportFrom):
            module = node.module or ""
            if module.split(".")[0] in FORBIDDEN_MODULES:
                found.append(f"from {module} import ...")
            found += [f"from {module} import {a.name}" for a in node.names if a.name in FORBIDDEN | {"stats"}]
        elif isinstance(node, ast.Call):
            func = node.func
            if isinstance(func, ast.Name) and func.id in FORBIDDEN:
                found.append(f"call {func.id}")
            elif isinstance(func, ast.Attribute):
                root = func
                while isinstance(root, ast.Attribute):
                    root = root.value
                if func.attr in FORBIDDEN or (isinstance(root, ast.Name) and root.id in FORBIDDEN_ROOTS):
                    found.append(f"call {ast.unparse(func)}")
        elif isinstance(node, ast.Attribute) and isinstance(node.value, ast.Name) and node.value.id in FORBIDDEN_ROOTS:
            found.append(f"use {ast.unparse(node)}")
    return found


def test_prose_imports_and_calls_no_interval_code():
    assert interval_code(inspect.getsource(prose)) == []


def test_findings_imports_and_calls_no_interval_code():
    """findings.py words the values imlp_core.verdicts returns (sweep_differences, schedule_differences, ...): no
    interval is computed inside its sentences."""
    assert interval_code(inspect.getsource(findings)) == []


@pytest.mark.parametrize("planted", [
    "from imlp_core.statistics import t_interval",
    "from imlp_core.statistics import judge_family as jf",
    "from scipy import stats",
    "import scipy.stats",
    "from statsmodels.stats.multitest import multipletests",
    "def f(x):\n    return t_interval(x)",
    "def f(x):\n    return statistics.paired_differences(x, x)",
    "def f(x):\n    return stats.t.ppf(0.975, 2)",
    "def f(v):\n    return verdicts.v_scan(v).v_alphas",
    "def f(p):\n    return holm(p)",
    "def f(x):\n    return seeds_needed(x)",
    "def f(x, p, q):\n    return adjusted_interval(x, p, q)",
    "def f(i):\n    return number_kind(i, 1.0, 1.0)",
    "def f(c):\n    return contrast_kind(c)",
    "def f(x):\n    return one_sided_p(x) < two_sided_p(x)",
    "def f(c, r):\n    return judge(c, r, 'laptop')",
    "def f(r):\n    return f'{format_interval(mlp_accuracy(r, k=1.0))}'",
])
def test_the_check_catches_interval_code(planted):
    assert interval_code(inspect.getsource(prose) + "\n\n" + planted + "\n")


# ---------------------------------------------------------------------------------------------
# Tables: what the README headline reads


def fake_runs(accuracies: dict[float, list[float]], prior: list[float], dataset: str = "cifar10") -> pd.DataFrame:
    """A constant-α S-CNN sweep in %, stored as fractions."""
    return pd.DataFrame([{"experiment": "cnn", "prior": "cnn", "dataset": dataset, "seed": seed, "schedule": "constant",
                          "alpha": alpha, "k": 0.0, "test_acc": acc / 100, "prior_test_acc": prior[seed] / 100,
                          "epochs": 3, "train_subset": 8000, "lr": 1e-3, "source": "test", "status": "ok"}
                         for alpha, values in accuracies.items() for seed, acc in enumerate(values)])


# α = 0.01 below α = 0 on two seeds, above it on one; the prior ahead on two seeds: a realistic mix of kinds
MIXED = fake_runs({0.0: [50.0, 51.0, 49.0], 1e-3: [47.0, 48.0, 47.0], 5e-3: [44.0, 45.0, 43.0],
                   1e-2: [45.0, 46.0, 52.0], 0.1: [46.0, 47.0, 45.0], 1.0: [48.0, 49.0, 47.0]},
                  prior=[52.0, 53.0, 47.0])
EMPTY = MIXED.iloc[:0]


def judged(runs: pd.DataFrame, profile: str) -> tuple[list[verdicts.NumberVerdict], list[Verdict]]:
    return (verdicts.number_verdicts(runs, resolve_profile(profile)),
            verdicts.claim_verdicts(runs, resolve_profile(profile)))


@pytest.mark.parametrize("runs", [MIXED, EMPTY], ids=["mixed", "empty"])
@pytest.mark.parametrize("profile", ["cpu", "paper"])
def test_claims_table_has_the_headlines_columns_and_kind_values(runs, profile):
    numbers, claims = judged(runs, profile)
    table = prose.claims_table(claims)
    assert {"id", "source", "claim", "role", "verdict"} <= set(table.columns)
    assert list(table["id"]) == [v.claim.id for v in claims]
    assert set(table["verdict"]) <= {k.value for k in Kind}
    assert list(table["verdict"]) == [v.kind.value for v in claims]
    assert set(table["role"]) <= {r.value for r in Role}
    number_table = prose.numbers_table(numbers, profile)
    assert len(number_table) == len(numbers) and set(number_table["verdict"]) <= {k.value for k in Kind}


def test_the_headline_reads_prose_tables_back_and_its_counts_sum_to_the_confirmatory_claims(tmp_path):
    """notebook 07 saves claims_table as CSV; findings.headline_tables reads those CSVs for the README."""
    frames = {}
    by_scale = {}
    for profile in ("cpu", "paper"):
        _, claims = judged(MIXED, profile)
        path = tmp_path / f"{profile}.csv"
        prose.claims_table(claims).to_csv(path, index=False)
        frames[profile] = pd.read_csv(path)
        by_scale[profile] = claims
    counts, table = findings.headline_tables(frames)
    for profile, claims in by_scale.items():
        scale = verdicts.scale_of(resolve_profile(profile))
        assert counts.loc[profile].sum() == len(claims_at(scale, Role.CONFIRMATORY))
        assert counts.loc[profile].to_dict() == verdicts.verdict_counts(claims)
    assert prose.headline_counts(by_scale).equals(counts)
    assert {"id", "source", "claim"} <= set(table.columns)
    ran = {v.claim.id for vs in by_scale.values() for v in vs if v.kind is not Kind.NOT_RUN}
    assert set(table["id"]) == ran  # every claim run at some scale, and only those


# ---------------------------------------------------------------------------------------------
# The summary's counts


def summary_counts(text: str, label: str) -> tuple[int, dict[str, int]]:
    line = next(l for l in text.splitlines() if l.startswith(f"- {label} ("))
    total = int(re.match(rf"- {re.escape(label)} \((\d+)", line).group(1))
    counts = {name: int(n) for n, name in re.findall(r"(\d+) ([a-z' ]+?)(?:,|\.$)", line.split(": ", 1)[1])}
    return total, counts


@pytest.mark.parametrize("runs", [MIXED, EMPTY], ids=["mixed", "empty"])
@pytest.mark.parametrize("profile", ["cpu", "paper"])
def test_comparison_summary_counts_sum_to_the_confirmatory_claims(runs, profile):
    numbers, claims = judged(runs, profile)
    text = prose.comparison_summary(numbers, claims, profile)
    scale = verdicts.scale_of(resolve_profile(profile))
    total, counts = summary_counts(text, "Confirmatory claims")
    assert total == len(claims_at(scale, Role.CONFIRMATORY)) == sum(counts.values())
    assert list(counts) == list(COUNTED)
    assert counts == verdicts.verdict_counts(claims)
    number_total, number_counts = summary_counts(text, "Printed numbers")
    assert number_total == len(numbers) == sum(number_counts.values())
    assert ("no verdict is possible" in text) == (runs is EMPTY)


def test_comparison_summary_reads_in_full_on_hand_made_verdicts():
    v, prior, turn = (next(c for c in claims_at("laptop") if c.id == i) for i in ("t1a-v-c10", "t1a-prior-c10",
                                                                                   "f2-cnn-turn"))
    made = [Verdict(v, "laptop", Kind.REPRODUCED, (), 3, False), Verdict(prior, "laptop", Kind.OPPOSITE, (), 3, False),
            Verdict(turn, "laptop", Kind.LOCATED_ELSEWHERE, (), 3, False, located=(0.3,))]
    assert prose.comparison_summary([], made, "cpu") == "\n".join([
        "Profile `cpu`.",
        "- Confirmatory claims (1, Holm within each family): 1 reproduced, 0 cannot tell, 0 excludes the paper's "
        "effect, 0 opposite, 0 not run.",
        "- Premise (1, not counted): `t1a-prior-c10` opposite.",
        "- Exploratory (1, not counted): `f2-cnn-turn` located elsewhere.",
        "- Printed numbers (0): 0 reproduced, 0 cannot tell, 0 excludes the paper's effect, 0 opposite, 0 not run.",
        f"- Reproduced: Table 1(a): {v.statement}.",
    ])


# ---------------------------------------------------------------------------------------------
# Sentences


def test_seeds_text():
    assert prose.seeds_text(None) == "—" and prose.seeds_text(12) == "12"
    assert prose.seeds_text(MOST_SEEDS) == "1000" and prose.seeds_text(MOST_SEEDS + 1) == "more than 1000"


def test_verdict_sentence_says_the_kind_the_role_and_the_seeds_to_decide():
    _, claims = judged(MIXED, "cpu")
    by_id = {v.claim.id: v for v in claims}
    assert prose.verdict_sentence(by_id["t1b-v-c10"]) == "**not run** in this profile"
    undecided = by_id["t1a-v-c10"]  # α = 0 − α = 0.01: 5, 5, −3
    assert undecided.kind is Kind.SAME_SIGN and undecided.seeds_needed
    sentence = prose.verdict_sentence(undecided)
    assert sentence.startswith("**same direction, cannot tell** (confirmatory) — α = 0 − α = 0.01: +2.33 [")
    assert sentence.endswith(f"; seeds to decide: {prose.seeds_text(undecided.seeds_needed)} at "
                             f"{undecided.level:.2g}")
    turn = prose.verdict_sentence(by_id["f2-cnn-turn"])
    assert turn.startswith("**reproduced** (exploratory) — below both ends beyond the scan's noise at α ∈ {")


def test_claims_table_says_what_was_adjusted_and_compared():
    _, laptop = judged(MIXED, "cpu")
    _, paper = judged(MIXED, "paper")
    row = lambda claims, id: prose.claims_table(claims).set_index("id").loc[id]
    assert row(laptop, "t1a-v-c10")["paper's effect"] == "not compared (another budget)"
    assert row(paper, "t1a-v-c10")["paper's effect"] == "+6.86 ± 0.97; +10.64 ± 1.33"
    assert row(laptop, "t1a-prior-c10")["Holm-adjusted"] == "—"  # a premise: nothing adjusted
    assert row(laptop, "t1a-v-c10")["Holm-adjusted"] != "—"
    assert row(laptop, "t1b-v-c10")["ours (paired difference, 95 % interval)"] == "—"


CLAIM_KINDS = {Kind.REPRODUCED: "*reproduced*", Kind.SAME_SIGN: "*same*", Kind.OTHER_SIGN: "other direction, cannot tell",
               Kind.EXCLUDES_EFFECT: "*excludes the paper's effect*", Kind.OPPOSITE: "*opposite*",
               Kind.NOT_LOCATED: "*not located*", Kind.ONE_SEED: "*one seed: no verdict*", Kind.NOT_RUN: "*not run*"}


def test_the_verdict_rule_names_every_kind_a_claim_can_get():
    for kind, words in CLAIM_KINDS.items():
        assert words in prose.VERDICT_RULE, kind


def test_the_verdict_rule_explains_located_elsewhere():
    assert "located elsewhere" in prose.VERDICT_RULE


# ---------------------------------------------------------------------------------------------
# Whole texts and tables on hand-made verdicts (every number below is chosen so that it can be checked by eye)

NAN = math.nan
NO_INTERVAL = Interval(NAN, NAN, NAN, 0)


def made_claim(id: str, effects=(), *, role=Role.CONFIRMATORY, dataset="CIFAR-10", family="paper",
               registered=Registered.AFTER_DATA, equal=False, turn=None, source="Table 1(a)") -> Claim:
    """A claim whose contrasts are named c1, c2, ... with the paper's ``effects`` (None: none printed)."""
    contrasts = tuple(Contrast(f"c{i + 1}", Arm("cnn", "cnn"), e) for i, e in enumerate(effects))
    return Claim(id, source, f"claim {id}", contrasts, {"laptop": role, "paper": role}, family, dataset,
                 registered=registered, equal=equal, turn=turn)


def made_result(name: str, interval: Interval, adjusted: Interval | None = None, family_size: int = 1,
                simultaneous: Interval | None = None, effect: Effect | None = None) -> ContrastResult:
    return ContrastResult(name, (1.0,) * interval.n, tuple(range(interval.n)), interval, adjusted or interval,
                          0.01, 0.02, effect, simultaneous or adjusted or interval, family_size)


def made_verdict(claim: Claim, kind: Kind, results=(), *, seeds=3, compares=False, needed=None, located=(),
                 scale="laptop") -> Verdict:
    return Verdict(claim, scale, kind, tuple(results), seeds, compares, needed, located)


def test_ours_text_of_a_turn_and_of_contrasts():
    turn = made_claim("turn", role=Role.EXPLORATORY, turn=Turn("cnn", 0.01))
    assert prose.ours_text(made_verdict(turn, Kind.NOT_RUN)) == "—"
    assert prose.ours_text(made_verdict(turn, Kind.LOCATED_ELSEWHERE, located=(0.3, 0.05))) == \
        "below both ends beyond the scan's noise at α ∈ {0.3, 0.05}"
    assert prose.ours_text(made_verdict(turn, Kind.NOT_LOCATED)) == "no α below both ends beyond the scan's noise"
    two = made_claim("two", (None, None))
    results = (made_result("c1", Interval(1.5, 0.5, 2.5, 3)), made_result("c2", Interval(-0.25, -1.0, 0.5, 3)))
    assert prose.ours_text(made_verdict(two, Kind.SAME_SIGN, results)) == \
        "c1: +1.50 [+0.50, +2.50] (3 seeds); c2: -0.25 [-1.00, +0.50] (3 seeds)"
    assert prose.ours_text(made_verdict(two, Kind.NOT_RUN, results)) == "—"


def test_adjusted_text_only_for_confirmatory_orderings_that_ran():
    results = (made_result("c1", Interval(2.0, 1.0, 3.0, 3), Interval(2.0, 0.5, 3.5, 3)),
               made_result("c2", Interval(1.0, 0.0, 2.0, 3), Interval(1.0, -0.5, 2.5, 3)))
    ordering = made_claim("o", (None, None))
    assert prose.adjusted_text(made_verdict(ordering, Kind.SAME_SIGN, results)) == \
        "+2.00 [+0.50, +3.50] (3 seeds); +1.00 [-0.50, +2.50] (3 seeds)"
    assert prose.adjusted_text(made_verdict(ordering, Kind.NOT_RUN, results)) == "—"
    identity = made_claim("i", (None, None), equal=True)  # confirmatory and run, but nothing adjusted
    assert prose.adjusted_text(made_verdict(identity, Kind.EXCLUDES_EFFECT, results)) == "—"
    premise = made_claim("p", (None, None), role=Role.PREMISE)
    assert prose.adjusted_text(made_verdict(premise, Kind.SAME_SIGN, results)) == "—"


def test_paper_text_prints_each_effect_and_a_dash_where_none():
    assert prose.paper_text(made_verdict(made_claim("none", (None, None)), Kind.SAME_SIGN)) == "—"
    mixed = made_claim("mixed", (None, Effect(1.5, None), Effect(2.0, 0.5), Effect(-0.25, 0.0)))
    assert prose.paper_text(made_verdict(mixed, Kind.SAME_SIGN)) == "—; +1.50; +2.00 ± 0.50; -0.25"


def test_claims_table_reads_in_full_on_hand_made_verdicts():
    a = made_claim("a", (Effect(6.86, 0.97),), registered=Registered.BEFORE_DATA)
    b = made_claim("b", (None,), role=Role.PREMISE, dataset="CIFAR-100", family="held-out", source="Table 1(b)")
    c = made_claim("c", (Effect(1.5, None),))
    made = [made_verdict(a, Kind.REPRODUCED, [made_result("c1", Interval(2.0, 1.0, 3.0, 3), Interval(2.0, 0.5, 3.5, 3),
                                                          5, Interval(2.0, 0.25, 3.75, 3), Effect(6.86, 0.97))],
                         compares=True),
            made_verdict(b, Kind.OTHER_SIGN, [made_result("c1", Interval(-0.5, -2.0, 1.0, 2))], seeds=2, needed=12),
            made_verdict(c, Kind.SAME_SIGN, [made_result("c1", Interval(0.5, -0.5, 1.5, 4), family_size=13)], seeds=4,
                         needed=1001)]
    table = prose.claims_table(made, power={"a": verdicts.FoundPower(0.8149, 0.01, True),
                                            "c": verdicts.FoundPower(NAN, 0.01, False)})
    expected = pd.DataFrame([
        {"id": "a", "source": "Table 1(a)", "claim": "claim a", "role": "confirmatory", "family": "paper",
         "registered": "before its data", "ours (paired difference, 95 % interval)": "c1: +2.00 [+1.00, +3.00] (3 seeds)",
         "Holm-adjusted": "+2.00 [+0.50, +3.50] (3 seeds)", "paper's effect": "+6.86 ± 0.97",
         "simultaneous (Bonferroni), against the paper's effect": "+2.00 [+0.25, +3.75] (3 seeds) at 99 %", "seeds": 3,
         "verdict": "reproduced", "seeds to decide (power 0.8, at Holm's strictest level)": "—",
         "power at seeds 0–2's effect (post hoc)": "0.81 at 0.01, at a maximum picked among the α scanned (overstated)",
         "power at the held-out effect (post hoc)": "—"},
        {"id": "b", "source": "Table 1(b), CIFAR-100", "claim": "claim b", "role": "premise", "family": "held-out",
         "registered": "after its data", "ours (paired difference, 95 % interval)": "c1: -0.50 [-2.00, +1.00] (2 seeds)",
         "Holm-adjusted": "—", "paper's effect": "—", "simultaneous (Bonferroni), against the paper's effect": "—",
         "seeds": 2, "verdict": "other direction, cannot tell",
         "seeds to decide (power 0.8, at Holm's strictest level)": "12 at 0.05",
         "power at seeds 0–2's effect (post hoc)": "—", "power at the held-out effect (post hoc)": "—"},
        {"id": "c", "source": "Table 1(a)", "claim": "claim c", "role": "confirmatory", "family": "paper",
         "registered": "after its data", "ours (paired difference, 95 % interval)": "c1: +0.50 [-0.50, +1.50] (4 seeds)",
         "Holm-adjusted": "+0.50 [-0.50, +1.50] (4 seeds)", "paper's effect": "not compared (another budget)",
         "simultaneous (Bonferroni), against the paper's effect": "—", "seeds": 4,
         "verdict": "same direction, cannot tell",
         "seeds to decide (power 0.8, at Holm's strictest level)": "more than 1000 at 0.0038",
         "power at seeds 0–2's effect (post hoc)": "—", "power at the held-out effect (post hoc)": "—"}])
    pd.testing.assert_frame_equal(table, expected)
    no_power = prose.claims_table(made)
    assert list(no_power["power at seeds 0–2's effect (post hoc)"]) == ["—"] * 3  # no power given
    assert list(no_power["power at the held-out effect (post hoc)"]) == ["—"] * 3


def test_power_texts_say_the_level_and_what_is_post_hoc():
    assert prose.found_power_text(verdicts.FoundPower(0.983, 0.01, False)) == "0.98 at 0.01"
    assert prose.found_power_text(None) == "—"
    assert prose.level_text(0.05 / 13) == "0.0038" and prose.level_text(0.05) == "0.05"
    held = made_claim("h", (None,), family="held-out")
    spread = ContrastResult("c1", (1.0, 3.0, 2.0), (3, 4, 5), Interval(2.0, -0.5, 4.5, 3), Interval(2.0, -0.5, 4.5, 3),
                            0.05, 0.1, None, Interval(2.0, -1.0, 5.0, 3), 5)
    verdict = made_verdict(held, Kind.SAME_SIGN, [spread])
    assert prose.own_power_text(verdict) == f"{verdict.power:.2f} at 0.01" and 0 < verdict.power < 1
    assert prose.own_power_text(made_verdict(held, Kind.NOT_RUN)) == "—"


def made_number(mean: float, std: float | None, dataset: str = "CIFAR-10") -> PaperNumber:
    return PaperNumber("Table 1(a)", "I-MLP (α = 0.0)", dataset, mean, std, "cnn", "cnn", "constant", 0.0)


def test_numbers_table_reads_in_full_on_hand_made_verdicts():
    made = [verdicts.NumberVerdict(made_number(50.0, 0.5), Interval(51.234, 50.0, 52.5, 3), Kind.REPRODUCED, 1.0,
                                   "cifar10"),
            verdicts.NumberVerdict(made_number(40.0, None, "CIFAR-100"), Interval(38.5, NAN, NAN, 1), Kind.ONE_SEED,
                                   1.0, "cifar100"),
            verdicts.NumberVerdict(made_number(30.0, 1.25), NO_INTERVAL, Kind.NOT_RUN, 2.5, None)]
    expected = pd.DataFrame({
        "source": ["Table 1(a)"] * 3, "model": ["I-MLP (α = 0.0)"] * 3, "dataset": ["CIFAR-10", "CIFAR-100", "CIFAR-10"],
        "paper": ["50.00 ± 0.50", "40.00", "30.00 ± 1.25"],
        "ours": ["51.23 [50.00, 52.50] (3 seeds)", "38.50 (1 seed)", "—"],
        "difference": [1.23, -1.5, NAN], "seeds": [3, 1, 0], "tolerance": ["± 1.00", "± 1.00", "± 2.50"],
        "profile": ["paper"] * 3, "our dataset": ["cifar10", "cifar100", "skipped"],
        "verdict": ["reproduced", "one seed: no verdict", "not run"]})
    pd.testing.assert_frame_equal(prose.numbers_table(made, "paper"), expected)


def test_comparison_summary_lists_every_premise_and_every_reproduced_claim():
    c1, c2 = made_claim("c1"), made_claim("c2", source="Table 1(b)")
    p1, p2 = made_claim("p1", role=Role.PREMISE), made_claim("p2", role=Role.PREMISE)
    made = [made_verdict(c1, Kind.REPRODUCED), made_verdict(c2, Kind.REPRODUCED), made_verdict(p1, Kind.OPPOSITE),
            made_verdict(p2, Kind.SAME_SIGN)]
    numbers = [verdicts.NumberVerdict(made_number(50.0, 0.5), Interval(50.0, 49.0, 51.0, 3), Kind.NOT_COMPARED, 1.0,
                                      "cifar10")]
    assert prose.comparison_summary(numbers, made, "cpu").splitlines() == [
        "Profile `cpu`.",
        "- Confirmatory claims (2, Holm within each family): 2 reproduced, 0 cannot tell, 0 excludes the paper's "
        "effect, 0 opposite, 0 not run.",
        "- Premise (2, not counted): `p1` opposite; `p2` same direction, cannot tell.",
        "- Printed numbers (1): 0 reproduced, 0 cannot tell, 0 excludes the paper's effect, 0 opposite, 1 not run.",
        "- Reproduced: Table 1(a): claim c1; Table 1(b): claim c2."]


def test_comparison_summary_says_when_nothing_ran():
    made = [made_verdict(made_claim("c1"), Kind.NOT_RUN), made_verdict(made_claim("p1", role=Role.PREMISE), Kind.NOT_RUN)]
    assert prose.comparison_summary([], made, "synthetic").splitlines() == [
        "Profile `synthetic`.",
        "- Confirmatory claims (1, Holm within each family): 0 reproduced, 0 cannot tell, 0 excludes the paper's "
        "effect, 0 opposite, 1 not run.",
        "- Premise (1, not counted): `p1` not run.",
        "- Printed numbers (0): 0 reproduced, 0 cannot tell, 0 excludes the paper's effect, 0 opposite, 0 not run.",
        "- Nothing here was trained on the paper's data in this profile, so no verdict is possible; run the `cpu` or "
        "`paper` profile."]


def test_claims_by_option_table_reads_in_full():
    a, b = made_claim("a"), made_claim("b", source="Table 4")
    by_option = {"default": [made_verdict(a, Kind.REPRODUCED), made_verdict(b, Kind.OPPOSITE)],
                 "x": [made_verdict(a, Kind.REPRODUCED), made_verdict(b, Kind.LOCATED_ELSEWHERE)],
                 "y": [made_verdict(a, Kind.ONE_SEED), made_verdict(b, Kind.NOT_RUN)]}
    expected = pd.DataFrame([
        {"id": "a", "source": "Table 1(a)", "claim": "claim a", "reproduced under": "default, x",
         "cannot tell under": "y", "excludes the paper's effect under": "—", "opposite under": "—"},
        {"id": "b", "source": "Table 4", "claim": "claim b", "reproduced under": "—", "cannot tell under": "—",
         "excludes the paper's effect under": "x", "opposite under": "default"}])
    pd.testing.assert_frame_equal(prose.claims_by_option_table(by_option), expected)
    columns = ["id", "source", "claim", "reproduced under", "cannot tell under", "excludes the paper's effect under",
               "opposite under"]
    for empty in ({}, {"default": []}):
        assert list(prose.claims_by_option_table(empty).columns) == columns and prose.claims_by_option_table(empty).empty


def made_option(v: dict[float, tuple[Interval, float]], linear: Kind, test_time: Kind,
                one_minus_prior: Interval) -> verdicts.OptionVerdicts:
    """An option value's verdicts: the scan's drop and Holm-adjusted p per α, and the two claims' kinds (each with one
    contrast of interval +1.00 [+0.50, +1.50] over 3 seeds)."""
    scan = ScanResult({a: d for a, (d, _) in v.items()}, {a: d for a, (d, _) in v.items()},
                      {a: p for a, (_, p) in v.items()})
    interval = Interval(1.0, 0.5, 1.5, 3)
    claims = {id: made_verdict(made_claim(id, (None,), role=Role.EXPLORATORY), kind, [made_result("c1", interval)])
              for id, kind in (("t4-linear", linear), ("t4-test-time", test_time))}
    return verdicts.OptionVerdicts(3, Interval(50.0, 49.0, 51.0, 3), Interval(60.0, 59.0, 61.0, 3), one_minus_prior,
                                   scan, claims)


def test_option_findings_read_in_full_on_hand_made_verdicts():
    deep, shallow, flat = Interval(-3.0, -4.0, -2.0, 3), Interval(-1.0, -1.5, -0.5, 3), Interval(-0.5, -2.0, 1.0, 3)
    table = {"default": made_option({0.01: (deep, 0.001), 0.1: (shallow, 0.02), 0.5: (flat, 0.5)}, Kind.REPRODUCED,
                                    Kind.OPPOSITE, Interval(0.0, 0.0, 0.0, 3)),
             "every = 1": made_option({0.3: (shallow, 0.01)}, Kind.REPRODUCED, Kind.SAME_SIGN,
                                      Interval(-2.0, -3.0, -1.0, 3)),
             "lr": made_option({0.3: (flat, 0.03)}, Kind.OPPOSITE, Kind.NOT_RUN, Interval(0.5, NAN, NAN, 1))}
    text = prose.option_findings(table, {"default": 0.0123, "every = 1": None, "missing": 0.5})
    ran = "(c1: +1.00 [+0.50, +1.50] (3 seeds))"
    assert text.splitlines() == [
        "- The V (an interior α below both ends per seed, Holm over the α scanned; exploratory): `default` (at α ∈ "
        "{0.01, 0.1}; deepest α = 0.01: -3.00 [-4.00, -2.00] (3 seeds) below both ends); `every = 1` (at α ∈ {0.3}; "
        "deepest α = 0.3: -1.00 [-1.50, -0.50] (3 seeds) below both ends).",
        "- Table 4's ordering (linear decay below constant α = 0.5 and below k = 4): reproduced under `default`, "
        "`every = 1`; opposite under `lr`.",
        f"- Test-time only below no interpolation and the CNN (the paper: -9.7 points below no interpolation): "
        f"`default` opposite {ran}; `every = 1` same direction, cannot tell {ran}.",
        "- α = 1 minus the prior, per seed: `default` +0.00 [+0.00, +0.00] (3 seeds); `every = 1` -2.00 [-3.00, -1.00] "
        "(3 seeds); `lr` +0.50 (1 seed) (0 exactly where α = 1 copies the prior).",
        "- Balance under `default`: one pull of α ≈ 0.012 matches the norm of the S-MLP's drift between two pulls; "
        "below both ends beyond noise: {0.01, 0.1}.",
        "- Balance under `every = 1`: its S-MLP runs carry no drift measurement (recorded from a later version on); "
        "below both ends beyond noise: {0.3}.",
        "- Balance under `missing`: one pull of α ≈ 0.5 matches the norm of the S-MLP's drift between two pulls; "
        "below both ends beyond noise: no α."]


def test_option_findings_without_a_v_or_schedules():
    table = {"default": made_option({0.1: (Interval(-0.5, -2.0, 1.0, 3), 0.3)}, Kind.NOT_RUN, Kind.NOT_RUN,
                                    Interval(0.25, 0.0, 0.5, 3))}
    assert prose.option_findings(table, {}).splitlines() == [
        "- The V (an interior α below both ends per seed, Holm over the α scanned; exploratory): under no option value.",
        "- Table 4's ordering (linear decay below constant α = 0.5 and below k = 4): no option value runs the "
        "schedules.",
        "- Test-time only below no interpolation and the CNN (the paper: -9.7 points below no interpolation): .",
        "- α = 1 minus the prior, per seed: `default` +0.25 [+0.00, +0.50] (3 seeds) (0 exactly where α = 1 copies "
        "the prior)."]
    assert prose.option_findings({}, {}) == f"- {verdicts.NO_RUNS}"


def test_headline_counts_on_hand_made_verdicts():
    laptop = [made_verdict(made_claim("a"), Kind.SAME_SIGN), made_verdict(made_claim("b"), Kind.NOT_LOCATED),
              made_verdict(made_claim("p", role=Role.PREMISE), Kind.OPPOSITE)]
    paper = [made_verdict(made_claim("a"), Kind.REPRODUCED, scale="paper"),
             made_verdict(made_claim("b"), Kind.LOCATED_ELSEWHERE, scale="paper")]
    expected = pd.DataFrame([[0, 2, 0, 0, 0], [1, 0, 1, 0, 0]], index=pd.Index(["laptop", "paper"],
                            name="confirmatory claims"), columns=list(COUNTED))
    pd.testing.assert_frame_equal(prose.headline_counts({"laptop": laptop, "paper": paper}), expected)


def test_registration_markdown_lists_the_claims_by_when_they_were_registered():
    claims = (made_claim("a", registered=Registered.BEFORE_DATA), made_claim("b"),
              made_claim("c", registered=Registered.BEFORE_DATA))
    after = "- Defined **after** their records (chosen knowing seeds 0–2, or the H100 runs): "
    assert prose.registration_markdown(claims) == \
        "- Defined **before** their records: `a`, `c`.\n" + after + "`b`."
    assert prose.registration_markdown(()) == "- Defined **before** their records: none.\n" + after + "none."
