"""Every committed table of both run stores (the laptop `cpu` store in results/, the H100 `paper` store in
results/paper-h100/) re-derived from the committed records with the current code, as the notebooks derive them:
a table that no longer follows from its records, or a verdict rule changed without re-executing the notebooks,
fails here. Reads JSON records only; trains nothing."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Callable

import pandas as pd
import pytest

from imlp_core.reading import claims, summaries, paper, prose, verdicts
from imlp_core import judged as judged_stores
from imlp_core.experiments import experiment_runs, open_choice_sweep
from imlp_core.profiles import resolve_profile
from test_prose_findings import first_layer_findings, schedule_findings, sweep_findings

REPO = Path(__file__).resolve().parent.parent
STORES = {"cpu": REPO, "paper": REPO / "results" / "paper-h100"}  # profile -> output root of its committed store


def read(profile) -> dict:
    """How these tests read a profile's runs: from its committed store, training nothing."""
    return {"results": STORES[profile.name] / "results" / "runs", "stored_only": True, "progress": False}


def runs_of(profile, *experiments: str) -> pd.DataFrame:
    return pd.concat([experiment_runs(name, profile, dataset, **read(profile))
                      for dataset in profile.datasets for name in experiments], ignore_index=True)


# name -> (how its notebook derives it from (profile, runs of 03-06), whether its CSV has an index)
TABLES: dict[str, tuple[Callable, bool]] = {
    "03_table1a": (lambda p, runs: verdicts.ours_table(runs[runs.experiment == "cnn"], paper.TABLE_1A, p), True),
    "04_table1b": (lambda p, runs: verdicts.ours_table(runs[runs.experiment == "mixer"], paper.TABLE_1B, p), True),
    "05_table4": (lambda p, runs: verdicts.ours_table(runs[runs.experiment == "schedules"], paper.TABLE_4, p), True),
    "06_table5": (lambda p, runs: summaries.table5_table(runs[runs.experiment == "first_layer"], p), True),
    "06_table5_params": (lambda p, runs: summaries.table5_parameter_table(), True),
    "07_numbers": (lambda p, runs: prose.numbers_table(verdicts.number_verdicts(runs, p), p.name), False),
    "07_claims": (lambda p, runs: prose.claims_table(judged(p, runs), held_out_power(p, runs)), False),
    "07_claims_by_option": (lambda p, runs: prose.claims_by_option_table(
        verdicts.claims_by_option(open_choice_sweep(p, p.datasets[0], **read(p)), p)), False),
    "08_verdicts": (lambda p, runs: prose.option_table(verdicts.option_table(
        open_choice_sweep(p, p.datasets[0], **read(p)), verdicts.scale_of(p))), True),
}


def held_out_power(profile, runs: pd.DataFrame) -> dict[str, float]:
    open_runs = open_choice_sweep(profile, profile.datasets[0], **read(profile))
    return verdicts.held_out_power(claims.FINDINGS, pd.concat([runs, open_runs], ignore_index=True), profile)


def judged(profile, runs: pd.DataFrame) -> list:
    """Notebook 07's verdicts: the paper's claims on the runs of 03-06, the findings on the held-out seeds alone."""
    held_out = experiment_runs("held_out", profile, profile.datasets[0], **read(profile))
    return (verdicts.claim_verdicts(runs, profile, claims.PAPER_CLAIMS)
            + verdicts.claim_verdicts(held_out, profile, claims.FINDINGS))


@pytest.fixture(scope="module", params=list(STORES))
def store(request):
    """(profile, runs of notebooks 03-06, results folder) of one committed store, read with stored runs only."""
    profile = resolve_profile(request.param)
    results = STORES[request.param] / "results"
    assert any((results / "runs").glob("*.json")), f"the committed {request.param} store {results / 'runs'} is empty"
    return profile, runs_of(profile, "cnn", "mixer", "schedules", "first_layer"), results


@pytest.mark.parametrize("name", list(TABLES))
def test_committed_table_follows_from_the_committed_records(store, name):
    profile, runs, results = store
    derive, index = TABLES[name]
    committed = results / f"{name}.csv"
    assert committed.is_file(), f"{committed} is missing: re-execute the notebook that writes it"
    assert derive(profile, runs).to_csv(index=index) == committed.read_text(), (
        f"{committed.relative_to(REPO)} no longer follows from the committed records with the current code: "
        f"re-execute its notebook against the stored runs (README, 'Re-executing against the stored runs')")


def test_the_readme_blocks_are_the_committed_tables():
    """Every generated block of the README (the registration list, the held-out findings, the headline, the law and
    the prediction) is what the committed tables give."""
    from imlp_core import readme

    text = (REPO / "README.md").read_text()
    for name, block in readme.blocks(REPO).items():
        assert readme.marked(name, block) in text, (
            f"README.md's {name} block no longer matches the committed tables: run python -m imlp_core.readme")


def test_the_registered_paper_scale_prediction_is_the_laws():
    """claims.PREDICTIONS states numbers by hand, before any per-step GPU record: they must be results/09_prediction's."""
    row = pd.read_csv(REPO / "results" / "09_prediction.csv").set_index("pulls").loc["every step"]
    assert claims.PREDICTED_ALPHA == round(row["α_min"], 2)
    assert claims.PREDICTED_RANGE == (round(row["α_min low"], 3), round(row["α_min high"], 2))
    depth = claims.PREDICTED_DEPTH
    assert depth.mean == round(-row["depth"], 1)
    assert depth.std == round((row["depth high"] - row["depth low"]) / 2 / 1.96, 1)
    assert claims.PREDICTED_ALPHA in resolve_profile("paper").intervals.alphas


def test_the_interval_widths_the_readme_quotes_are_students_t():
    """'A 95 % t-interval over two seeds is 25.4 standard errors wide ..., over three 8.6, over five 5.6'."""
    from scipy import stats

    text = " ".join((REPO / "README.md").read_text().split())
    widths = [f"{2 * stats.t.ppf(0.975, n - 1):.1f}" for n in (2, 3, 5)]
    assert (f"A 95 % t-interval over two seeds is {widths[0]} standard errors wide, over three {widths[1]}, over five "
            f"{widths[2]}") in text


def test_notebook_09s_tables_and_the_readme_prediction_follow_from_the_committed_records():
    """Notebook 09 (cpu store only): its per-setting table and the paper-scale prediction, and the README's
    statement of that prediction."""
    from imlp_core.reading import dip
    from imlp_core.experiments import interval_sweep

    profile = resolve_profile("cpu")
    table = dip.dip_table(interval_sweep(profile, profile.datasets[0], **read(profile)))
    prediction = dip.paper_prediction(table[table["prior"] == "cnn"])
    for name, derived in (("09_dip", prose.dip_table_text(table)), ("09_prediction", prediction.round(4))):
        committed = REPO / "results" / f"{name}.csv"
        assert derived.to_csv(index=False) == committed.read_text(), f"{name} no longer follows from the records"
    written = dip.out_of_sample_checks(table[table["prior"] == "cnn"], profile.intervals.lrs)[1]
    assert written.to_csv(index=False) == (REPO / "results" / "09_out_of_sample.csv").read_text(), (
        "09_out_of_sample no longer follows from the records")


EXECUTED = {"cpu": REPO / "notebooks", "paper": REPO / "results" / "paper-h100" / "results" / "executed"}
NOTEBOOKS = {"03": "03_alpha_sweep_cnn", "04": "04_alpha_sweep_mixer", "05": "05_schedules", "06": "06_first_layer",
             "07": "07_paper_comparison", "08": "08_open_choices"}


def shown_markdown(notebook: Path) -> str:
    """Every Markdown output an executed notebook displays, joined."""
    cells = json.loads(notebook.read_text())["cells"]
    outputs = [o for c in cells if c["cell_type"] == "code" for o in c.get("outputs", [])]
    return "\n".join("".join(o["data"]["text/markdown"]) for o in outputs if "text/markdown" in o.get("data", {}))


def written_findings(profile, runs: pd.DataFrame, number: str) -> list[str]:
    """The findings notebook ``number`` writes from its runs, as its cells write them (one text per dataset)."""
    registry = judged_stores.registry_verdicts(profile, read(profile)["results"])  # each claim's one verdict
    if number in ("03", "04"):
        experiment = {"03": "cnn", "04": "mixer"}[number]
        of = runs[runs.experiment == experiment]
        return [sweep_findings(of[of.dataset == d], registry) for d in sorted(set(of.dataset))]
    if number == "05":
        of = runs[runs.experiment == "schedules"]
        return [schedule_findings(of[of.dataset == d], registry) for d in sorted(set(of.dataset))]
    if number == "06":
        of = runs[runs.experiment == "first_layer"]
        return [first_layer_findings(of[of.dataset == d], paper.FIRST_LAYER_ALPHA, registry)
                for d in sorted(set(of.dataset))]
    if number == "07":
        return [prose.comparison_summary(verdicts.number_verdicts(runs, profile), judged(profile, runs), profile.name)]
    open_runs = open_choice_sweep(profile, profile.datasets[0], **read(profile))
    table = verdicts.option_table(open_runs, verdicts.scale_of(profile))
    compared = [o for o in (verdicts.DEFAULT, "interpolate_every = 1") if (open_runs["option"] == o).any()]
    predictions = verdicts.balance_predictions(open_runs, compared)
    return [prose.budget_bullet(open_runs) + "\n" + prose.option_findings(table, predictions)]


@pytest.mark.parametrize("number", list(NOTEBOOKS))
def test_the_findings_each_executed_notebook_shows_follow_from_the_committed_records(store, number):
    """The written findings (the sentences that carry each verdict) as the executed notebook shows them: a sentence
    whose wording or logic changed without re-executing the notebooks, or a finding that misreads its records, fails."""
    profile, runs, _ = store
    notebook = EXECUTED[profile.name] / f"{NOTEBOOKS[number]}.ipynb"
    shown = shown_markdown(notebook)
    for text in written_findings(profile, runs, number):
        assert text in shown, (f"{notebook.relative_to(REPO)} does not show the findings its records give with the "
                               f"current code:\n{text}\nre-execute it against the stored runs")
