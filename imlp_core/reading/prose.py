"""Every sentence about results, and the display tables beside them: the companion's one voice.

It receives values (``Verdict``, ``NumberVerdict``, ``OptionVerdicts``, ``Interval``, the frames ``verdicts`` and
``dip`` compute) and computes no interval, p-value, verdict or fit of its own; ``tests/test_prose.py`` keeps such code
out of it, and Markdown sentences out of every other module and notebook cell. From the top: the verdict rule and what
each class means; a verdict in words and tables (notebooks 03–08); the README's headline and summary; notebooks
03–06's findings; notebook 09 and docs/where-the-v-sits.md.
"""

from __future__ import annotations

import math
import textwrap
from typing import TYPE_CHECKING, Iterable

import pandas as pd

from imlp_core.facts import PRIOR_FACTS
from imlp_core.reading.claims import PREDICTIONS, SUPERSEDED, Claim, Registered, Role, claim as registered_claim
from imlp_core.reading.paper import PAPER_TEST_TIME_GAP, TABLE_4, TABLE_5, format_mean_std
from imlp_core.reading.claims import NEAR_FACTOR
from imlp_core.reading.inference import (
    CONFIDENCE, COUNTED, FAMILY_LEVEL, MOST_SEEDS, POWER, RESOLUTION, Interval, Kind, Verdict, format_interval,
)
from imlp_core.reading.verdicts import (
    NOTEBOOK_CLAIMS, NUMBER_TOLERANCE_FLOOR, NUMBER_TOLERANCE_SIGMAS, FirstLayerDifferences, FoundPower, NumberVerdict,
    OptionVerdicts, ScheduleDifferences, SweepDifferences, dataset_role, verdict_counts,
)

if TYPE_CHECKING:  # a type only: prose words a fitted law, it never fits one
    from imlp_core.reading.dip import Law

# ---------------------------------------------------------------------------------------------
# The verdict rule, stated once: docs/claims.md and notebook 07 print it whole, the README and the site's landing page
# its brief (:func:`rule_brief`), the glossary and the site's legend each class's meaning (:data:`KIND_MEANINGS`).
LEVEL = f"{FAMILY_LEVEL:g} / m"  # Holm's strictest level, and Bonferroni's, in a family of m contrasts
TOLERANCE = f"{NUMBER_TOLERANCE_SIGMAS:g} σ, at least {NUMBER_TOLERANCE_FLOOR:g} point"
VERDICT_RULE = (
    f"Every claim is registered in `imlp_core/reading/claims.py` before (or, for the paper's claims, after; the README says "
    f"which) the records that judge it, with the runs and the paper's α it tests, never an argmin. Each is a set of "
    f"paired per-seed differences that must all lie on the paper's side of zero (a seed fixes the shared "
    f"initialisation and data order), each with its {CONFIDENCE:.0%} Student-t interval over seeds (an accuracy "
    f"moves in steps of one test image, so a mean's standard error is never taken below {RESOLUTION:g} points). "
    "Within a family of **confirmatory** claims (one scale's paper claims; the held-out findings) every difference's "
    "p-value is Holm-corrected, and the verdict reads the *adjusted* interval (the t-interval at the level Holm spends "
    "on it): *reproduced* when every interval lies on the paper's side and, at the paper's scale, the simultaneous "
    f"one (below) reaches within the tolerance ({TOLERANCE}) of the paper's printed effect; *same* / *other "
    "direction, cannot tell* when an interval straddles zero; *excludes the paper's effect* when the simultaneous "
    f"interval over the family (Bonferroni: at 1 − {LEVEL} for m contrasts) rules the paper's effect size out "
    "(compared at the paper's scale only: at the laptop's budget only the direction is judged); *opposite* when an "
    "interval lies wholly on the other side of zero; *one seed: no verdict*; *not run*. **Premises** (the laptop "
    "regime was chosen so that the priors beat their S-MLP; α = 1 copies the prior) and **exploratory** scans (where "
    "a curve turns, with Holm over the α scanned: *not located* when no α lies below both ends beyond that noise, "
    f"*located elsewhere* when only α far from the paper's (more than a factor {NEAR_FACTOR:g} away, or outside a "
    "prediction's interval) do, counted with *excludes the paper's effect*; "
    "each claim under each of notebook 08's options) are shown apart and never counted. Beside an undecided claim: "
    f"the seeds a paired t-test would need to decide it at the observed effect and spread (power {POWER:g}, two-sided "
    f"at Holm's strictest level in its family, {LEVEL}).")


def rule_brief(rule: str, widths: dict[int, float]) -> str:
    """The rule in brief, for the README and the site's landing page: what a claim is, how it is judged, and what
    few seeds can decide. ``rule``: a link to where :data:`VERDICT_RULE` is printed whole; ``widths``: a
    t-interval's width in standard errors for some numbers of seeds (``inference.interval_widths``)."""
    seeds = sorted(widths)
    spelled = {2: "two", 3: "three", 4: "four", 5: "five"}
    confidence = f"{CONFIDENCE * 100:g} %"
    over = ", over ".join(f"{spelled.get(n, n)} {widths[n]:.1f}" for n in seeds[1:])
    return wrapped_paragraph(
        "Each claim is a set of paired per-seed differences registered in `imlp_core/reading/claims.py` at the paper's "
        f"own α, judged with {confidence} t-intervals over seeds, Holm-corrected within its family ({rule} states "
        f"the rule). A {confidence} t-interval over {spelled.get(seeds[0], seeds[0])} seeds is "
        f"{widths[seeds[0]]:.1f} standard errors wide, over {over}: one seed gives no verdict, two can come out "
        "*reproduced* only for a very large effect (a mean's standard error is never taken below one test image), but "
        "the paper's effect sizes can be excluded.")


# What each verdict class means, in one line: the site's legend (:func:`legend`) and docs/glossary.md.
KIND_MEANINGS = {
    Kind.REPRODUCED: "every interval on the claim's side of zero (at the paper's scale, also near its printed effect)",
    Kind.SAME_SIGN: "the means on the claim's side, but an interval straddles zero: the seeds cannot tell",
    Kind.OTHER_SIGN: "the means on the other side, but an interval straddles zero: the seeds cannot tell",
    Kind.EXCLUDES_EFFECT: "an interval rules out the paper's printed effect size (compared at the paper's scale only)",
    Kind.CANNOT_TELL: ("in the headline's counts, *same direction, cannot tell* and *other direction, cannot tell* "
                       "together; for a printed number, an interval that reaches both inside and outside the paper's "
                       "tolerance"),
    Kind.OPPOSITE: "an interval lies wholly on the other side of zero",
    Kind.NOT_LOCATED: "a scan over α finds no α below both ends beyond its noise (Holm over the α scanned)",
    Kind.LOCATED_ELSEWHERE: "a scan finds α below both ends, but only far from where the claim puts them",
    Kind.ONE_SEED: "a single seed gives no interval, so no verdict is possible",
    Kind.NOT_COMPARED: "a printed number at another budget than the paper's: not compared",
    Kind.NOT_RUN: "no runs at this scale",
}


def legend(kinds: Iterable[Kind], bold: bool = False) -> str:
    """Markdown: each verdict class of ``kinds`` (in the order of :class:`Kind`) with its meaning, the class's name in
    italics (the site's legend) or bold (``bold``: the glossary's entries)."""
    shown, mark = set(kinds), "**" if bold else "*"
    return "\n".join(f"- {mark}{kind.value}{mark}: {KIND_MEANINGS[kind]}." for kind in Kind if kind in shown)


# ---------------------------------------------------------------------------------------------
# A verdict in words and tables (notebooks 03–08)

NO_RUNS = "No runs of the open choices in the result store (with stored runs only, nothing is trained)."


def signed(interval: Interval) -> str:
    return format_interval(interval, signed=True)


def seeds_text(needed: int | None) -> str:
    """'12', 'more than 1000', or '—'."""
    if needed is None:
        return "—"
    return f"more than {MOST_SEEDS}" if needed > MOST_SEEDS else str(needed)


def level_text(level: float) -> str:
    """A two-sided test level: '0.05', '0.0038'."""
    return f"{level:.2g}"


def seeds_to_decide_text(verdict: Verdict) -> str:
    """'18 at 0.0038': the seeds an undecided claim needs, at the level of its test (Holm's strictest); or '—'."""
    if verdict.seeds_needed is None:
        return "—"
    return f"{seeds_text(verdict.seeds_needed)} at {level_text(verdict.level)}"


def found_power_text(power: FoundPower | None) -> str:
    """'0.98 at 0.01': a held-out finding's power at the effect seen where it was found (post hoc), marked where that
    effect is a maximum picked among many; or '—'."""
    if power is None or math.isnan(power.power):
        return "—"
    picked = ", at a maximum picked among the α scanned (overstated)" if power.picked else ""
    return f"{power.power:.2f} at {level_text(power.level)}{picked}"


def own_power_text(verdict: Verdict) -> str:
    """'0.22 at 0.01': the power of the claim's test at its own effect and spread (post hoc), or '—'."""
    return "—" if math.isnan(verdict.power) else f"{verdict.power:.2f} at {level_text(verdict.level)}"


def simultaneous_text(verdict: Verdict) -> str:
    """Each contrast's simultaneous (Bonferroni) interval and its confidence, where the paper's effect is compared
    with it ('—' elsewhere)."""
    if not verdict.compares_effect or verdict.kind is Kind.NOT_RUN or not any(c.effect for c in verdict.contrasts):
        return "—"
    return "; ".join(f"{signed(c.simultaneous)} at {100 * (1 - c.level):.3g} %" for c in verdict.contrasts)


def ours_text(verdict: Verdict) -> str:
    """Each contrast's per-seed interval, or where a turn was located."""
    if verdict.claim.turn is not None:
        if verdict.kind is Kind.NOT_RUN:
            return "—"
        where = ", ".join(f"{a:g}" for a in verdict.located)
        return f"below both ends beyond the scan's noise at α ∈ {{{where}}}" if where else "no α below both ends beyond the scan's noise"
    if verdict.kind is Kind.NOT_RUN:
        return "—"
    return "; ".join(f"{c.name}: {signed(c.interval)}" for c in verdict.contrasts)


def adjusted_text(verdict: Verdict) -> str:
    """The Holm-adjusted intervals of a confirmatory claim ('—' where nothing was adjusted)."""
    if verdict.role is not Role.CONFIRMATORY or verdict.kind is Kind.NOT_RUN or verdict.claim.equal:
        return "—"
    return "; ".join(f"{signed(c.adjusted)}" for c in verdict.contrasts)


def paper_text(verdict: Verdict) -> str:
    """The paper's effect of each contrast, where it prints one."""
    effects = [c.effect for c in verdict.claim.contrasts]
    if not any(effects):
        return "—"
    return "; ".join("—" if e is None else f"{e.mean:+.2f}" + (f" ± {e.std:.2f}" if e.std else "") for e in effects)


def claims_table(verdicts: list[Verdict], power: dict[str, FoundPower] | None = None) -> pd.DataFrame:
    """One row per claim: its id, source, statement, role, family, whether the headline counts it (a premise of the
    regime and a restated fact are not), when it was registered, our intervals, the adjusted ones, the paper's effect
    and the simultaneous intervals compared with it, the seeds, the verdict, the seeds an undecided claim would need,
    and (``power``, for the held-out findings) the power its test had, post hoc, at the effect it was found with and
    at the effect the held-out seeds show."""
    power = power or {}
    return pd.DataFrame([{
        "id": v.claim.id, "source": v.claim.source + ("" if v.claim.dataset == "CIFAR-10" else f", {v.claim.dataset}"),
        "claim": v.claim.statement, "role": v.role.value, "family": v.claim.family,
        "counted": counted_text(v),
        "registered": v.claim.registered.value,
        "ours (paired difference, 95 % interval)": ours_text(v), "Holm-adjusted": adjusted_text(v),
        "paper's effect": paper_text(v) if v.compares_effect or paper_text(v) == "—" else "not compared (another budget)",
        "simultaneous (Bonferroni), against the paper's effect": simultaneous_text(v),
        "seeds": v.seeds, "verdict": v.kind.value,
        "seeds to decide (power 0.8, at Holm's strictest level)": seeds_to_decide_text(v),
        "power at seeds 0–2's effect (post hoc)": found_power_text(power.get(v.claim.id)),
        "power at the held-out effect (post hoc)": own_power_text(v) if v.claim.id in power else "—"}
        for v in verdicts])


def numbers_table(verdicts: list[NumberVerdict], profile_name: str) -> pd.DataFrame:
    """Every printed number: the paper's, ours, the difference, the tolerance and the verdict."""
    return pd.DataFrame([{
        "source": v.number.source, "model": v.number.row, "dataset": v.number.dataset,
        "paper": format_mean_std(v.number.mean, v.number.std), "ours": format_interval(v.ours),
        "difference": round(v.ours.mean - v.number.mean, 2) if v.ours.n else math.nan, "seeds": v.ours.n,
        "tolerance": f"± {v.tolerance:.2f}", "profile": profile_name, "our dataset": v.dataset or "skipped",
        "verdict": v.kind.value} for v in verdicts])


def counts_text(counts: dict[str, int]) -> str:
    return ", ".join(f"{n} {name}" for name, n in counts.items())


def comparison_summary(numbers: list[NumberVerdict], verdicts: list[Verdict], profile_name: str) -> str:
    """Markdown: the counted claims per family (their counts sum to the family's claims), the confirmatory claims
    not counted on their own, the premises and the exploratory scans apart, and the printed numbers by verdict."""
    lines = [f"Profile `{profile_name}`."]
    for group, members in headline_groups(verdicts).items():
        lines.append(f"- Counted, {group} ({len(members)}, Holm within the family): "
                     f"{counts_text(verdict_counts(members))}.")
    apart = [v for v in verdicts if v.counted and not headline_counted(v)]
    if apart:
        lines.append("- Confirmatory as registered, not counted on their own: "
                     + "; ".join(f"`{v.claim.id}` {v.kind.value} ({role_text(v)})" for v in apart) + ".")
    for role in (Role.PREMISE, Role.EXPLORATORY):
        chosen = [v for v in verdicts if v.role is role]
        if chosen:
            lines.append(f"- {role.value.capitalize()} ({len(chosen)}, not counted): "
                         + "; ".join(f"`{v.claim.id}` {v.kind.value}" for v in chosen) + ".")
    by_kind = {kind.value: sum(v.kind is kind for v in numbers) for kind in Kind}
    lines.append(f"- Printed numbers ({len(numbers)})"
                 + (f": {counts_text({k: n for k, n in by_kind.items() if n})}." if numbers else "."))
    held = [v for v in verdicts if headline_counted(v) and v.kind is Kind.REPRODUCED]
    if held:
        lines.append("- Reproduced: " + "; ".join(f"{v.claim.source}: {v.claim.statement}" for v in held) + ".")
    if all(v.kind is Kind.NOT_RUN for v in verdicts):
        lines.append("- Nothing here was trained on the paper's data in this profile, so no verdict is possible; "
                     "run the `cpu` or `paper` profile.")
    return "\n".join(lines)


def claims_by_option_table(by_option: dict[str, list[Verdict]]) -> pd.DataFrame:
    """Exploratory: one row per claim, the option values under which each class of verdict came out."""
    columns = ["id", "source", "claim", "reproduced under", "cannot tell under", "excludes the paper's effect under",
               "opposite under"]
    if not by_option:
        return pd.DataFrame(columns=columns)
    first = next(iter(by_option.values()))
    rows = []
    for i, verdict in enumerate(first):
        under = lambda name: ", ".join(o for o, vs in by_option.items() if vs[i].kind in COUNTED[name]) or "—"
        rows.append({"id": verdict.claim.id, "source": verdict.claim.source, "claim": verdict.claim.statement,
                     **{f"{name} under": under(name) for name in
                        ("reproduced", "cannot tell", "excludes the paper's effect", "opposite")}})
    return pd.DataFrame(rows, columns=columns)


def v_text(option: OptionVerdicts) -> str:
    deepest = option.scan.deepest
    if deepest is None:
        return "no interior α lies below both ends beyond the scan's noise (Holm over the α scanned)"
    alpha, drop = deepest
    where = ", ".join(f"{a:g}" for a in option.scan.v_alphas)
    return f"yes, at α ∈ {{{where}}}; deepest α = {alpha:g}: {signed(drop)} below both ends"


def option_claim_text(verdict: Verdict) -> str:
    if verdict.kind is Kind.NOT_RUN:
        return "not run"
    return f"{verdict.kind.value} ({ours_text(verdict)})"


def option_table(table: dict[str, OptionVerdicts]) -> pd.DataFrame:
    """Notebook 08's verdicts as a display table: one row per option value, the default first."""
    rows = {option: {"seeds": v.seeds, "S-MLP (α = 0)": format_interval(v.smlp), "prior": format_interval(v.prior),
                     "α = 1 − prior": signed(v.one_minus_prior), "V (exploratory scan)": v_text(v),
                     "Table 4 ordering": option_claim_text(v.claims["t4-linear"]),
                     "test-time only below none and the CNN": option_claim_text(v.claims["t4-test-time"])}
            for option, v in table.items()}
    frame = pd.DataFrame.from_dict(rows, orient="index")
    frame.index.name = "option"
    return frame


def option_findings(table: dict[str, OptionVerdicts], predictions: dict[str, float | None]) -> str:
    """Markdown bullets: which option values show a V beyond the scan's noise and where, Table 4's ordering, the
    test-time gap, α = 1 against the prior, and the S-MLP's balance alpha against where the V lies."""
    if not table:
        return f"- {NO_RUNS}"
    with_v = [f"`{o}` ({v_text(v).removeprefix('yes, ')})" for o, v in table.items() if v.scan.deepest]
    ordering: dict[str, list[str]] = {}
    for option, v in table.items():
        if v.claims["t4-linear"].kind is not Kind.NOT_RUN:
            ordering.setdefault(v.claims["t4-linear"].kind.value, []).append(f"`{option}`")
    lines = ["- The V (an interior α below both ends per seed, Holm over the α scanned; exploratory): "
             + ("; ".join(with_v) if with_v else "under no option value") + ".",
             "- Table 4's ordering (linear decay below constant α = 0.5 and below k = 4): "
             + ("; ".join(f"{kind} under {', '.join(options)}" for kind, options in ordering.items())
                or "no option value runs the schedules") + ".",
             f"- Test-time only below no interpolation and the CNN (the paper: {PAPER_TEST_TIME_GAP:+.1f} points "
             "below no interpolation): " + "; ".join(
                 f"`{o}` {option_claim_text(v.claims['t4-test-time'])}" for o, v in table.items()
                 if v.claims["t4-test-time"].kind is not Kind.NOT_RUN) + ".",
             "- α = 1 minus the prior, per seed: " + "; ".join(f"`{o}` {signed(v.one_minus_prior)}"
                                                          for o, v in table.items())
             + " (0 exactly where α = 1 copies the prior)."]
    for option, predicted in predictions.items():
        v = table.get(option)
        where = "{" + ", ".join(f"{a:g}" for a in v.scan.v_alphas) + "}" if v and v.scan.v_alphas else "no α"
        lines.append(f"- Balance under `{option}`: " + (
            f"one pull of α ≈ {predicted:.2g} matches the norm of the S-MLP's drift between two pulls" if predicted else
            "its S-MLP runs carry no drift measurement (recorded from a later version on)")
            + f"; below both ends beyond noise: {where}.")
    return "\n".join(lines)


def registry_sentence(verdict: Verdict) -> str:
    """'**same direction, cannot tell** (confirmatory; the registry's verdict: Holm within its family, notebook 07) —
    uncorrected: α = 0 − α = 0.01: +0.11 [-0.15, +0.37] (5 seeds); Holm-adjusted: …' for notebooks 03–06."""
    if verdict.kind is Kind.NOT_RUN:
        return "**not run** in this profile"
    where = "the registry's verdict" + (": Holm within its family" if verdict.counted else "") + ", notebook 07"
    adjusted = adjusted_text(verdict)
    needed = f"; seeds to decide: {seeds_text(verdict.seeds_needed)}" if verdict.seeds_needed else ""
    return (f"**{verdict.kind.value}** ({role_text(verdict)}; {where}) — "
            + ("" if verdict.claim.turn else "uncorrected: ") + ours_text(verdict)
            + (f"; Holm-adjusted: {adjusted}" if adjusted != "—" else "") + needed)


def verdict_sentence(verdict: Verdict) -> str:
    """'**reproduced** — α = 0 − α = 0.01: +1.20 [+0.40, +2.00] (5 seeds); …' for a notebook's findings."""
    if verdict.kind is Kind.NOT_RUN:
        return "**not run** in this profile"
    needed = f"; seeds to decide: {seeds_to_decide_text(verdict)}" if verdict.seeds_needed else ""
    return f"**{verdict.kind.value}** ({verdict.role.value}) — {ours_text(verdict)}{needed}"


# ---------------------------------------------------------------------------------------------
# The README's headline and summary, and the site's landing page: both scales

SCALES_SHOWN = {"laptop": "laptop (`cpu`)", "paper": "H100 (`paper`)"}
FAMILIES_SHOWN = {"paper": "the paper's claims", "held-out": "our held-out findings",
                  "prediction": "the law's paper-scale prediction"}
# What a record's data source is, in words; a source not named here is shown as the record names it.
SOURCES_SHOWN = {"ImageFolder data/cifar10-jpeg": "a JPEG re-encoding of CIFAR-10"}


def data_text(sources: Iterable[str], named: bool = True) -> str:
    """What records trained and were tested on: 'a JPEG re-encoding of CIFAR-10 (`ImageFolder data/cifar10-jpeg`)'
    (``named=False``: without the source as the records name it, where a source has words of its own)."""
    sources = sorted(set(sources))
    if not sources:
        return "no records"
    return " and ".join((f"{SOURCES_SHOWN[s]} (`{s}`)" if named else SOURCES_SHOWN[s]) if s in SOURCES_SHOWN
                        else f"`{s}`" for s in sources)


def headline_counted(verdict: Verdict) -> bool:
    """Whether a verdict is counted in the headline: confirmatory, not a premise of the regime, and not a restatement
    of another claim's fact (``Claim.counted_with``: counted once, with that claim)."""
    return verdict.counted and not verdict.claim.regime_premise and verdict.claim.counted_with is None


def role_text(verdict: Verdict) -> str:
    """'confirmatory', 'premise', 'exploratory', or why a confirmatory claim is not counted on its own."""
    if verdict.claim.regime_premise:
        return "a premise of the regime: not counted"
    if verdict.claim.counted_with:
        return f"one fact with `{verdict.claim.counted_with}`: counted once"
    return verdict.role.value


def counted_text(verdict: Verdict) -> str:
    """'yes' where the headline counts a verdict, else why not: 'no: premise', 'no: a premise of the regime', 'no:
    one fact with `held-per-step-v`'."""
    if headline_counted(verdict):
        return "yes"
    if verdict.claim.regime_premise:
        return "no: a premise of the regime"
    if verdict.claim.counted_with:
        return f"no: one fact with `{verdict.claim.counted_with}`"
    return f"no: {verdict.role.value}"


def headline_groups(verdicts: list[Verdict]) -> dict[str, list[Verdict]]:
    """One scale's counted verdicts (:func:`headline_counted`) by family; the paper's claims by dataset too."""
    groups: dict[str, list[Verdict]] = {}
    for v in verdicts:
        if headline_counted(v):
            family = FAMILIES_SHOWN.get(v.claim.family, v.claim.family)
            groups.setdefault(family + (f", {v.claim.dataset}" if v.claim.family == "paper" else ""), []).append(v)
    return groups


def headline_counts(by_scale: dict[str, list[Verdict]]) -> pd.DataFrame:
    """The headline's counts: per scale and family, the counted claims and how many fall in each class (they sum)."""
    rows = {f"{SCALES_SHOWN.get(scale, scale)}: {group}": {"claims": len(members), **verdict_counts(members)}
            for scale, verdicts in by_scale.items() for group, members in headline_groups(verdicts).items()}
    counts = pd.DataFrame.from_dict(rows, orient="index")
    counts.index.name = "counted claims (Holm within each family)"
    return counts


def headline_verdicts(by_scale: dict[str, list[Verdict]], data: dict[str, str]) -> pd.DataFrame:
    """Every claim run at some scale: its id, source and statement, and at each scale its verdict and whether it is
    counted, under a column that names the data it was judged on."""
    rows: dict[str, dict[str, str]] = {}
    ran = {v.claim.id for verdicts in by_scale.values() for v in verdicts if v.kind is not Kind.NOT_RUN}
    for scale, verdicts in by_scale.items():
        column = f"{SCALES_SHOWN.get(scale, scale)}, on {data[scale]}"
        for v in verdicts:
            if v.claim.id in ran:
                row = rows.setdefault(v.claim.id, {"id": v.claim.id, "source": v.claim.source,
                                                   "claim": v.claim.statement})
                row[column] = f"{v.kind.value} ({role_text(v)})"
    return pd.DataFrame(list(rows.values())).sort_values("id", kind="stable").fillna("—")


def share_text(members: list[Verdict]) -> str:
    """'6 *cannot tell*, 1 *excludes the paper's effect*' over the classes that occur (``verdict_counts``)."""
    return ", ".join(f"{n} *{name}*" for name, n in verdict_counts(members).items() if n)


def brief(interval: Interval) -> str:
    """'+3.88 [+1.33, +6.42]': an interval without its seeds (the sentence names them once)."""
    return f"{interval.mean:+.2f} [{interval.low:+.2f}, {interval.high:+.2f}]"


def seeds_range(verdicts: list[Verdict]) -> str:
    """'5 seeds', '1–2 seeds': the fewest and most seeds of the verdicts that ran."""
    seeds = sorted({v.seeds for v in verdicts if v.seeds})
    if not seeds:
        return "no seeds"
    span = str(seeds[0]) if seeds[0] == seeds[-1] else f"{seeds[0]}–{seeds[-1]}"
    return f"{span} seed{'s' if seeds[-1] > 1 else ''}"


def decided_text(members: list[Verdict], most: int = 2) -> str:
    """The first ``most`` decided claims, each with the contrast that decided it (the first that excludes the paper's
    effect, else the first) against the paper's effect where compared; how many more were decided."""
    decided = [v for v in members if v.decided]
    parts = []
    for v in decided[:most]:
        c = next((c for c in v.contrasts if c.excludes_effect()), v.contrasts[0])
        parts.append(f"{short_source(v.claim)} *{v.kind.value}*: {c.name} is {brief(c.adjusted)}"
                     + (f", the paper's {c.effect.mean:+.2f}" if c.effect else ""))
    return "; ".join(parts) + (f"; {len(decided) - most} more decided (notebook 07)" if len(decided) > most else "")


def short_source(claim: Claim) -> str:
    """'Table 4 / App. F' -> 'Table 4'; 'Figure 2 (right), Sec. 4.1' -> 'Figure 2 (right)'."""
    return claim.source.split(" / ")[0].split(", ")[0]


def wrapped_paragraph(text: str) -> str:
    """A Markdown paragraph wrapped at 120 characters."""
    return textwrap.fill(text, 120, break_long_words=False, break_on_hyphens=False)


def wrapped(text: str) -> str:
    """A Markdown bullet wrapped at 120 characters."""
    return textwrap.fill(text, 120, subsequent_indent="  ", break_long_words=False, break_on_hyphens=False)


def wrapped_bullets(markdown: str) -> str:
    """Each Markdown bullet of ``markdown`` wrapped at 120 characters (:func:`wrapped`); other lines as they are."""
    return "\n".join(wrapped(line) if line.startswith("- ") else line for line in markdown.splitlines())


def untested_text(by_scale: dict[str, list[Verdict]]) -> str:
    """What has not been tested: the prediction at the paper's scale, the paper's CIFAR-10 claims there on one
    seed or none, and CIFAR-100."""
    paper = by_scale["paper"]
    waiting = [v for v in paper if v.claim.family == "prediction" and headline_counted(v) and v.kind is Kind.NOT_RUN]
    parts = ([f"the per-step test at Appendix E's settings ({len(waiting)} claim{'s' * (len(waiting) > 1)}, "
              f"{Kind.NOT_RUN.value})"] if waiting else [])
    thin = headline_groups(paper).get(f"{FAMILIES_SHOWN['paper']}, CIFAR-10", [])
    there = [f"{' and '.join(dict.fromkeys(short_source(v.claim) for v in thin if v.kind is kind))} ({words})"
             for kind, words in ((Kind.NOT_RUN, "not run"), (Kind.ONE_SEED, "one seed"))
             if any(v.kind is kind for v in thin)]
    if there:
        parts.append("at that scale " + ", ".join(there))
    c100 = [v for verdicts in by_scale.values() for v in verdicts
            if headline_counted(v) and v.claim.dataset == "CIFAR-100"]
    if c100:
        ran = all(v.kind is Kind.NOT_RUN for v in c100)
        parts.append(f"CIFAR-100 at both scales ({len(c100)} claims"
                     + (" *not run*)" if ran else f": {share_text(c100)})"))
    return "; ".join(parts)


def budget_range_text(epochs: tuple[int, ...], images: tuple[int, ...]) -> str:
    """'4–5 epochs on 3,000–5,000 images': the fewest and most of each (``JudgedStore.epochs``, ``.images``)."""
    span = lambda values: f"{values[0]:,}" if values[0] == values[-1] else f"{values[0]:,}–{values[-1]:,}"
    return f"{span(epochs)} epochs on {span(images)} images"


def scale_line(verdicts: list[Verdict], shown: str, budget: str) -> str:
    """One scale's bullet: how many of the paper's counted CIFAR-10 claims reproduce, the rest by class, and the
    claims decided either way with the contrast that decided them."""
    own = headline_groups(verdicts).get(f"{FAMILIES_SHOWN['paper']}, CIFAR-10", [])
    reproduced = sum(v.kind is Kind.REPRODUCED for v in own)
    rest = share_text([v for v in own if v.kind is not Kind.REPRODUCED])
    decided = decided_text(own)
    return (f"- **{shown}** ({budget}, {seeds_range(own)}): of the paper's {len(own)} confirmatory claims on "
            f"CIFAR-10, {reproduced or 'none'} *reproduced* after Holm" + (f", {rest}" if rest else "")
            + (f". {decided}." if decided else "."))


def beyond_line(laptop: list[Verdict], paper: list[Verdict]) -> str:
    """The held-out findings' bullet: how many reproduce on their held-out seeds after Holm, each with its adjusted
    interval (a restated fact beside the claim it restates), the premises left uncounted, and the paper-scale
    prediction's verdict once it has run."""
    held = [v for v in laptop if v.claim.family == "held-out"]
    counted = [v for v in held if headline_counted(v)]
    restated = {v.claim.counted_with: v for v in held if v.claim.counted_with}
    found = "; ".join(f"{v.claim.statement}, {brief(v.contrasts[0].adjusted)}" + (
        f" (`{restated[v.claim.id].claim.id}` {brief(restated[v.claim.id].contrasts[0].adjusted)}: one fact)"
        if v.claim.id in restated else "") for v in counted if v.kind is Kind.REPRODUCED)
    premises = [v for v in held if v.claim.regime_premise]
    tested = sorted({seed for v in counted for c in v.contrasts for seed in c.seeds})
    seeds = f"{tested[0]}–{tested[-1]}" if tested else "none yet"
    ran = [v for v in paper if v.claim.family == "prediction" and headline_counted(v) and v.kind is not Kind.NOT_RUN]
    return (f"- **Beyond the paper**, found on seeds 0–2, tested on seeds {seeds}: "
            f"{sum(v.kind is Kind.REPRODUCED for v in counted)} of {len(counted)} held-out findings *reproduced* after "
            f"Holm" + (f": {found}" if found else "")
            + ("; the priors' lead is a premise, not counted" if premises else "")
            + "".join(f"; at Appendix E's settings (`{v.claim.id}`): *{v.kind.value}*" for v in ran) + ".")


def summary(by_scale: dict[str, list[Verdict]], budgets: dict[str, str], data: str, records: int, glossary: str,
            figure: str) -> str:
    """The answer first (README, the site's landing page, notebook 07), from both scales' verdicts: what reproduces
    at each, what this companion found beyond the paper and how it was tested, what is untested, on what data.
    ``glossary`` and ``figure``: their paths relative to where the text is shown. At most 12 lines of 120."""
    lines = [scale_line(by_scale["laptop"], "Laptop budget", budgets["laptop"]),
             scale_line(by_scale["paper"], "H100, Appendix E's settings", budgets["paper"]),
             beyond_line(by_scale["laptop"], by_scale["paper"]),
             f"- **Untested**: {untested_text(by_scale)}.",
             f"- **Data**: all {records:,} records train and test on {data}. Terms: [glossary]({glossary}); "
             f"[the figure]({figure})."]
    return "\n".join(wrapped(line) for line in lines)


def registration_markdown(claims: tuple[Claim, ...]) -> str:
    """The README's list of which registered claims were defined before the records that judge them, and which
    after (git shows the order: ``git log -- imlp_core/reading/claims.py`` against the records' commits)."""
    def ids(when: Registered) -> str:
        return ", ".join(f"`{c.id}`" for c in claims if c.registered is when) or "none"

    return (f"- Defined **before** their records: {ids(Registered.BEFORE_DATA)}.\n"
            f"- Defined **after** their records (chosen knowing seeds 0–2, or the H100 runs): "
            f"{ids(Registered.AFTER_DATA)}.")


# ---------------------------------------------------------------------------------------------
# Notebooks 03–06: each dataset's findings under its figure

def difference_sentence(name_a: str, name_b: str, difference: Interval) -> str:
    """'the S-CNN is ahead of the S-MLP: +6.90 [+4.10, +9.70] (3 seeds) points, beyond noise' from the per-seed
    differences a − b; a difference whose interval reaches across zero is said to be within noise, one that does not
    beyond noise *uncorrected* (the registry's verdicts carry Holm's correction)."""
    if difference.n == 0:
        return f"{name_a} and {name_b} could not both be measured"
    verb = "ahead of" if difference.mean > 0 else "behind" if difference.mean < 0 else "level with"
    noise = "beyond noise, uncorrected" if difference.low > 0 or difference.high < 0 else "within noise"
    if difference.n < 2:
        noise = "one seed: no interval, so within noise"
    return f"{name_a} is {verb} {name_b}: {format_interval(difference, signed=True)} points, {noise}"


def budget_sentence(runs: pd.DataFrame) -> str:
    """'2 epochs on 600 training images of synthetic (source: ...), Adam lr 0.001, 3 seeds, 10,000 test images'."""
    first = runs.iloc[0]
    images = "all" if pd.isna(first["train_subset"]) else f"{int(first['train_subset']):,}"
    seeds = runs["seed"].nunique()
    lrs = " and ".join(f"{lr:g}" for lr in sorted(set(runs["lr"]), reverse=True))  # notebook 09 runs two
    return (f"{int(first['epochs'])} epochs on {images} training images of `{first['dataset']}` "
            f"(source: {first['source']}), Adam lr {lrs}, {seeds} seed{'s' if seeds > 1 else ''}")


def claim_bullets(runs: pd.DataFrame, experiment: str, registry: dict[str, Verdict]) -> list[str]:
    """One bullet per registered claim of ``experiment``'s notebook (:data:`imlp_core.reading.verdicts.NOTEBOOK_CLAIMS`; a
    prior added later has none) whose dataset role ``runs`` play: the registry's verdict, as notebook 07 gives it
    (``registry``: ``judged.registry_verdicts``), with its intervals uncorrected and Holm-adjusted."""
    role = dataset_role(runs)
    return [f"- {claim.source}, `{claim.id}`: {claim.statement}: {registry_sentence(registry[claim.id])}."
            for claim in map(registered_claim, NOTEBOOK_CLAIMS.get(experiment, ())) if claim.dataset == role]


def budget_bullet(runs: pd.DataFrame) -> str:
    """'- Budget: 2 epochs on 600 training images of …, 3 seeds.' (:func:`budget_sentence`), a findings' first line."""
    return f"- Budget: {budget_sentence(runs)}."


def sweep_findings(runs: pd.DataFrame, differences: SweepDifferences, registry: dict[str, Verdict]) -> str:
    """Markdown bullets on one dataset's α sweep (``differences``: ``verdicts.sweep_differences`` of ``runs``): ends,
    α = 1 against the prior (premises), then the registered claims (:data:`NOTEBOOK_CLAIMS`), each a paired per-seed
    difference with its 95 % interval."""
    prior_label = PRIOR_FACTS[runs["prior"].iloc[0]].display_name
    lines = [budget_bullet(runs),
             f"- Ends (a premise of the laptop regime): at this budget "
             f"{difference_sentence(f'the {prior_label}', 'the S-MLP (α = 0)', differences.prior_minus_mlp)}; "
             f"the paper (100 epochs) has the prior ahead."]
    if differences.one_minus_prior is not None:
        lines.append(f"- Equivalence at α = 1 (a premise): the I-MLP minus its prior is "
                     f"{format_interval(differences.one_minus_prior, signed=True)} points (Algorithm 1 "
                     f"with every layer pulled at α = 1 copies the prior: 0 exactly).")
    return "\n".join(lines + claim_bullets(runs, runs["experiment"].iloc[0], registry))


def schedule_findings(runs: pd.DataFrame, d: ScheduleDifferences, registry: dict[str, Verdict]) -> str:
    """Markdown bullets on one dataset's schedule sweep (Table 4's claims; ``d``: ``verdicts.schedule_differences``
    of ``runs``), as paired per-seed differences, each beside Table 4's numbers."""
    a = d.alpha
    table4 = {(n.schedule, n.alpha, n.k, n.metric): n.mean for n in TABLE_4}
    none, prior = table4["constant", 0.0, 0.0, "test_acc"], table4["constant", 0.0, 0.0, "prior_test_acc"]
    lines = [budget_bullet(runs),
             f"- Test-time only: {difference_sentence(f'α_test = {a:g}', 'no interpolation', d.test_time_minus_none)}, "
             f"and {difference_sentence('it', 'the CNN', d.test_time_minus_prior)} (Table 4, α_test = 0.5: "
             f"{table4['test-time', 0.5, 0.0, 'test_acc']:.2f} %, against {none:.2f} % without interpolation and "
             f"{prior:.2f} % for the CNN).",
             f"- Constant: {difference_sentence(f'constant α = {a:g}', 'no interpolation', d.constant_minus_none)} "
             f"(Table 4, α = 0.5: {table4['constant', 0.5, 0.0, 'test_acc']:.2f} %, against {none:.2f} % without "
             "interpolation)."]
    if d.decays:
        decays = {k: mean for (schedule, _, k, _), mean in table4.items() if schedule == "decay"}
        lines.append("- Decay exponents run: " + ", ".join(f"k = {k:g}: {format_interval(v)}" for k, v in d.decays.items())
                     + " (Table 4, a = 0.5: " + ", ".join(f"k = {k:g}: {m:.2f} %" for k, m in decays.items()) + ").")
    return "\n".join(lines + claim_bullets(runs, "schedules", registry))


def first_layer_findings(runs: pd.DataFrame, d: FirstLayerDifferences, alpha: float, registry: dict[str, Verdict]
                         ) -> str:
    """Markdown bullets on one dataset's Table 5 runs (``d``: ``verdicts.first_layer_differences`` of ``runs``):
    MLP-1 (six interpolated layers) against MLP-2 (one wide), each gain a paired per-seed difference with its
    interval."""
    one, two = dict.fromkeys(number.prior for number in TABLE_5)
    name = {prior: PRIOR_FACTS[prior].display_name for prior in (one, two)}
    base, gain = d.baseline, d.gain
    paper = {(n.prior, n.alpha): n.mean for n in TABLE_5 if n.dataset == "CIFAR-10"}
    paper_gain = {prior: paper[prior, alpha] - paper[prior, 0.0] for prior in (one, two)}
    return "\n".join([
        f"- Budget: {budget_sentence(runs)}; interpolated with constant α = {alpha:g}.",
        f"- Baselines: {name[one]} {format_interval(base[one])} %, {name[two]} "
        f"{format_interval(base[two])} % (the paper: close, {paper[one, 0.0]:.1f} % and {paper[two, 0.0]:.1f} %).",
        f"- Interpolation changes {name[one]} by {format_interval(gain[one], signed=True)} points and "
        f"{name[two]} by {format_interval(gain[two], signed=True)} points (the paper: "
        f"{paper_gain[one]:+.1f} and {paper_gain[two]:+.1f} on CIFAR-10).",
        *claim_bullets(runs, "first_layer", registry),
    ])


def run_readout(epoch: int, seeds: list[int], means: dict[str, float], share: float) -> str:
    """Notebook 03's run explorer: 'after 5 epochs (mean over seeds [0, 1, 2]): I-MLP 25.43 %, S-MLP 24.10 %, prior
    30.02 %; prior's share 0.832' (``means``: each model's mean accuracy in %, ``share``: the prior's accumulated
    share of the weights)."""
    accuracies = ", ".join(f"{model} {mean:.2f} %" for model, mean in means.items())
    return f"after {epoch} epochs (mean over seeds {seeds}): {accuracies}; prior's share {share:.3g}"


# ---------------------------------------------------------------------------------------------
# Notebook 09 and docs/where-the-v-sits.md: where the V sits, the law, the paper-scale test

def dip_table_text(table: pd.DataFrame) -> pd.DataFrame:
    """``dip.dip_table`` as the strings notebook 09 writes to ``results/09_dip.md``."""
    return pd.DataFrame({
        "prior": table["prior"], "lr": table["lr"].map("{:g}".format), "pulls": table["interval"],
        "lr × steps": table["lr × steps"].map("{:.2g}".format),
        "S-MLP (%)": table["S-MLP"].map(format_interval), "prior (%)": table["prior acc"].map(format_interval),
        "minimum at α": table["modal α_min"].map("{:g}".format),
        "α_min (resamples)": [f"{a:.2g} (± {s:.2f} decades)" for a, s in zip(table["α_min"], table["α_min sd (decades)"])],
        "drop below both ends (points)": table["drop"].map(lambda d: format_interval(d, signed=True)),
        "own range of α_min": [f"[{a:g}, {b:g}]" for a, b in zip(table["α_min low"], table["α_min high"])],
        "V beyond noise (Holm over α)": ["at α ∈ {" + ", ".join(f"{a:g}" for a in v) + "}" if v else "no"
                                         for v in table["V at α"]],
        "drop just before the last pull": table["drop before pull"].map(lambda d: format_interval(d, signed=True)),
        "last pull's effect (points)": table["pull effect"].map(lambda d: format_interval(d, signed=True)),
        "S-MLP's directional α*": table["S-MLP α*"].map(lambda b: format_interval(b, digits=6)),
    })


def first_step_text(table: pd.DataFrame) -> pd.DataFrame:
    """``dip.first_step_table`` as the strings notebook 09 writes to ``results/09_first_step.md``."""
    if table.empty:
        return table
    return table.assign(lr=table["lr"].map("{:g}".format)).apply(
        lambda column: column.map(format_interval) if column.name.startswith("α = ") else column)


def moves(low: float, high: float) -> str:
    """How the minimum's α moves with a factor whose coefficient has the interval [low, high]."""
    return "does not move measurably with" if low <= 0 <= high else "grows with" if low > 0 else "falls with"


def law_sentence(law: Law) -> str:
    """The law as what it is: a descriptive fit chosen after the data, its slope's interval taking the settings as
    independent."""
    low, high = law.slope_interval
    return (f"- **The law**, a descriptive fit chosen after the data (`claims.LAW`), on all {law.n} settings: "
            f"log10 α_min = {law.intercept:.2f} + {law.slope:.2f} log10(lr × steps), slope 95 % interval "
            f"[{low:.2f}, {high:.2f}] if the settings were independent: over these settings the fitted α_min "
            f"{moves(low, high)} lr × steps between pulls.")


def fits_sentences(fits: pd.DataFrame) -> list[str]:
    """``dip.law_fits`` in words: the slope's intervals that respect the shared seeds, the two-factor fit, each lr's
    own slope, and which factors move the minimum measurably (none: the product lr × steps is not supported)."""
    text = lambda r: f"{r['estimate']:+.2f} [{r['low']:+.2f}, {r['high']:+.2f}]"
    lines = []
    seeds = fits[(fits["fit"] == "the law") & (fits["interval"] != "least squares, points taken as independent")]
    if len(seeds):
        lines.append("- **The law's slope, with the seeds the settings share** (within one lr they share seeds, data "
                     "order and ends): " + "; ".join(f"{r['interval']} {text(r)}" for _, r in seeds.iterrows()) + ".")
    factors = fits[fits["fit"] == "two factors"]
    if len(factors):
        moving = [r["term"] for _, r in factors.iterrows() if not r["low"] <= 0 <= r["high"]]
        lines.append(f"- **lr and steps between pulls as separate factors** (least squares, {factors['points'].iloc[0]}"
                     " settings): the minimum's α " + "; it ".join(
                         f"{moves(r['low'], r['high'])} {r['term']} ({text(r)})" for _, r in factors.iterrows())
                     + ". Factors that move it measurably: " + (", ".join(moving) or "none")
                     + ("." if len(moving) == len(factors) else "; these data do not show lr × steps acting as one product."))
    alone = fits[fits["fit"].str.endswith(" alone")]
    if len(alone):
        lines.append("- **Each lr's own slope** (steps between pulls at one lr): " + "; ".join(
            f"{r['fit'].removesuffix(' alone')}: {text(r)}, {r['points']} settings" for _, r in alone.iterrows()) + ".")
    return lines


def dip_findings(table: pd.DataFrame, errors: dict[str, dict[str, float]], prediction: pd.DataFrame,
                 law: Law | None, fits: pd.DataFrame, settled: dict[str, Interval], paper_verdicts: list[Verdict]
                 ) -> str:
    """Notebook 09's conclusions as Markdown, every sentence drawn from the values ``dip`` computed: ``table``
    (``dip_table``), ``errors`` (``dip.prediction_errors`` of each out-of-sample check, by name), ``prediction``
    (``dip.paper_prediction``), the law (``dip.fit_law``, None when too few settings), ``fits`` (``dip.law_fits``),
    ``settled`` (``dip.settled_ratios``) and the paper-scale test's verdicts (``dip.paper_scale_verdicts``)."""
    cnn = table[table["prior"] == "cnn"]
    lines = []
    with_v = cnn[cnn["V"]]
    lines.append(f"- **A V beyond noise** (an interior α below both ends, Holm over the α scanned, the rule of notebook "
                 f"08) in {len(with_v)} of {len(cnn)} S-CNN settings: "
                 + ("; ".join(f"lr {r['lr']:g} {r['interval']} at α ∈ {{{', '.join(f'{a:g}' for a in r['V at α'])}}}"
                              for _, r in with_v.iterrows()) or "none") + " (exploratory: a scan).")
    for lr, rows in cnn.groupby("lr"):
        lines.append(f"- **lr {lr:g}**, where each interval's curve turns (the α that is the minimum in most "
                     "resamples): " + ", ".join(f"{r['interval']} {r['modal α_min']:g}" for _, r in rows.iterrows()) + ".")
    if law is None:
        lines.append("- **The law**: fewer than three settings, so no law is fitted.")
    else:
        lines += [law_sentence(law), *fits_sentences(fits)]
    for name, check in errors.items():
        if check.get("held out"):
            lines.append(f"- **Out of sample, {name}** ({check['held out']} settings predicted, none fitted on): "
                         f"root-mean-square error {check['law rmse']:.2f} decades for the law, "
                         f"{check['constant rmse']:.2f} for a constant, {check['balance rmse']:.2f} for the S-MLP's "
                         f"directional balance; the prediction inside the setting's own interval of α_min: law "
                         f"{check['law inside own']}, constant {check['constant inside own']}, balance "
                         f"{check['balance inside own']}; the measured α_min inside the 95 % prediction interval: law "
                         f"{check['law covers']}, constant {check['constant covers']}.")
        else:
            lines.append(f"- **Out of sample, {name}**: too few settings to fit on and predict.")
    directional, norm = settled.get("directional α*"), settled.get("drift / gap")
    if directional is not None and directional.n:
        fails = not directional.low <= 1 <= directional.high
        lines.append(f"- **Settled models** (whose pulls leave < 1 % of the starting gap): balance / α is "
                     f"{format_interval(directional, digits=3)} for the directional balance and "
                     f"{format_interval(norm, digits=3)} for notebook 08's norm ratio; 1 means the measure puts a settled "
                     "model on the diagonal" + (": the directional balance fails this check, so it is shown as a "
                                                "diagnostic, not as the explanation of where the V sits" if fails else "")
                     + ".")
    effects = cnn[[d.n > 0 for d in cnn["pull effect"]]]
    if len(effects):
        lines.append("- **The last pull's own effect** at each setting's minimum (after − before, points): "
                     + "; ".join(f"lr {r['lr']:g} {r['interval']}: {format_interval(r['pull effect'], signed=True)}"
                                 for _, r in effects.iterrows()) + ".")
    mixer = table[table["prior"] == "mixer"]
    if len(mixer) >= 2:
        lines.append("- **The Mixer prior**: " + "; ".join(
            f"{r['interval']}: turns at α = {r['modal α_min']:g}, drop {format_interval(r['drop'], signed=True)}"
            f" ({'a V beyond noise' if r['V'] else 'no V beyond noise'})" for _, r in mixer.iterrows()) + ".")
    for _, row in prediction.iterrows():
        if not math.isfinite(row['α_min']):
            lines.append(f"- **No prediction at the paper's scale** for {row['pulls']} pulls: there is no law to make it.")
            continue
        where, depth = predicted_ranges(row)
        lines.append(f"- **Predicted at the paper's scale**, {row['pulls']} (lr × steps = {row['lr × steps']:.2g}"
                     f"{', extrapolated' if row['extrapolated'] else ''}): α_min ≈ {where}, depth {depth} points.")
    lines += paper_scale_lines(paper_verdicts)
    return "\n".join(lines)


def paper_scale_lines(verdicts: list[Verdict]) -> list[str]:
    """What the stored paper-scale runs say of the registered prediction (``dip.paper_scale_verdicts``: the
    verdicts of ``claims.PREDICTIONS``), verdict by verdict, and the registrations superseded before any record
    (``claims.SUPERSEDED``)."""
    lines = []
    for verdict in verdicts:
        when = ("registered before its records" if verdict.claim.registered is Registered.BEFORE_DATA
                else "its records existed before the law was restated: a check, not a test")
        text = "not run yet (no GPU has run it): untested" if verdict.kind is Kind.NOT_RUN else verdict_sentence(verdict)
        lines.append(f"- **Paper scale, `{verdict.claim.id}`** ({verdict.claim.statement}; {when}): {text}.")
    return lines + [superseded_sentence()]


def superseded_sentence() -> str:
    """'- **Superseded before any record**: `id` (registered in commit c: why); ...' from ``claims.SUPERSEDED``."""
    return ("- **Superseded before any record**: "
            + "; ".join(f"`{s.claim.id}` (registered in commit {s.commit}: {s.why})" for s in SUPERSEDED) + ".")


def paper_test_markdown(prediction: pd.DataFrame, tested: pd.DataFrame) -> str:
    """The paper-scale test's rule, from ``claims.PREDICTIONS``, the per-step row of ``dip.paper_prediction`` and
    ``dip.tested_alphas`` of it: what a minimum at each tested α says of the law against a constant, which tests are
    counted and what refutes the law (only a counted test can), and what was superseded."""
    row = prediction.set_index("pulls").loc["every step"]
    outcomes = tested.groupby("a minimum here", sort=False)["α"].apply(
        lambda a: ", ".join(f"{x:g}" for x in a))
    counted = [c for c in PREDICTIONS if c.role("paper") is Role.CONFIRMATORY]
    shown = [c for c in PREDICTIONS if c.role("paper") is not Role.CONFIRMATORY]
    return "\n".join([
        f"- **Law against a constant**, per step: the law predicts α_min {row['α_min']:.2g} "
        f"[{row['α_min low']:.2g}, {row['α_min high']:.2g}], a constant {row['constant α_min']:.2g} "
        f"[{row['constant low']:.2g}, {row['constant high']:.2g}]; of the tested α, a minimum at "
        + "; at ".join(f"{alphas_text}: {outcome}" for outcome, alphas_text in outcomes.items()) + ".",
        "- **Counted** (confirmatory, Holm within the prediction family; only these can refute the law): "
        + "; ".join(f"`{c.id}`, {c.statement}: {c.note.rstrip('.')}" for c in counted) + ".",
        "- **Shown, never counted**: " + "; ".join(f"`{c.id}`, {c.statement}: {c.note.rstrip('.')}" for c in shown) + ".",
        superseded_sentence()])


def prediction_markdown(prediction: pd.DataFrame) -> str:
    """The README's statement of the paper-scale prediction (its ``prediction`` block), from
    ``results/09_prediction.csv``: what the law predicts and what would refute it."""
    lines = ["| pulls at lr 1e-4 | lr × steps | α of the minimum (95 % prediction interval) | "
             "depth below both ends, points (95 % prediction interval) |", "|---|---|---|---|"]
    for _, row in prediction.iterrows():
        if not math.isfinite(row["α_min"]):
            lines.append(f"| {row['pulls']} | {row['lr × steps']:.2g} | no law to predict it | — |")
            continue
        where, depth = predicted_ranges(row)
        lines.append(f"| {row['pulls']} | {row['lr × steps']:.2g}{' (extrapolated)' if row['extrapolated'] else ''} | "
                     f"{where} | {depth} |")
    return "\n".join(lines)


def law_markdown(prediction: pd.DataFrame, errors: dict[str, dict[str, float]]) -> str:
    """docs/where-the-v-sits.md's statement of the law (its ``law`` block), from ``results/09_prediction.csv`` and
    the errors of each out-of-sample check (``dip.check_errors`` of ``results/09_out_of_sample.csv``): the slope
    with its interval, and each check."""
    row = prediction.iloc[0]
    lines = [f"- **The law**, a descriptive fit chosen after the data, on all {int(row['settings'])} settings: "
             f"log₁₀ α_min against log₁₀(lr × steps between pulls) has slope {row['law'].removeprefix('slope ')} "
             f"[{row['slope low']:.2f}, {row['slope high']:.2f}] (95 %, the settings taken as independent)."]
    for name, check in errors.items():
        lines.append(f"- **Out of sample, {name}** ({check['held out']} settings): root-mean-square error "
                     f"{check['law rmse']:.2f} decades for the law against {check['constant rmse']:.2f} for a constant; "
                     f"the prediction falls inside the setting's own interval of α_min in {check['law inside own']} "
                     f"(law) and {check['constant inside own']} (constant) of them.")
    return "\n".join(lines)


def predicted_ranges(row: pd.Series) -> tuple[str, str]:
    """('0.16 [0.016, 1.5]', '-5.8 [-10.7, -0.9]'): one row of ``dip.paper_prediction``, as its text says it."""
    return (f"{row['α_min']:.2g} [{row['α_min low']:.2g}, {row['α_min high']:.2g}]",
            f"{row['depth']:+.1f} [{row['depth low']:+.1f}, {row['depth high']:+.1f}]")


def law_fits_markdown(fits: pd.DataFrame) -> str:
    """docs/where-the-v-sits.md's statement of what the law's fits show beside it (a ``law-fits`` block), from
    ``results/09_law_fits.csv`` (``dip.law_fits``)."""
    return "\n".join(fits_sentences(fits))
