"""reading/prose.py words values and computes none: no interval, p-value, verdict or fit may enter it (an ``ast``
check of its source); it is the one voice (no other module or notebook cell writes a Markdown bullet or bold); its
tables carry what the README headline reads, and its counts sum to the claims they count."""

from __future__ import annotations

import ast
from dataclasses import replace
from pathlib import Path
import inspect
import json
import math
import re
import warnings

import pandas as pd
import pytest

from imlp_core.reading import summaries, prose, verdicts
from imlp_core.reading.claims import Arm, Claim, Contrast, Effect, Registered, Role, Turn, claims_at
from imlp_core.reading.paper import PaperNumber
from imlp_core.profiles import resolve_profile
from imlp_core.reading.inference import (
    COUNTED, MOST_SEEDS, ContrastResult, Interval, Kind, ScanResult, Verdict, interval_widths,
)


# ---------------------------------------------------------------------------------------------
# No interval code in reading/prose.py


FORBIDDEN = {"t_interval", "paired_differences", "judge", "judge_family", "judge_turn", "v_scan", "holm",
             "one_sided_p", "two_sided_p", "seeds_needed", "adjusted_interval", "number_kind", "contrast_kind",
             "claim_verdicts", "number_verdicts", "option_verdicts", "multipletests", "solve_power",
             "mlp_accuracy", "prior_accuracy", "simultaneous_interval", "standard_error", "power_at", "t_test_power",
             "held_out_power", "interval_widths",
             # what notebooks 03-06 and 09 compute before prose words it
             "sweep_differences", "schedule_differences", "first_layer_differences", "prediction_errors",
             "check_errors", "paper_scale_verdicts", "tested_alphas", "fit_law", "fit_constant", "law_fits",
             "paper_prediction", "dip_table", "first_step_table", "settled_ratios", "out_of_sample"}
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


def test_summaries_imports_and_calls_no_interval_code():
    """reading/summaries.py lays out tables and assembles the README's blocks from judged stores: it computes no
    interval either."""
    assert interval_code(inspect.getsource(summaries)) == []


# ---------------------------------------------------------------------------------------------
# One voice: every sentence about results is prose's


ROOT = Path(__file__).resolve().parent.parent
# The one module besides prose that writes Markdown, and why: what a profile will run, before any result exists.
VOICE_EXEMPT = {"imlp_core/notebook.py": "the profile note: settings, written before anything is trained"}


def markdown_literals(source: str) -> list[str]:
    """Every string literal of ``source`` (f-strings' literal parts too, docstrings not) that starts a Markdown bullet
    or holds bold: the marks of a sentence written for a reader."""
    with warnings.catch_warnings():  # a notebook's LaTeX in a plain string ("\\,") is no concern here
        warnings.simplefilter("ignore", SyntaxWarning)
        warnings.simplefilter("ignore", DeprecationWarning)
        tree = ast.parse(source)
    docstrings = {id(body[0].value) for node in ast.walk(tree)
                  if isinstance(node, (ast.Module, ast.ClassDef, ast.FunctionDef, ast.AsyncFunctionDef))
                  and (body := node.body) and isinstance(body[0], ast.Expr) and isinstance(body[0].value, ast.Constant)}
    return [node.value for node in ast.walk(tree) if isinstance(node, ast.Constant) and isinstance(node.value, str)
            and id(node) not in docstrings and (node.value.startswith("- ") or "**" in node.value)]


def voices() -> dict[str, list[str]]:
    """Each module of imlp_core (prose and the exemptions aside) and each notebook's code that writes Markdown."""
    sources = {str(path.relative_to(ROOT)): path.read_text(encoding="utf-8")
               for path in sorted((ROOT / "imlp_core").rglob("*.py"))}
    sources.pop("imlp_core/reading/prose.py")
    for path in sorted((ROOT / "notebooks").glob("*.ipynb")):
        cells = json.loads(path.read_text(encoding="utf-8"))["cells"]
        code = ["".join(c["source"]) for c in cells if c["cell_type"] == "code"]
        sources[str(path.relative_to(ROOT))] = "\n".join(c for c in code if not c.startswith("%"))  # no magics
    return {name: found for name, source in sources.items() if name not in VOICE_EXEMPT
            and (found := markdown_literals(source))}


def test_every_sentence_about_results_is_written_by_prose():
    """Issue 38: no module but prose, and no notebook cell, writes a Markdown bullet or bold (dip.py wrote notebook
    09's, summaries.py notebooks 03–06', notebooks 08 and 09 their budget line)."""
    assert voices() == {}


@pytest.mark.parametrize("planted", ['x = f"- **The law**: {1}"', 'x = "- Budget: " + y', 'x = f"a **{b}** c"'])
def test_the_voice_check_finds_a_sentence_written_elsewhere(planted):
    assert markdown_literals(planted)
    assert not markdown_literals('def f():\n    """- **a docstring** is no sentence a reader meets."""\n')


def test_the_rule_and_the_tolerances_are_the_ones_the_code_uses():
    """The rule's numbers are read from the constants that judge (a claim's tolerance is ``Effect.tolerance``; a
    printed number's is ``verdicts.number_tolerance``: the same 2 σ, at least 1 point)."""
    for std in (None, 0.0, 0.3, 0.5, 1.7):
        assert Effect(1.0, std).tolerance == max(verdicts.NUMBER_TOLERANCE_SIGMAS * (std or 0.0),
                                                 verdicts.NUMBER_TOLERANCE_FLOOR)
    assert f"tolerance ({prose.TOLERANCE})" in prose.VERDICT_RULE and prose.TOLERANCE == "2 σ, at least 1 point"
    assert prose.VERDICT_RULE.count(prose.LEVEL) == 2 and prose.LEVEL == "0.05 / m"


def test_the_rule_brief_says_how_wide_few_seeds_are():
    """2 t(0.975, n − 1): 2 × 12.706 = 25.41 (two seeds), 2 × 4.303 = 8.61 (three), 2 × 2.776 = 5.55 (five)."""
    widths = interval_widths((2, 3, 5))
    assert widths == pytest.approx({2: 25.412, 3: 8.606, 5: 5.553}, abs=1e-3)
    brief = prose.rule_brief("[the rule](claims.md)", widths)
    text = " ".join(brief.split())
    assert "([the rule](claims.md) states the rule)" in text
    assert "over two seeds is 25.4 standard errors wide, over three 8.6, over five 5.6:" in text


@pytest.mark.parametrize("planted", [
    "from imlp_core.reading.inference import t_interval",
    "from imlp_core.reading.inference import judge_family as jf",
    "from scipy import stats",
    "import scipy.stats",
    "from statsmodels.stats.multitest import multipletests",
    "def f(x):\n    return t_interval(x)",
    "def f(x):\n    return inference.paired_differences(x, x)",
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


# ---------------------------------------------------------------------------------------------
# The summary's counts


def summary_counts(text: str, label: str) -> list[tuple[int, dict[str, int]]]:
    """Every line of ``text`` starting "- {label}… (n": its n and its counts by class."""
    found = []
    for line in (l for l in text.splitlines() if l.startswith(f"- {label}")):
        total = int(re.search(r"\((\d+)", line).group(1))
        tail = line.split("): ", 1)[1] if "): " in line else ""
        found.append((total, {name: int(n) for n, name in re.findall(r"(\d+) ([a-z'() ]+?)(?:,|\.$)", tail)}))
    return found


@pytest.mark.parametrize("runs", [MIXED, EMPTY], ids=["mixed", "empty"])
@pytest.mark.parametrize("profile", ["cpu", "paper"])
def test_comparison_summary_counts_sum_to_the_counted_claims_of_each_family(runs, profile):
    numbers, claims = judged(runs, profile)
    text = prose.comparison_summary(numbers, claims, profile)
    counted = summary_counts(text, "Counted, ")
    assert [total for total, _ in counted] == [len(m) for m in prose.headline_groups(claims).values()]
    assert all(total == sum(counts.values()) for total, counts in counted)
    assert sum(total for total, _ in counted) == sum(prose.headline_counted(v) for v in claims)
    [(number_total, number_counts)] = summary_counts(text, "Printed numbers")
    assert number_total == len(numbers) == sum(number_counts.values())
    assert ("no verdict is possible" in text) == (runs is EMPTY)


def test_printed_numbers_at_another_budget_are_not_compared_not_not_run():
    """Issue 36, defect 8: 07 said "Printed numbers (31): … 31 not run" where 19 ran and were not compared."""
    numbers, claims = judged(MIXED, "cpu")
    [(total, counts)] = summary_counts(prose.comparison_summary(numbers, claims, "cpu"), "Printed numbers")
    assert counts[Kind.NOT_COMPARED.value] == sum(v.kind is Kind.NOT_COMPARED for v in numbers) > 0
    assert counts.get(Kind.NOT_RUN.value, 0) == sum(v.kind is Kind.NOT_RUN for v in numbers) < total


def test_comparison_summary_reads_in_full_on_hand_made_verdicts():
    v, prior, turn = (next(c for c in claims_at("laptop") if c.id == i) for i in ("t1a-v-c10", "t1a-prior-c10",
                                                                                   "f2-cnn-turn"))
    made = [Verdict(v, "laptop", Kind.REPRODUCED, (), 3, False), Verdict(prior, "laptop", Kind.OPPOSITE, (), 3, False),
            Verdict(turn, "laptop", Kind.LOCATED_ELSEWHERE, (), 3, False, located=(0.3,))]
    assert prose.comparison_summary([], made, "cpu") == "\n".join([
        "Profile `cpu`.",
        "- Counted, the paper's claims, CIFAR-10 (1, Holm within the family): 1 reproduced, 0 cannot tell, 0 excludes "
        "the paper's effect, 0 opposite, 0 not run.",
        "- Premise (1, not counted): `t1a-prior-c10` opposite.",
        "- Exploratory (1, not counted): `f2-cnn-turn` located elsewhere.",
        "- Printed numbers (0).",
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
         "counted": "yes", "registered": "before its data", "ours (paired difference, 95 % interval)": "c1: +2.00 [+1.00, +3.00] (3 seeds)",
         "Holm-adjusted": "+2.00 [+0.50, +3.50] (3 seeds)", "paper's effect": "+6.86 ± 0.97",
         "simultaneous (Bonferroni), against the paper's effect": "+2.00 [+0.25, +3.75] (3 seeds) at 99 %", "seeds": 3,
         "verdict": "reproduced", "seeds to decide (power 0.8, at Holm's strictest level)": "—",
         "power at seeds 0–2's effect (post hoc)": "0.81 at 0.01, at a maximum picked among the α scanned (overstated)",
         "power at the held-out effect (post hoc)": "—"},
        {"id": "b", "source": "Table 1(b), CIFAR-100", "claim": "claim b", "role": "premise", "family": "held-out",
         "counted": "no: premise", "registered": "after its data", "ours (paired difference, 95 % interval)": "c1: -0.50 [-2.00, +1.00] (2 seeds)",
         "Holm-adjusted": "—", "paper's effect": "—", "simultaneous (Bonferroni), against the paper's effect": "—",
         "seeds": 2, "verdict": "other direction, cannot tell",
         "seeds to decide (power 0.8, at Holm's strictest level)": "12 at 0.05",
         "power at seeds 0–2's effect (post hoc)": "—", "power at the held-out effect (post hoc)": "—"},
        {"id": "c", "source": "Table 1(a)", "claim": "claim c", "role": "confirmatory", "family": "paper",
         "counted": "yes", "registered": "after its data", "ours (paired difference, 95 % interval)": "c1: +0.50 [-0.50, +1.50] (4 seeds)",
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
        "- Counted, the paper's claims, CIFAR-10 (2, Holm within the family): 2 reproduced, 0 cannot tell, 0 excludes "
        "the paper's effect, 0 opposite, 0 not run.",
        "- Premise (2, not counted): `p1` opposite; `p2` same direction, cannot tell.",
        "- Printed numbers (1): 1 not compared (another budget).",
        "- Reproduced: Table 1(a): claim c1; Table 1(b): claim c2."]


def test_comparison_summary_says_when_nothing_ran():
    made = [made_verdict(made_claim("c1"), Kind.NOT_RUN), made_verdict(made_claim("p1", role=Role.PREMISE), Kind.NOT_RUN)]
    assert prose.comparison_summary([], made, "synthetic").splitlines() == [
        "Profile `synthetic`.",
        "- Counted, the paper's claims, CIFAR-10 (1, Holm within the family): 0 reproduced, 0 cannot tell, 0 excludes "
        "the paper's effect, 0 opposite, 1 not run.",
        "- Premise (1, not counted): `p1` not run.",
        "- Printed numbers (0).",
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
    assert prose.option_findings({}, {}) == f"- {prose.NO_RUNS}"


def test_headline_counts_on_hand_made_verdicts():
    laptop = [made_verdict(made_claim("a"), Kind.SAME_SIGN), made_verdict(made_claim("b"), Kind.NOT_LOCATED),
              made_verdict(made_claim("p", role=Role.PREMISE), Kind.OPPOSITE)]
    paper = [made_verdict(made_claim("a"), Kind.REPRODUCED, scale="paper"),
             made_verdict(made_claim("b"), Kind.LOCATED_ELSEWHERE, scale="paper")]
    expected = pd.DataFrame([[2, 0, 2, 0, 0, 0], [2, 1, 0, 1, 0, 0]],
                            index=pd.Index(["laptop (`cpu`): the paper's claims, CIFAR-10",
                                            "H100 (`paper`): the paper's claims, CIFAR-10"],
                                           name="counted claims (Holm within each family)"),
                            columns=["claims", *COUNTED])
    pd.testing.assert_frame_equal(prose.headline_counts({"laptop": laptop, "paper": paper}), expected)


# ---------------------------------------------------------------------------------------------
# The headline and the summary (issue 36): counted by family, each fact once, the data named


def registry_verdicts(scale: str, kinds: dict[str, Kind] | None = None, kind: Kind = Kind.SAME_SIGN) -> list[Verdict]:
    """Every claim registered at ``scale`` as a hand-made verdict of ``kind`` (``kinds``: per id), each contrast at
    +1.00 [+0.50, +1.50] over 5 seeds, Holm-adjusted +1.00 [+0.25, +1.75]."""
    kinds = kinds or {}
    made = []
    for c in claims_at(scale):
        results = [ContrastResult(k.name, (1.0,) * 5, (3, 4, 5, 6, 7), Interval(1.0, 0.5, 1.5, 5),
                                  Interval(1.0, 0.25, 1.75, 5), 0.01, 0.02, k.effect if scale == "paper" else None,
                                  Interval(1.0, 0.25, 1.75, 5))
                   for k in c.contrasts]
        made.append(Verdict(c, scale, kinds.get(c.id, kind), tuple(results), 5, scale == "paper"))
    return made


# The paper-scale per-step test, registered and not yet run.
WAITING = {"paper-per-step-depth": Kind.NOT_RUN, "paper-per-step-side": Kind.NOT_RUN}
HELD = {"held-per-step-v": Kind.REPRODUCED, "held-per-step-deeper": Kind.REPRODUCED,
        "held-per-step-v-deepest": Kind.REPRODUCED, "held-cnn-prior": Kind.REPRODUCED,
        "held-mixer-prior": Kind.REPRODUCED}


def test_the_headline_counts_each_family_apart_with_premises_in_neither_and_one_fact_once():
    """Issue 36, defect 4: "laptop: 5 reproduced" counted our findings, two of them premises of the regime, and one
    fact twice (held-per-step-deeper restates held-per-step-v); the paper's claims must be counted apart."""
    laptop = registry_verdicts("laptop", HELD)
    counts = prose.headline_counts({"laptop": laptop})
    held = counts.loc["laptop (`cpu`): our held-out findings"]
    assert held["claims"] == held["reproduced"] == 2  # held-per-step-v (with -deeper) and held-per-step-v-deepest
    paper_c10 = counts.loc["laptop (`cpu`): the paper's claims, CIFAR-10"]
    assert paper_c10["reproduced"] == 0 and paper_c10["claims"] == paper_c10["cannot tell"]
    assert (counts["claims"] == counts[list(COUNTED)].sum(axis=1)).all()
    counted = {v.claim.id for v in laptop if prose.headline_counted(v)}
    assert counted.isdisjoint({"held-cnn-prior", "held-mixer-prior", "held-per-step-deeper"})
    assert counts["claims"].sum() == len(counted)


def test_a_findings_statement_says_only_what_its_contrast_tests():
    """held-per-step-deeper's contrast is a difference of two dips: it says the per-step dip is deeper, not that
    per-epoch pulls make none."""
    deeper = next(c for c in claims_at("laptop") if c.id == "held-per-step-deeper")
    assert "deeper" in deeper.statement and "do not" not in deeper.statement
    assert deeper.counted_with == "held-per-step-v"


def test_the_h100_headline_counts_the_prediction_and_keeps_cifar_100_apart():
    """Issue 36, defect 8: the H100 row was labelled CIFAR-10 but counted CIFAR-100's claims, and left out the
    registered confirmatory paper-scale test (now paper-per-step-depth and paper-per-step-side)."""
    paper = registry_verdicts("paper", kind=Kind.NOT_RUN)
    counts = prose.headline_counts({"paper": paper})
    assert counts.loc["H100 (`paper`): the law's paper-scale prediction", "claims"] == 2
    for dataset in ("CIFAR-10", "CIFAR-100"):
        row = counts.loc[f"H100 (`paper`): the paper's claims, {dataset}", "claims"]
        assert row == sum(v.counted and v.claim.dataset == dataset and v.claim.family == "paper" for v in paper)
    assert counts["claims"].sum() == len(claims_at("paper", Role.CONFIRMATORY))


def test_every_h100_verdict_is_shown_beside_its_data():
    """Issue 36, defect 9: every record is a JPEG re-encoding of CIFAR-10; the data is named beside each verdict."""
    source = "ImageFolder data/cifar10-jpeg"
    assert prose.data_text([source]) == f"a JPEG re-encoding of CIFAR-10 (`{source}`)"
    assert prose.data_text(["torchvision CIFAR10", source], named=False) == (
        "a JPEG re-encoding of CIFAR-10 and `torchvision CIFAR10`")
    laptop = registry_verdicts("laptop", HELD)
    jpeg = "a JPEG re-encoding of CIFAR-10"
    table = prose.headline_verdicts({"laptop": laptop, "paper": registry_verdicts("paper")},
                                    {"laptop": jpeg, "paper": jpeg})
    assert "H100 (`paper`), on a JPEG re-encoding of CIFAR-10" in table.columns
    assert table.set_index("id").loc["held-cnn-prior", "laptop (`cpu`), on a JPEG re-encoding of CIFAR-10"] == (
        "reproduced (a premise of the regime: not counted)")


BUDGETS = {"laptop": "5 epochs on 5,000 images", "paper": "100 epochs on 50,000 images"}
DATA = "a JPEG re-encoding of CIFAR-10 (`ImageFolder data/cifar10-jpeg`)"


def made_summary(laptop: list[Verdict], paper: list[Verdict]) -> str:
    return prose.summary({"laptop": laptop, "paper": paper}, BUDGETS, DATA, 1006, "docs/glossary.md",
                         "figures/story_alpha_scnn.png")


def test_the_summary_is_at_most_twelve_lines_of_120_and_names_scales_findings_untested_and_data():
    paper = registry_verdicts("paper", {"t1a-v-c10": Kind.EXCLUDES_EFFECT, **WAITING})
    text = made_summary(registry_verdicts("laptop", HELD), paper)
    lines = text.splitlines()
    assert len(lines) <= 12 and max(map(len, lines)) <= 120
    for words in ("**Laptop budget** (5 epochs on 5,000 images, 5 seeds)", "**H100, Appendix E's settings**",
                  "**Beyond the paper**", "**Untested**", "the per-step test at Appendix E's settings", "CIFAR-100", f"1,006 records", DATA,
                  "[glossary](docs/glossary.md)", "(figures/story_alpha_scnn.png)"):
        assert words in " ".join(text.split()), words


def test_the_summarys_numbers_are_the_verdicts_and_follow_a_changed_record():
    """Every count and interval of the summary is read from the verdicts: a changed verdict changes the text."""
    laptop, paper = registry_verdicts("laptop", HELD), registry_verdicts("paper", {"t1a-v-c10": Kind.EXCLUDES_EFFECT})
    text = " ".join(made_summary(laptop, paper).split())
    own = prose.headline_groups(laptop)["the paper's claims, CIFAR-10"]
    assert f"of the paper's {len(own)} confirmatory claims on CIFAR-10, none *reproduced* after Holm, {len(own)} " \
           f"*cannot tell*" in text
    h100 = prose.headline_groups(paper)["the paper's claims, CIFAR-10"]
    assert f"of the paper's {len(h100)} confirmatory claims on CIFAR-10, none *reproduced* after Holm, {len(h100) - 1} " \
           f"*cannot tell*, 1 *excludes the paper's effect*" in text
    assert "2 of 2 held-out findings *reproduced*" in text and "+1.00 [+0.25, +1.75]" in text
    one_more = [replace(v, kind=Kind.REPRODUCED) if v.claim.id == "t4-constant" else v for v in laptop]
    changed = " ".join(made_summary(one_more, paper).split())
    assert changed != text and f"{len(own)} confirmatory claims on CIFAR-10, 1 *reproduced* after Holm" in changed
    wider = [replace(v, contrasts=tuple(replace(c, adjusted=Interval(1.0, -0.5, 2.5, 5)) for c in v.contrasts))
             if v.claim.id == "held-per-step-v" else v for v in laptop]
    assert "+1.00 [-0.50, +2.50]" in " ".join(made_summary(wider, paper).split())


def test_once_the_paper_scale_test_has_run_the_summary_gives_its_verdict():
    ran = registry_verdicts("paper", {"paper-per-step-depth": Kind.OPPOSITE, "paper-per-step-side": Kind.NOT_RUN})
    text = " ".join(made_summary(registry_verdicts("laptop", HELD), ran).split())
    assert "(`paper-per-step-depth`): *opposite*" in text and "(1 claim, not run)" in text
    untested = registry_verdicts("paper", WAITING)
    text = " ".join(made_summary(registry_verdicts("laptop", HELD), untested).split())
    assert "the per-step test at Appendix E's settings (2 claims, not run)" in text and "*opposite*" not in text


GLOSSARY = Path(__file__).resolve().parent.parent / "docs" / "glossary.md"


def glossary_terms() -> set[str]:
    """Every term docs/glossary.md defines: each bold name of its entries, lowercased."""
    entries = re.split(r"\n(?=- \*\*)", GLOSSARY.read_text())
    return {term.lower() for entry in entries if entry.startswith("- **")
            for term in re.findall(r"\*\*([^*]+)\*\*", entry.split("\n\n")[0])}


# Each term the summary uses, as it reads there, and the glossary entry that defines it.
SUMMARY_TERMS = {"confirmatory": "confirmatory", "Holm": "holm-adjusted", "held-out findings": "held-out finding",
                 "per-step pulls": "per-step pulls", "per epoch": "per-epoch pulls", "premise": "premise",
                 "prior": "prior", "S-MLP": "s-mlp", "α": "α", "both ends": "both ends", "one fact": "one fact, counted once",
                 "Appendix E's settings": "appendix e's settings", "Laptop budget": "laptop budget", "H100": "h100",
                 "records": "record", "seeds": "seed", "JPEG re-encoding": "data", "CIFAR-100": "cifar-100",
                 "the law's prediction": "the law", "prediction": "prediction"}


def test_every_term_of_the_summary_has_a_glossary_entry():
    """Issue 36: every term a reader meets in the summary is defined in docs/glossary.md, the verdict classes too."""
    terms = glossary_terms()
    text = " ".join(made_summary(registry_verdicts("laptop", HELD), registry_verdicts("paper")).split())
    for term, entry in SUMMARY_TERMS.items():
        if term in text:
            assert entry in terms, f"the summary says {term!r}; docs/glossary.md has no entry {entry!r}"
    for italic in re.findall(r"\*([^*]+)\*", text.replace("**", "")):
        assert italic.lower() in terms, f"the summary's *{italic}* has no glossary entry"
    assert {k.value for k in Kind} <= terms, "every verdict class a table uses is in the glossary"


def test_the_glossary_wraps_at_120_and_says_where_each_term_is_computed_or_defined():
    lines = GLOSSARY.read_text().splitlines()
    assert max(map(len, lines)) <= 120
    assert len(glossary_terms()) >= 40


def test_the_legend_names_every_verdict_class_with_its_meaning():
    """The site's legend named four classes while its tables used nine: it is generated from every Kind."""
    assert set(prose.KIND_MEANINGS) == set(Kind)
    legend = prose.legend(Kind)
    assert [line.split("*")[1] for line in legend.splitlines()] == [k.value for k in Kind]
    assert prose.legend([Kind.OPPOSITE]) == f"- *opposite*: {prose.KIND_MEANINGS[Kind.OPPOSITE]}."

def test_registration_markdown_lists_the_claims_by_when_they_were_registered():
    claims = (made_claim("a", registered=Registered.BEFORE_DATA), made_claim("b"),
              made_claim("c", registered=Registered.BEFORE_DATA))
    after = "- Defined **after** their records (chosen knowing seeds 0–2, or the H100 runs): "
    assert prose.registration_markdown(claims) == \
        "- Defined **before** their records: `a`, `c`.\n" + after + "`b`."
    assert prose.registration_markdown(()) == "- Defined **before** their records: none.\n" + after + "none."


def test_the_summary_reads_in_full_on_hand_made_verdicts():
    """By hand: the laptop's 8 paper claims on CIFAR-10 all *cannot tell*; at the H100, of 10, t5-c10 reproduced,
    t1a-v-c10 excludes the effect (its first contrast, +1.00 [+0.25, +1.75] against +6.86 ± 1.94), t4-constant
    opposite, t1b-v-c10 not run, t4-linear one seed and five more cannot tell; three decided, two named; CIFAR-100's
    8 counted claims (3 laptop, 5 H100) all in the cannot-tell class."""
    laptop = registry_verdicts("laptop", HELD)
    paper = registry_verdicts("paper", {"t1a-v-c10": Kind.EXCLUDES_EFFECT, "t4-constant": Kind.OPPOSITE,
                                        "t5-c10": Kind.REPRODUCED, "t1b-v-c10": Kind.NOT_RUN, "t4-linear": Kind.ONE_SEED,
                                        **WAITING, "t1a-v-c100": Kind.ONE_SEED})
    assert made_summary(laptop, paper).splitlines() == [
        "- **Laptop budget** (5 epochs on 5,000 images, 5 seeds): of the paper's 8 confirmatory claims on CIFAR-10, none",
        "  *reproduced* after Holm, 8 *cannot tell*.",
        "- **H100, Appendix E's settings** (100 epochs on 50,000 images, 5 seeds): of the paper's 10 confirmatory claims on",
        "  CIFAR-10, 1 *reproduced* after Holm, 6 *cannot tell*, 1 *excludes the paper's effect*, 1 *opposite*, 1 *not run*.",
        "  Table 1(a) *excludes the paper's effect*: α = 0 − α = 0.01 is +1.00 [+0.25, +1.75], the paper's +6.86; Table 4",
        "  *opposite*: constant − none is +1.00 [+0.25, +1.75], the paper's +2.62; 1 more decided (notebook 07).",
        "- **Beyond the paper**, found on seeds 0–2, tested on seeds 3–7: 2 of 2 held-out findings *reproduced* after Holm:",
        "  per-step pulls put α = 0.01 below both ends, +1.00 [+0.25, +1.75] (`held-per-step-deeper` +1.00 [+0.25, +1.75]: one",
        "  fact); per-step pulls put α = 0.3 below both ends, +1.00 [+0.25, +1.75]; the priors' lead is a premise, not counted.",
        "- **Untested**: the per-step test at Appendix E's settings (2 claims, not run); at that scale Table 1(b) (not run),",
        "  Table 4 (one seed); CIFAR-100 at both scales (8 claims: 8 *cannot tell*).",
        "- **Data**: all 1,006 records train and test on a JPEG re-encoding of CIFAR-10 (`ImageFolder data/cifar10-jpeg`). Terms:",
        "  [glossary](docs/glossary.md); [the figure](figures/story_alpha_scnn.png)."]


def test_seeds_range_and_short_source():
    assert prose.seeds_range([]) == "no seeds"
    one, two, five = (made_verdict(made_claim(str(n)), Kind.SAME_SIGN, seeds=n) for n in (1, 2, 5))
    assert prose.seeds_range([one]) == "1 seed" and prose.seeds_range([five, two]) == "2–5 seeds"
    assert prose.seeds_range([one, five]) == "1–5 seeds"
    assert [prose.short_source(made_claim("x", source=s)) for s in ("Table 4 / App. F", "Figure 2 (right), Sec. 4.1",
                                                                    "Table 5")] == ["Table 4", "Figure 2 (right)", "Table 5"]


def test_the_claims_table_says_why_a_claim_is_not_counted():
    """Issue 36, defect 4, in notebook 07's table: the regime's premises and the restated fact are not counted."""
    table = prose.claims_table(registry_verdicts("laptop", HELD)).set_index("id")["counted"]
    assert table["held-per-step-v"] == table["t1a-v-c10"] == "yes"
    assert table["held-per-step-deeper"] == "no: one fact with `held-per-step-v`"
    assert table["held-cnn-prior"] == table["held-mixer-prior"] == "no: a premise of the regime"
    assert table["t1a-prior-c10"] == "no: premise" and table["f2-cnn-turn"] == "no: exploratory"


# ---------------------------------------------------------------------------------------------
# The small wordings, whole (each a literal checked by hand)


def test_the_rule_brief_reads_in_full():
    brief = prose.rule_brief("[the rule](claims.md)", {2: 25.412, 3: 8.606, 4: 6.357, 5: 5.553})
    assert max(map(len, brief.split("\n"))) <= 120 and " ".join(brief.split()) == (
        "Each claim is a set of paired per-seed differences registered in `imlp_core/reading/claims.py` at the paper's "
        "own α, judged with 95 % t-intervals over seeds, Holm-corrected within its family ([the rule](claims.md) "
        "states the rule). A 95 % t-interval over two seeds is 25.4 standard errors wide, over three 8.6, over four "
        "6.4, over five 5.6: one seed gives no verdict, two can come out *reproduced* only for a very large effect (a "
        "mean's standard error is never taken below one test image), but the paper's effect sizes can be excluded.")
    unnamed = " ".join(prose.rule_brief("r", {2: 25.4, 7: 6.0}).split())
    assert "over two seeds is 25.4 standard errors wide, over 7 6.0:" in unnamed  # a count with no word: a number


def test_the_legend_names_each_class_in_italics_or_bold_in_the_order_of_kind():
    kinds = [Kind.OPPOSITE, Kind.REPRODUCED]
    assert prose.legend(kinds) == (
        "- *reproduced*: every interval on the claim's side of zero (at the paper's scale, also near its printed "
        "effect).\n- *opposite*: an interval lies wholly on the other side of zero.")
    assert prose.legend(kinds, bold=True).split("\n")[1] == "- **opposite**: an interval lies wholly on the other side of zero."
    assert prose.legend([]) == ""


def test_budget_range_and_the_run_readout():
    assert prose.budget_range_text((4, 5), (3000, 5000)) == "4–5 epochs on 3,000–5,000 images"
    assert prose.budget_range_text((100,), (50000,)) == "100 epochs on 50,000 images"
    assert prose.run_readout(5, [0, 1], {"I-MLP": 25.432, "S-MLP": 24.1, "prior": 30.0}, 0.83219) == (
        "after 5 epochs (mean over seeds [0, 1]): I-MLP 25.43 %, S-MLP 24.10 %, prior 30.00 %; prior's share 0.832")


def test_wrapped_bullets_wrap_each_bullet_and_leave_other_lines():
    long = "- " + " ".join(["word"] * 40)
    table = "| a | " + "b " * 70 + "|"
    text = prose.wrapped_bullets("\n".join(["intro", long, table]))
    lines = text.split("\n")
    assert lines[0] == "intro" and lines[-1] == table
    assert lines[1] == "- " + " ".join(["word"] * 23) and lines[2] == "  " + " ".join(["word"] * 17)


def test_a_small_positive_difference_is_ahead_and_zero_is_level():
    ahead = prose.difference_sentence("a", "b", Interval(0.5, 0.2, 0.8, 3))
    assert ahead == "a is ahead of b: +0.50 [+0.20, +0.80] (3 seeds) points, beyond noise, uncorrected"
    level = prose.difference_sentence("a", "b", Interval(0.0, -0.2, 0.2, 3))
    assert level == "a is level with b: +0.00 [-0.20, +0.20] (3 seeds) points, within noise"


def test_comparison_summary_names_the_confirmatory_claims_counted_with_another():
    """A confirmatory claim counted once with another (``Claim.counted_with``) is listed apart, with why."""
    restated = replace(made_claim("d"), counted_with="c")
    made = [made_verdict(made_claim("c"), Kind.REPRODUCED), made_verdict(restated, Kind.REPRODUCED)]
    assert prose.comparison_summary([], made, "cpu").splitlines()[2] == (
        "- Confirmatory as registered, not counted on their own: `d` reproduced (one fact with `c`: counted once).")


def test_headline_verdicts_read_in_full_with_a_scale_of_no_shown_name():
    """One row per claim run at some scale, sorted by id: its source and statement, then at each scale its verdict
    under a column that names the data ('—' where it did not run there); a scale without a shown name keeps its own."""
    laptop = [made_verdict(made_claim("b", source="Table 4"), Kind.SAME_SIGN),
              made_verdict(made_claim("a"), Kind.REPRODUCED), made_verdict(made_claim("z"), Kind.NOT_RUN)]
    gpu = [made_verdict(made_claim("a"), Kind.OPPOSITE, scale="paper")]  # judged as the paper's scale, shown as "gpu"
    table = prose.headline_verdicts({"laptop": laptop, "gpu": gpu}, {"laptop": "x", "gpu": "y"})
    expected = pd.DataFrame({"id": ["a", "b"], "source": ["Table 1(a)", "Table 4"], "claim": ["claim a", "claim b"],
                             "laptop (`cpu`), on x": ["reproduced (confirmatory)",
                                                      "same direction, cannot tell (confirmatory)"],
                             "gpu, on y": ["opposite (confirmatory)", "—"]}, index=[1, 0])
    pd.testing.assert_frame_equal(table, expected)


def test_the_untested_line_names_only_what_is_missing():
    """Nothing waiting, no claim on one seed or not run at the H100: only CIFAR-100, whose claims ran here."""
    c100 = made_claim("c100", dataset="CIFAR-100")
    paper = [made_verdict(made_claim("a"), Kind.SAME_SIGN, scale="paper"),
             made_verdict(c100, Kind.SAME_SIGN, scale="paper")]
    laptop = [made_verdict(c100, Kind.OPPOSITE)]
    assert prose.untested_text({"laptop": laptop, "paper": paper}) == (
        "CIFAR-100 at both scales (2 claims: 1 *cannot tell*, 1 *opposite*)")
    thin = [made_verdict(made_claim("a"), Kind.ONE_SEED, scale="paper"),
            made_verdict(made_claim("b", source="Table 5"), Kind.ONE_SEED, scale="paper")]
    assert prose.untested_text({"laptop": [], "paper": thin}) == "at that scale Table 1(a) and Table 5 (one seed)"
    c100_only = {"laptop": [made_verdict(c100, Kind.NOT_RUN)], "paper": [made_verdict(c100, Kind.NOT_RUN, scale="paper")]}
    assert prose.untested_text(c100_only) == "CIFAR-100 at both scales (2 claims *not run*)"


def test_the_beyond_line_without_findings_premises_or_a_paper_scale_run():
    """No held-out finding reproduced or tested: no interval listed, no premise clause, 'none yet' for the seeds."""
    assert prose.beyond_line([], []) == (
        "- **Beyond the paper**, found on seeds 0–2, tested on seeds none yet: 0 of 0 held-out findings *reproduced* "
        "after Holm.")
    laptop = registry_verdicts("laptop", {**HELD, "held-per-step-v": Kind.SAME_SIGN, "held-per-step-v-deepest":
                                          Kind.SAME_SIGN, "held-cnn-prior": Kind.NOT_RUN})
    line = prose.beyond_line([v for v in laptop if not v.claim.regime_premise], [])
    assert line == ("- **Beyond the paper**, found on seeds 0–2, tested on seeds 3–7: 0 of 2 held-out findings "
                    "*reproduced* after Holm.")
    ran = registry_verdicts("paper", {"paper-per-step-depth": Kind.OPPOSITE, "paper-per-step-side": Kind.SAME_SIGN})
    assert prose.beyond_line([], ran).endswith(
        "after Holm; at Appendix E's settings (`paper-per-step-depth`): *opposite*; at Appendix E's settings "
        "(`paper-per-step-side`): *same direction, cannot tell*.")


def test_a_wrapped_paragraph_keeps_long_words_and_hyphens_whole_at_120():
    path = "a/" * 70  # 140 characters: never broken
    words = " ".join(["well-known"] * 30)
    assert prose.wrapped_paragraph(f"x {path} y") == f"x\n{path}\ny"
    lines = prose.wrapped_paragraph(words).split("\n")
    assert max(map(len, lines)) <= 120 and all(line.split(" ")[-1] == "well-known" for line in lines)
    assert len(lines[0]) == 120 - 120 % 11 + 10  # ten words and their spaces: 10 × 11 − 1


def test_the_first_step_table_writes_lr_and_each_alphas_interval():
    table = pd.DataFrame([{"prior": "cnn", "lr": 1e-5, "pulls": "every epoch", "α = 0": Interval(2.0, 1.0, 3.0, 3),
                           "α = 0.1": NO_INTERVAL}])
    assert prose.first_step_text(table).to_dict("records") == [
        {"prior": "cnn", "lr": "1e-05", "pulls": "every epoch", "α = 0": "2.00 [1.00, 3.00] (3 seeds)", "α = 0.1": "—"}]
    assert prose.first_step_text(pd.DataFrame()).empty


def test_wrapping_never_breaks_at_a_hyphen_and_counts_three_values_by_their_ends():
    """'well-' would fit the first line (116 characters) but a hyphenated word stays whole; a range names its ends."""
    long = "x" * 110
    assert prose.wrapped_paragraph(f"{long} well-known") == f"{long}\nwell-known"
    assert prose.wrapped(f"- {long[2:]} well-known") == f"- {long[2:]}\n  well-known"
    assert prose.wrapped("- see " + "a/" * 70) == "- see\n  " + "a/" * 70  # a long path stays whole
    assert prose.budget_range_text((3, 4, 5), (1000, 2000, 3000)) == "3–5 epochs on 1,000–3,000 images"
    assert " ".join(prose.rule_brief("r", {7: 6.0, 9: 5.0}).split()).startswith(
        "Each claim") and "A 95 % t-interval over 7 seeds is 6.0 standard errors wide, over 9 5.0:" in " ".join(
        prose.rule_brief("r", {7: 6.0, 9: 5.0}).split())
