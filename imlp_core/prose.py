"""Sentences and display tables from verdicts: the one module that words a :class:`~imlp_core.statistics.Verdict`.

It receives values (``Verdict``, ``NumberVerdict``, ``OptionVerdicts``, ``Interval``) and computes no interval,
p-value or verdict of its own (``tests/test_prose.py`` keeps such code out of it).
"""

from __future__ import annotations

import math
import textwrap
from typing import Iterable

import pandas as pd

from imlp_core.claims import Claim, Registered, Role
from imlp_core.paper import PAPER_TEST_TIME_GAP, format_mean_std
from imlp_core.statistics import CONFIDENCE, COUNTED, MOST_SEEDS, Interval, Kind, Verdict, format_interval
from imlp_core.verdicts import NO_RUNS, NumberVerdict, OptionVerdicts, verdict_counts

VERDICT_RULE = (
    f"Every claim is registered in `imlp_core/claims.py` before (or, for the paper's claims, after; the README says "
    f"which) the records that judge it, with the runs and the paper's α it tests, never an argmin. Each is a set of "
    f"paired per-seed differences that must all lie on the paper's side of zero (a seed fixes the shared "
    f"initialisation and data order), each with its {CONFIDENCE:.0%} Student-t interval over seeds. Within a family "
    "of **confirmatory** claims (one scale's paper claims; the held-out findings) every difference's p-value is "
    "Holm-corrected, and the verdict reads the *adjusted* interval (the t-interval at the level Holm spends on it): "
    "*reproduced* when every interval lies on the paper's side and, at the paper's scale, reaches within the "
    "tolerance (2 σ, at least 1 point) of the paper's printed effect; *same* / *other direction, cannot tell* when an "
    "interval straddles zero; *excludes the paper's effect* when an interval rules the paper's effect size out "
    "(compared at the paper's scale only: at the laptop's budget only the direction is judged); *opposite* when an "
    "interval lies wholly on the other side of zero; *one seed: no verdict*; *not run*. **Premises** (the laptop "
    "regime was chosen so that the priors beat their S-MLP; α = 1 copies the prior) and **exploratory** scans (where "
    "a curve turns, with Holm over the α scanned: *not located* when no α lies below both ends beyond that noise, "
    "*located elsewhere* when only α far from the paper's (more than a factor 2 away, or outside a prediction's "
    "interval) do, counted with *excludes the paper's effect*; "
    "each claim under each of notebook 08's options) are shown apart and never counted. Beside an undecided claim: "
    "the seeds a paired t-test would need to decide it at the observed effect and spread (power 0.8).")


# What each verdict class means, in one line: the site's legend (:func:`legend`) and docs/glossary.md.
KIND_MEANINGS = {
    Kind.REPRODUCED: "every interval on the claim's side of zero (at the paper's scale, also near its printed effect)",
    Kind.SAME_SIGN: "the means on the claim's side, but an interval straddles zero: the seeds cannot tell",
    Kind.OTHER_SIGN: "the means on the other side, but an interval straddles zero: the seeds cannot tell",
    Kind.EXCLUDES_EFFECT: "an interval rules out the paper's printed effect size (compared at the paper's scale only)",
    Kind.CANNOT_TELL: "a printed number whose interval reaches both inside and outside the paper's tolerance",
    Kind.OPPOSITE: "an interval lies wholly on the other side of zero",
    Kind.NOT_LOCATED: "a scan over α finds no α below both ends beyond its noise (Holm over the α scanned)",
    Kind.LOCATED_ELSEWHERE: "a scan finds α below both ends, but only far from where the claim puts them",
    Kind.ONE_SEED: "a single seed gives no interval, so no verdict is possible",
    Kind.NOT_COMPARED: "a printed number at another budget than the paper's: not compared",
    Kind.NOT_RUN: "no runs at this scale",
}


def legend(kinds: Iterable[Kind]) -> str:
    """Markdown: each verdict class of ``kinds`` (in the order of :class:`Kind`) with its meaning."""
    shown = set(kinds)
    return "\n".join(f"- *{kind.value}*: {KIND_MEANINGS[kind]}." for kind in Kind if kind in shown)


def signed(interval: Interval) -> str:
    return format_interval(interval, signed=True)


def seeds_text(needed: int | None) -> str:
    """'12', 'more than 1000', or '—'."""
    if needed is None:
        return "—"
    return f"more than {MOST_SEEDS}" if needed > MOST_SEEDS else str(needed)


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


def claims_table(verdicts: list[Verdict], power: dict[str, float] | None = None) -> pd.DataFrame:
    """One row per claim: its id, source, statement, role, family, whether the headline counts it (a premise of the
    regime and a restated fact are not), when it was registered, our intervals, the adjusted ones, the paper's
    effect, the seeds, the verdict, the seeds an undecided claim would need, and (``power``, for the held-out
    findings) the power its test had, at the effect it was found with."""
    power = power or {}
    return pd.DataFrame([{
        "id": v.claim.id, "source": v.claim.source + ("" if v.claim.dataset == "CIFAR-10" else f", {v.claim.dataset}"),
        "claim": v.claim.statement, "role": v.role.value, "family": v.claim.family,
        "counted": counted_text(v),
        "registered": v.claim.registered.value,
        "ours (paired difference, 95 % interval)": ours_text(v), "Holm-adjusted": adjusted_text(v),
        "paper's effect": paper_text(v) if v.compares_effect or paper_text(v) == "—" else "not compared (another budget)",
        "seeds": v.seeds, "verdict": v.kind.value, "seeds to decide": seeds_text(v.seeds_needed),
        "power (held out)": "—" if math.isnan(power.get(v.claim.id, math.nan)) else f"{power[v.claim.id]:.2f}"}
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
    needed = f"; seeds to decide: {seeds_text(verdict.seeds_needed)}" if verdict.seeds_needed else ""
    return f"**{verdict.kind.value}** ({verdict.role.value}) — {ours_text(verdict)}{needed}"


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


def untested_text(by_scale: dict[str, list[Verdict]]) -> str:
    """What has not been tested: the prediction at the paper's scale, the paper's CIFAR-10 claims there on one
    seed or none, and CIFAR-100."""
    paper = by_scale["paper"]
    parts = [f"per-step pulls at Appendix E's settings (`{v.claim.id}`, {v.kind.value})"
             for v in paper if v.claim.family == "prediction" and headline_counted(v) and v.kind is Kind.NOT_RUN]
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
    after (git shows the order: ``git log -- imlp_core/claims.py`` against the records' commits)."""
    def ids(when: Registered) -> str:
        return ", ".join(f"`{c.id}`" for c in claims if c.registered is when) or "none"

    return (f"- Defined **before** their records: {ids(Registered.BEFORE_DATA)}.\n"
            f"- Defined **after** their records (chosen knowing seeds 0–2, or the H100 runs): "
            f"{ids(Registered.AFTER_DATA)}.")
