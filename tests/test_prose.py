"""prose.py (and findings.py) word verdicts and compute none: no interval, p-value or verdict code may enter it (an ``ast`` check of
its source), its tables carry what the README headline reads, and its counts sum to the claims they count."""

from __future__ import annotations

import ast
import inspect
import re

import pandas as pd
import pytest

from imlp_core import findings, prose, verdicts
from imlp_core.claims import Role, claims_at
from imlp_core.profiles import resolve_profile
from imlp_core.statistics import COUNTED, MOST_SEEDS, Kind, Verdict


# ---------------------------------------------------------------------------------------------
# No interval code in prose.py


FORBIDDEN = {"t_interval", "paired_differences", "judge", "judge_family", "judge_turn", "v_scan", "holm",
             "one_sided_p", "two_sided_p", "seeds_needed", "adjusted_interval", "number_kind", "contrast_kind",
             "claim_verdicts", "number_verdicts", "option_verdicts", "multipletests", "solve_power",
             "mlp_accuracy", "prior_accuracy"}
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
    assert sentence.endswith(f"; seeds to decide: {prose.seeds_text(undecided.seeds_needed)}")
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
