"""Sentences and display tables from verdicts: the one module that words a :class:`~imlp_core.statistics.Verdict`.

It receives values (``Verdict``, ``NumberVerdict``, ``OptionVerdicts``, ``Interval``) and computes no interval,
p-value or verdict of its own (``tests/test_prose.py`` keeps such code out of it).
"""

from __future__ import annotations

import math

import pandas as pd

from imlp_core.claims import Claim, Registered, Role
from imlp_core.paper import PAPER_TEST_TIME_GAP, format_mean_std
from imlp_core.statistics import (
    CONFIDENCE, COUNTED, MOST_SEEDS, RESOLUTION, Interval, Kind, Verdict, format_interval,
)
from imlp_core.verdicts import NO_RUNS, FoundPower, NumberVerdict, OptionVerdicts, verdict_counts

VERDICT_RULE = (
    f"Every claim is registered in `imlp_core/claims.py` before (or, for the paper's claims, after; the README says "
    f"which) the records that judge it, with the runs and the paper's α it tests, never an argmin. Each is a set of "
    f"paired per-seed differences that must all lie on the paper's side of zero (a seed fixes the shared "
    f"initialisation and data order), each with its {CONFIDENCE:.0%} Student-t interval over seeds (an accuracy "
    f"moves in steps of one test image, so a mean's standard error is never taken below {RESOLUTION:g} points). "
    "Within a family of **confirmatory** claims (one scale's paper claims; the held-out findings) every difference's "
    "p-value is Holm-corrected, and the verdict reads the *adjusted* interval (the t-interval at the level Holm spends "
    "on it): *reproduced* when every interval lies on the paper's side and, at the paper's scale, the simultaneous "
    "one (below) reaches within the tolerance (2 σ, at least 1 point) of the paper's printed effect; *same* / *other "
    "direction, cannot tell* when an interval straddles zero; *excludes the paper's effect* when the simultaneous "
    "interval over the family (Bonferroni: at 1 − 0.05 / m for m contrasts) rules the paper's effect size out "
    "(compared at the paper's scale only: at the laptop's budget only the direction is judged); *opposite* when an "
    "interval lies wholly on the other side of zero; *one seed: no verdict*; *not run*. **Premises** (the laptop "
    "regime was chosen so that the priors beat their S-MLP; α = 1 copies the prior) and **exploratory** scans (where "
    "a curve turns, with Holm over the α scanned: *not located* when no α lies below both ends beyond that noise, "
    "*located elsewhere* when only α far from the paper's (more than a factor 2 away, or outside a prediction's "
    "interval) do, counted with *excludes the paper's effect*; "
    "each claim under each of notebook 08's options) are shown apart and never counted. Beside an undecided claim: "
    "the seeds a paired t-test would need to decide it at the observed effect and spread (power 0.8, two-sided at "
    "Holm's strictest level in its family, 0.05 / m).")


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
    """One row per claim: its id, source, statement, role, when it was registered, our intervals, the adjusted ones,
    the paper's effect and the simultaneous intervals compared with it, the seeds, the verdict, the seeds an undecided
    claim would need, and (``power``, for the held-out findings) the power its test had, post hoc, at the effect it
    was found with and at the effect the held-out seeds show."""
    power = power or {}
    return pd.DataFrame([{
        "id": v.claim.id, "source": v.claim.source + ("" if v.claim.dataset == "CIFAR-10" else f", {v.claim.dataset}"),
        "claim": v.claim.statement, "role": v.role.value, "family": v.claim.family,
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
    """Markdown: the counts of the confirmatory claims (they sum to the total), the premises and the exploratory
    scans apart, and the printed numbers."""
    confirmatory = [v for v in verdicts if v.role is Role.CONFIRMATORY]
    number_counts = {name: sum(v.kind in kinds for v in numbers) for name, kinds in COUNTED.items()}
    lines = [f"Profile `{profile_name}`.",
             f"- Confirmatory claims ({len(confirmatory)}, Holm within each family): "
             f"{counts_text(verdict_counts(verdicts))}."]
    for role in (Role.PREMISE, Role.EXPLORATORY):
        chosen = [v for v in verdicts if v.role is role]
        if chosen:
            lines.append(f"- {role.value.capitalize()} ({len(chosen)}, not counted): "
                         + "; ".join(f"`{v.claim.id}` {v.kind.value}" for v in chosen) + ".")
    lines.append(f"- Printed numbers ({len(numbers)}): {counts_text(number_counts)}.")
    held = [v for v in confirmatory if v.kind is Kind.REPRODUCED]
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


def verdict_sentence(verdict: Verdict) -> str:
    """'**reproduced** — α = 0 − α = 0.01: +1.20 [+0.40, +2.00] (5 seeds); …' for a notebook's findings."""
    if verdict.kind is Kind.NOT_RUN:
        return "**not run** in this profile"
    needed = f"; seeds to decide: {seeds_to_decide_text(verdict)}" if verdict.seeds_needed else ""
    return f"**{verdict.kind.value}** ({verdict.role.value}) — {ours_text(verdict)}{needed}"


def headline_counts(verdicts_by_scale: dict[str, list[Verdict]]) -> pd.DataFrame:
    """The README headline's counts: confirmatory claims per scale and class."""
    counts = pd.DataFrame({scale: verdict_counts(v) for scale, v in verdicts_by_scale.items()}).T
    counts.index.name = "confirmatory claims"
    return counts


def registration_markdown(claims: tuple[Claim, ...]) -> str:
    """The README's list of which registered claims were defined before the records that judge them, and which
    after (git shows the order: ``git log -- imlp_core/claims.py`` against the records' commits)."""
    def ids(when: Registered) -> str:
        return ", ".join(f"`{c.id}`" for c in claims if c.registered is when) or "none"

    return (f"- Defined **before** their records: {ids(Registered.BEFORE_DATA)}.\n"
            f"- Defined **after** their records (chosen knowing seeds 0–2, or the H100 runs): "
            f"{ids(Registered.AFTER_DATA)}.")
