"""Which commit trained which seeds (``imlp_core.reading.training_commits``), from the records' own ``git_commit``."""

import json
from pathlib import Path

from imlp_core.reading import training_commits as tc

REPO = Path(__file__).resolve().parent.parent


def write(store: Path, name: str, commit: str | None, seed: int) -> None:
    environment = {} if commit is None else {"git_commit": commit}
    (store / f"{name}.json").write_text(json.dumps({"environment": environment, "config": {"seed": seed}}))


def test_each_commit_names_the_seeds_it_trained_and_whether_its_tree_was_clean(tmp_path):
    for i, (commit, seed) in enumerate([("777b3b0f02c9", 4), ("777b3b0f02c9", 3), ("777b3b0f02c9", 3),
                                        ("d30cf7b00000-dirty", 5), (None, 0)]):
        write(tmp_path, f"r{i}", commit, seed)
    table = tc.training_commits(tmp_path)
    assert table.to_dict("records") == [
        {"commit": "unknown", "uncommitted changes": False, "seeds": "0", "records": 1},
        {"commit": "777b3b0", "uncommitted changes": False, "seeds": "3, 4", "records": 3},
        {"commit": "d30cf7b", "uncommitted changes": True, "seeds": "5", "records": 1}]
    assert tc.training_commits(tmp_path / "nothing").empty


def test_the_committed_record_is_what_the_committed_records_give():
    assert (REPO / "results" / "training_commits.md").read_text() == tc.training_commits_markdown(REPO), (
        "results/training_commits.md no longer follows from the records: run python -m imlp_core.reading.training_commits")
