"""Every number the README and docs/*.md quote from the runs is read here from where it comes from (issue 29, §7):

* every interval ``m [lo, hi]`` they quote must be one that a committed table under ``results/`` holds (both stores,
  ``results/precision-check-cpu/``'s comparison tables, notebook 09's CSVs), or one of the few computed below from the
  committed records with the library's own functions (:data:`computed_intervals`); a quoted interval from nowhere
  fails with its file and line;
* the counts, ranges and totals docs/profiles.md and the README quote from the precision check, the store comparison
  and the regime re-check are read from those tables (or records) sentence by sentence;
* the committed precision-check tables must themselves follow from the committed run stores.

A quoted number matches a source number when the source, rounded to the quoted number of decimals, gives it
(``0.07 [0.017, 0.29]`` quotes ``0.0709 [0.0174, 0.2899]``). Reads JSON records only; trains nothing."""

from __future__ import annotations

import importlib.util
import re
from functools import cache
from pathlib import Path

import pandas as pd
import pytest
from scipy import stats

from imlp_core.reading import paper
from imlp_core.experiments import experiment_runs
from imlp_core.profiles import resolve_profile
from imlp_core.reading.inference import (
    mlp_per_seed,
    paired_differences,
    prior_per_seed,
    t_interval,
)

REPO = Path(__file__).resolve().parent.parent
PRECISION = REPO / "results" / "precision-check-cpu"
QUOTING = [REPO / "README.md", *sorted((REPO / "docs").glob("*.md"))]

NUMBER = r"[+\-−]?\d+(?:\.\d+)?"
INTERVAL = re.compile(rf"({NUMBER}) \[({NUMBER}), ({NUMBER})\]")


def value(text: str) -> float:
    return float(text.replace("−", "-"))


def decimals(text: str) -> int:
    return len(text.split(".")[1]) if "." in text else 0


def quotes(quoted: str, source: float) -> bool:
    """Whether ``source`` rounded to ``quoted``'s decimals is ``quoted`` (its sign included)."""
    return abs(round(source, decimals(quoted)) - value(quoted)) < 1e-9


def load(module: str):
    spec = importlib.util.spec_from_file_location(module, REPO / "benchmarks" / f"{module}.py")
    loaded = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(loaded)
    return loaded


# ---------------------------------------------------------------------------------------------
# Where quoted intervals come from


def table_intervals(path: Path) -> set[tuple[float, float, float]]:
    """The intervals a committed table holds: written out (``m [lo, hi]``, Markdown or CSV), or as a CSV's columns
    ``X``, ``X low``, ``X high`` (or ``low``, ``high``, or ``X low``, ``X high`` after their mean's column ``X …``;
    ``X`` may also be a column whose text starts with ``X``, as notebook 09's ``law``: "slope 0.23")."""
    text = path.read_text()
    found = {tuple(value(x) for x in m.groups()) for m in INTERVAL.finditer(text)}
    if path.suffix == ".csv":
        frame = pd.read_csv(path)
        columns = list(frame.columns)
        for i, low in enumerate(columns):
            if not str(low).endswith("low") or i + 1 >= len(columns) or not str(columns[i + 1]).endswith("high"):
                continue
            base = str(low)[:-len("low")].strip()
            beside = i and (not base or str(columns[i - 1]).startswith(base + " "))  # 'constant α_min', 'constant low'
            means = (frame[base] if base in frame else frame[columns[i - 1]] if beside else
                     next((frame[c].astype(str).str.extract(rf"^{re.escape(base)} ({NUMBER})$")[0]
                           for c in columns if frame[c].astype(str).str.startswith(base + " ").all()), None))
            if means is None:
                continue
            for m, lo, hi in zip(means, frame[low], frame[columns[i + 1]]):
                try:
                    found.add((float(m), float(lo), float(hi)))
                except (TypeError, ValueError):
                    pass
    return found


@cache
def cpu_runs(experiment: str) -> pd.DataFrame:
    profile = resolve_profile("cpu")
    return experiment_runs(experiment, profile, profile.datasets[0], results=REPO / "results" / "runs",
                           stored_only=True, progress=False)


def regime_check(seeds: tuple[int, ...]) -> dict[str, pd.Series]:
    """docs/profiles.md, *Re-checked on the seeds it was not chosen on*: per prior, its accuracy minus its S-MLP's
    (α = 0) per seed on all 10,000 test images, in the committed `cpu` store (Table 5's pairs at lr 3e-4)."""
    differences = {}
    for experiment in ("cnn", "mixer", "first_layer"):
        runs = cpu_runs(experiment)
        for prior in sorted(set(runs["prior"])):
            sweep = runs[(runs["prior"] == prior) & runs["seed"].isin(seeds)]
            differences[prior] = paired_differences(prior_per_seed(sweep), mlp_per_seed(sweep, alpha=0.0))
    return differences


def computed_intervals() -> dict[tuple[float, float, float], str]:
    """Intervals docs quote that no table holds, computed from the committed `cpu` records, with where they come from."""
    computed = {}
    for seeds in ((0, 1, 2), (0, 1, 2, 3, 4)):
        for prior, differences in regime_check(seeds).items():
            i = t_interval(differences)
            computed[i.mean, i.low, i.high] = f"{prior} − its S-MLP, seeds {seeds} (regime re-check)"
    mixer = cpu_runs("mixer")
    mixer = mixer[mixer["seed"].isin((0, 1, 2))]
    v = t_interval(paired_differences(*(mlp_per_seed(mixer, schedule="constant", alpha=a) for a in (0.0, 0.01))))
    computed[v.mean, v.low, v.high] = "Mixer α = 0 − α = 0.01, committed store, seeds 0–2 (compare_stores)"
    return computed


@cache
def sources() -> dict[tuple[float, float, float], str]:
    tables = sorted((REPO / "results").rglob("*.md")) + sorted((REPO / "results").rglob("*.csv"))
    found = {interval: str(path.relative_to(REPO)) for path in tables for interval in table_intervals(path)}
    return found | computed_intervals()


def quoted_intervals() -> list[tuple[str, int, tuple[str, str, str]]]:
    return [(str(path.relative_to(REPO)), number, m.groups())
            for path in QUOTING for number, line in enumerate(path.read_text().splitlines(), 1)
            for m in INTERVAL.finditer(line)]


def source_of(quoted: tuple[str, str, str]) -> str | None:
    return next((where for interval, where in sources().items()
                 if all(quotes(q, s) for q, s in zip(quoted, interval))), None)


def test_the_quoted_intervals_are_found():
    assert len(quoted_intervals()) >= 25  # the pattern still finds what README and docs quote


@pytest.mark.parametrize("where, line, quoted", quoted_intervals(),
                         ids=[f"{w}:{n}" for w, n, _ in quoted_intervals()])
def test_every_quoted_interval_comes_from_a_committed_table_or_the_records(where, line, quoted):
    text = f"{quoted[0]} [{quoted[1]}, {quoted[2]}]"
    assert source_of(quoted), (
        f"{where}:{line} quotes {text}, which no committed table under results/ holds and no computation in "
        f"tests/test_quoted_numbers.py gives: quote the number its table holds now (re-execute the notebook or "
        f"benchmark that writes it), or add the table it comes from, or compute it here from the records")


def test_the_check_catches_a_changed_digit():
    """One digit changed in a quoted interval finds no source."""
    _, _, quoted = next(q for q in quoted_intervals() if q[0].startswith("docs/profiles"))
    assert source_of(quoted)
    changed = (quoted[0][:-1] + str((int(quoted[0][-1]) + 1) % 10), *quoted[1:])
    assert source_of(changed) is None


# ---------------------------------------------------------------------------------------------
# Counts, ranges and totals, sentence by sentence


def text_of(name: str) -> str:
    return " ".join((REPO / name).read_text().replace("−", "-").split())


def summary() -> dict[str, float]:
    return pd.read_csv(PRECISION / "precision_summary.csv").set_index("quantity")["value"].astype(float).to_dict()


def span(values, digits: int, unit: str = "") -> str:
    """'378–389 s': the least and the largest of ``values``, rounded (one number where they agree)."""
    low, high = (f"{v:.{digits}f}" for v in (min(values), max(values)))
    return (low if low == high else f"{low}–{high}") + unit


def test_profiles_precision_check_is_its_tables():
    text = text_of("docs/profiles.md")
    s = summary()
    times = pd.read_csv(PRECISION / "precision_times.csv")
    rows = {"merged S-CNN sweep": "cnn", "Mixer, 13 I-MLPs": "mixer", "Table 5, MLP-1 pair": "table5-mlp1",
            "Table 5, MLP-2 pair": "table5-mlp2"}
    table = {row.split("|")[1].strip(): [c.strip() for c in row.split("|")[2:5]]
             for row in (REPO / "docs" / "profiles.md").read_text().splitlines() if row.startswith("| ")}
    for start, prior in rows.items():
        [quoted] = [cells for name, cells in table.items() if name.startswith(start)]
        of = times[times["prior"] == prior]
        assert quoted == [span(of["float32 s"], 0, " s"), span(of["bf16 s"], 0, " s"),
                          span(of["float32 / bf16"], 1)], f"docs/profiles.md's {start} row is not precision_times.csv"
    assert table["all twelve"] == [f"{s['float32 training (min)']:.1f} min", f"{s['bf16 training (min)']:.1f} min",
                                   f"{s['float32 / bf16']:.2f}"]
    intervals, held = int(s["accuracy intervals"]), int(s["accuracy intervals holding 0"])
    assert (f"all {intervals} paired intervals of bf16 - float32 (three seeds) hold 0" if held == intervals else
            f"{held} of {intervals} paired intervals") in text
    assert f"the mean |difference| is {s['mean |bf16 − float32| (points)']:.2f} points" in text
    assert f"{int(s['claims keeping their verdict'])} of the {int(s['claims'])} registered claims" in text
    differences = pd.read_csv(PRECISION / "precision_differences.csv")
    largest = differences.loc[differences["bf16 − float32 (points)"].abs().idxmax()]
    assert f"the largest {largest['bf16 − float32 (points)']:+.2f} [" in text and f"(the Mixer's {largest['run']})" in text
    ratio = span(times["float32 / bf16"], 1)
    for name in ("README.md", "docs/running.md", "docs/benchmarks.md"):
        assert f"{ratio}× faster" in text_of(name), f"{name}: bf16's speed-up is precision_times.csv's {ratio}×"


def test_the_store_comparison_is_its_table():
    table = pd.read_csv(PRECISION / "compare_stores.csv", index_col="prior")
    everything = table.loc["all"]
    profiles, readme = text_of("docs/profiles.md"), text_of("docs/benchmarks.md")  # moved from the README (issue 36)
    assert (f"{int(everything['identical'])} of the {int(everything['in_both'])} records are identical; final "
            f"accuracies differ by {everything['mean_change']:.2f} points on average and by at most "
            f"{table.loc['cnn', 'max_change']:.2f} (an S-CNN run) and {table.loc['mixer', 'max_change']:.2f} "
            f"(a Mixer run)") in profiles
    assert (f"{int(everything['identical'])} of the `cpu` profile's {int(everything['records'])} committed records came "
            f"out identical; final accuracies moved by {everything['mean_change']:.2f} points on average and by up to "
            f"{table.loc['mixer', 'max_change']:.1f} (a Mixer run)") in readme
    assert (f"gave {int(everything['identical'])} of {int(everything['records'])} records bit-identical and the others "
            f"{everything['mean_change']:.2f} points apart on average, {everything['max_change']:.1f} at most") in readme


def test_the_regime_re_check_quotes_the_records():
    """docs/profiles.md's per-seed prior − S-MLP on seeds 0–2, from the committed `cpu` records."""
    text = text_of("docs/profiles.md")
    per_seed = {prior: ", ".join(f"{d:+.2f}" for d in differences)
                for prior, differences in regime_check((0, 1, 2)).items()}
    assert f"S-CNN {per_seed['cnn']} (" in text and f"Mixer {per_seed['mixer']} (" in text
    assert f"MLP-1's prior minus its MLP is {per_seed['table5-mlp1']} and MLP-2's {per_seed['table5-mlp2']}," in text
    every_seed = all((d > 0).all() for prior, d in regime_check((0, 1, 2, 3, 4)).items() if prior in ("cnn", "mixer"))
    assert every_seed == ("Both priors beat their S-MLP in every seed of 0–4" in text)


def test_the_interval_widths_and_the_papers_effect_the_profiles_page_quotes():
    text = text_of("docs/profiles.md")
    t = stats.t.ppf(0.975, 1)
    assert f"spans {2 * t:.1f} standard errors (2 × t(0.975, 1) = 2 × {t:.2f})" in text
    v = next(n for n in paper.TABLE_1A if n.dataset == "CIFAR-10" and n.alpha == 0.0)
    dip = next(n for n in paper.TABLE_1A if n.dataset == "CIFAR-10" and n.alpha == 0.01)
    assert f"excludes the paper's {v.mean - dip.mean:+.2f} points" in text


# ---------------------------------------------------------------------------------------------
# The committed comparison tables follow from the committed stores


def test_the_precision_check_tables_follow_from_the_committed_stores():
    check = load("precision_check")
    profile = resolve_profile("cpu")
    base = check.stored_runs(PRECISION / "float32", "float32", profile, "cifar10")
    fast = check.stored_runs(PRECISION / "bf16", "bf16", profile, "cifar10")
    for name, table in check.tables(fast, base, profile).items():
        assert table.to_csv(index=False) == (PRECISION / f"{name}.csv").read_text(), (
            f"results/precision-check-cpu/{name}.csv no longer follows from the stores: run benchmarks/precision_check.py "
            "results/precision-check-cpu/float32 results/precision-check-cpu/bf16 --write results/precision-check-cpu")


def test_the_store_comparison_follows_from_the_committed_stores():
    compare = load("compare_stores")
    table = compare.compare(compare.finals(PRECISION / "float32"), compare.finals(REPO / "results" / "runs"))
    assert table.round(4).to_csv() == (PRECISION / "compare_stores.csv").read_text(), (
        "results/precision-check-cpu/compare_stores.csv no longer follows from the stores: run "
        "benchmarks/compare_stores.py results/precision-check-cpu/float32 results/runs --write "
        "results/precision-check-cpu/compare_stores.csv")
