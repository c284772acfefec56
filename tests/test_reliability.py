"""Issue 5: bad input fails loudly before any compute; SIGKILL and concurrent runs lose or duplicate nothing;
a diverging model is stopped alone; records carry what is needed to rerun them.

The interruption and concurrency tests drive the command line in subprocesses (``DRIVER`` in conftest:
``python -m imlp_core train`` with the tiny prior registered, one thread) and place them at exact moments
with the test hook ``IMLP_TEST_PAUSE_AT=<event>[:<n>]`` (``imlp_core.results.pause_point``): the process
prints ``IMLP_TEST_PAUSED <event>`` and waits there, to be killed, or to go on once
``IMLP_TEST_RESUME_FILE`` exists.
"""

from __future__ import annotations

import json
import math
import os
import re
import signal
import subprocess
import time
from pathlib import Path

import pytest
import torch

from conftest import REPO_ROOT, TINY_PRIOR, TinyCNN, driver_command, stable, tiny_prior_registered
from imlp_core import data as datasets
from imlp_core import cli, train, trainer
from imlp_core.interpolate import AlphaSchedule, interpolate_, select_layers
from imlp_core.models import IMLP, SCNN, CNNPrior, Table5MLP2Prior
from imlp_core.profiles import resolve_profile
from imlp_core.results import checkpoint_path, config_key, read_record
from imlp_core.settings import Settings, TrainingSettings
from imlp_core.sweep import SweepConfig, check_dataset_name
from imlp_core.train import run_sweep


# ---------------------------------------------------------------------------------------------------
# Bad input: the error type and the words of its message
BAD_INPUTS = {
    "alpha above 1": (lambda: AlphaSchedule("constant", 1.5), ValueError, r"alpha must be a finite number in \[0, 1\].*got 1\.5"),
    "alpha below 0": (lambda: AlphaSchedule("constant", -0.1), ValueError, r"alpha must be a finite number in \[0, 1\].*got -0\.1"),
    "alpha NaN": (lambda: AlphaSchedule("constant", math.nan), ValueError, r"alpha must be a finite number.*got nan"),
    "alpha inf": (lambda: AlphaSchedule("test-time", math.inf), ValueError, r"alpha must be a finite number.*got inf"),
    "alpha not a number": (lambda: AlphaSchedule("constant", "0.5"), TypeError, r"alpha must be a number in \[0, 1\], got '0\.5' of type str"),
    "decay k < 0": (lambda: AlphaSchedule("decay", 0.5, -1.0), ValueError, r"decay exponent k must be a finite number >= 0.*got -1\.0"),
    "decay a > 1": (lambda: AlphaSchedule("decay", 1.2, 2.0), ValueError, r"decay a must be a finite number in \[0, 1\].*got 1\.2"),
    "k on a constant schedule": (lambda: AlphaSchedule("constant", 0.5, 2.0), ValueError, r"k=2\.0 only applies to the 'decay' schedule"),
    "unknown schedule": (lambda: AlphaSchedule("cosine", 0.5), ValueError, r"unknown schedule 'cosine'; choose one of constant, decay, test-time"),
    "epochs < 1": (lambda: SweepConfig("cnn", "synthetic", epochs=0), ValueError, r"epochs must be an integer >= 1, got 0"),
    "epochs not an integer": (lambda: SweepConfig("cnn", "synthetic", epochs=2.5), ValueError, r"epochs must be an integer >= 1, got 2\.5"),
    "train subset 0": (lambda: SweepConfig("cnn", "synthetic", train_subset=0), ValueError, r"train_subset must be None \(the whole split\) or an integer >= 1, got 0"),
    "lr not finite": (lambda: SweepConfig("cnn", "synthetic", lr=math.inf), ValueError, r"lr must be a finite number > 0, got inf"),
    "unknown prior": (lambda: SweepConfig("resnet", "synthetic"), ValueError, r"unknown prior 'resnet'; choose one of cnn, mixer"),
    "unknown dataset": (lambda: check_dataset_name("cifar11", {}), ValueError, r"unknown dataset 'cifar11'; choose one of cifar10, cifar100, synthetic.*IMLP_DATASET_CIFAR11"),
    "unknown layer selection": (lambda: SweepConfig("cnn", "synthetic", layers="last"), ValueError, r"unknown layer selection 'last'; use 'all', 'first' or a list of layer indices"),
    "layer index out of range": (lambda: SweepConfig("cnn", "synthetic", layers=(0, 7)), ValueError, r"layer index 7 is out of range: this I-MLP has 7 interpolated layers \(0\.\.6\)"),
    "empty layer list": (lambda: select_layers([], 7), ValueError, r"empty layer selection"),
    "unknown profile": (lambda: resolve_profile("smok"), ValueError, r"unknown profile 'smok'; did you mean 'smoke'\? choose one of smoke, cpu, paper, auto"),
    "profile of the wrong type": (lambda: resolve_profile(1), TypeError, r"profile must be a string \(smoke, cpu, paper, auto\), got 1"),
    "profile from IMLP_PROFILE misspelled": (lambda: resolve_profile(Settings.from_environment().profile), ValueError, r"unknown profile 'papr'; did you mean 'paper'\?.*IMLP_PROFILE"),
}


@pytest.mark.parametrize("case", BAD_INPUTS)
def test_bad_input_raises_a_clear_error(case, monkeypatch):
    monkeypatch.setenv("IMLP_PROFILE", "papr")
    make, error_type, words = BAD_INPUTS[case]
    with pytest.raises(error_type, match=words):
        make()


def test_empty_alpha_list_is_refused_before_any_compute(tiny_sweep, tmp_path, monkeypatch):
    monkeypatch.setattr(train, "Trainer", None)  # any compute would fail differently
    with pytest.raises(ValueError, match=r"no alpha given: a sweep needs at least one alpha or schedule"):
        run_sweep(tiny_sweep, [], tmp_path)


def test_unwritable_results_directory_is_refused_before_any_compute(tiny_sweep, tmp_path, monkeypatch):
    """Tests run as root, so the folder sits under a regular file instead of behind permissions."""
    (tmp_path / "afile").write_text("not a folder")
    monkeypatch.setattr(train, "Trainer", None)
    with pytest.raises(PermissionError, match=rf"cannot write results to {tmp_path}/afile/runs \(Not a directory\); "
                                              r"choose a writable folder with --results DIR"):
        run_sweep(tiny_sweep, [AlphaSchedule()], tmp_path / "afile" / "runs")


def test_missing_dataset_folder_fails_before_a_model_is_built(tiny_prior, tmp_path, monkeypatch):
    settings = TrainingSettings(dataset_dirs={"IMLP_DATASET_MYSET": str(tmp_path / "nowhere")})
    sweep = SweepConfig(tiny_prior, "myset", epochs=1)
    monkeypatch.setattr(trainer, "build_prior", lambda *a, **k: pytest.fail("a model was built"))
    with pytest.raises(FileNotFoundError, match=r"nowhere \(from IMLP_DATASET_MYSET\) does not exist"):
        run_sweep(sweep, [AlphaSchedule()], tmp_path / "runs", settings=settings)


def test_an_unknown_dataset_fails_before_the_store_is_touched(tiny_prior, tmp_path, monkeypatch):
    monkeypatch.setattr(train, "Trainer", None)  # any compute would fail differently
    with pytest.raises(ValueError, match=r"unknown dataset 'myset'.*point IMLP_DATASET_MYSET at an ImageFolder"):
        run_sweep(SweepConfig(tiny_prior, "myset", epochs=1), [AlphaSchedule()], tmp_path / "runs")
    assert not (tmp_path / "runs").exists()


def test_alpha_outside_the_unit_interval_is_refused_by_interpolate():
    prior = TinyCNN()
    mlp = IMLP.matching(prior, num_models=2)
    with pytest.raises(ValueError, match=r"alpha must be a finite number in \[0, 1\].*got 2\.0"):
        interpolate_(mlp, prior, 2.0)
    with pytest.raises(ValueError, match=r"alpha\[1\] must be a finite number in \[0, 1\].*got nan"):
        interpolate_(mlp, prior, torch.tensor([0.5, math.nan]))
    with pytest.raises(ValueError, match=r"got 3 alphas for an I-MLP of 2 stacked models"):
        interpolate_(mlp, prior, [0.1, 0.2, 0.3])
    with pytest.raises(ValueError, match=r"layer index 5 is out of range: this I-MLP has 3 interpolated layers"):
        interpolate_(mlp, prior, 0.5, layers=[5])


def test_mismatched_layer_shapes_name_the_layer_and_both_shapes():
    with pytest.raises(ValueError, match=r"layer 0: the I-MLP's weight is \(1024, 3072\) \(bias \(1024,\)\) but the "
                                         r"prior's dense equivalent is \(3072, 3072\) \(bias \(3072,\)\)"):
        interpolate_(IMLP.matching(SCNN()), Table5MLP2Prior(), 0.5)


def test_a_shape_mismatch_in_a_later_layer_leaves_the_mlp_untouched():
    """All layers are checked before the first is written: no half-interpolated I-MLP after the error."""
    mlp = IMLP.matching(TinyCNN())  # 3072 -> 256 -> 128 -> 10
    other = CNNPrior((4, 16), (4, 2))  # 3072 -> 256 -> 256 -> 10: layer 0 fits, layer 1 does not
    before = [p.detach().clone() for p in mlp.parameters()]
    with pytest.raises(ValueError, match=r"layer 1: the I-MLP's weight is \(128, 256\).*is \(256, 256\)"):
        interpolate_(mlp, other, 0.5)
    assert all(torch.equal(p, q) for p, q in zip(mlp.parameters(), before))


@pytest.mark.parametrize("argv, words", [
    (["--alphas", "1.5"], r"alpha must be a finite number in \[0, 1\]"),
    (["--alphas", "nan"], r"alpha must be a finite number in \[0, 1\]"),
    (["--alphas"], r"argument --alphas: expected at least one argument"),
    (["--schedule", "decay", "--decay-k", "-1"], r"decay exponent k must be a finite number >= 0"),
    (["--schedule", "decay", "--decay-a", "1.5"], r"decay a must be a finite number in \[0, 1\]"),
    (["--schedule", "cosine"], r"argument --schedule: invalid choice: 'cosine'"),
    (["--epochs", "0"], r"epochs must be an integer >= 1, got 0"),
    (["--dataset", "cifar11"], r"unknown dataset 'cifar11'"),
    (["--prior", "resnet"], r"argument --prior: invalid choice: 'resnet'"),
    (["--layers", "last"], r"--layers takes 'all', 'first' or layer indices, got last"),
    (["--layers", "9"], r"layer index 9 is out of range"),
    (["--results", "{tmp}/afile/runs"], r"cannot write results to .*afile/runs"),
])
def test_cli_reports_bad_input_as_a_usage_error_before_any_compute(argv, words, tmp_path, capsys, monkeypatch):
    (tmp_path / "afile").write_text("")
    monkeypatch.setattr(cli, "run_sweep", lambda *a, **k: pytest.fail("the CLI started a sweep"))
    base = {"--prior": "cnn", "--dataset": "synthetic", "--results": str(tmp_path / "runs")}
    argv = [a.replace("{tmp}", str(tmp_path)) for a in argv]
    for flag, value in base.items():
        if flag not in argv:
            argv += [flag, value]
    with pytest.raises(SystemExit) as exit_info:
        cli.train_command(argv)
    assert exit_info.value.code == 2
    assert re.search(words, capsys.readouterr().err)


# ---------------------------------------------------------------------------------------------------
# Interruption and concurrency (subprocesses)
CLI_ARGS = ["--prior", TINY_PRIOR, "--dataset", "synthetic", "--alphas", "0.5", "1", "--epochs", "2",
            "--train-subset", "128", "--test-subset", "64", "--batch-size", "64", "--device", "cpu"]


def differences(got: dict[str, dict], want: dict[str, dict]) -> list[str]:
    """Readable list of what differs between two sets of records (names, then fields), for assertion messages."""
    if sorted(got) != sorted(want):
        return [f"record files {sorted(got)} != {sorted(want)}"]
    return [f"{name}: {field}: {stable(got[name]).get(field)!r} != {stable(want[name]).get(field)!r}"
            for name in got for field in sorted(set(stable(got[name])) | set(stable(want[name])))
            if stable(got[name]).get(field) != stable(want[name]).get(field)]


def record_files(runs: Path) -> dict[str, dict]:
    return {p.name: json.loads(p.read_text()) for p in sorted(runs.glob("*.json"))}


def temp_files(runs: Path) -> list[str]:
    return sorted(p.name for p in runs.glob(".*.tmp"))


def checkpoints(runs: Path) -> list[str]:
    return sorted(p.name for p in (runs / ".checkpoints").glob("*.pt"))


@pytest.fixture(scope="module")
def uninterrupted(tmp_path_factory) -> dict[str, dict]:
    """The records of ``CLI_ARGS`` with seeds 0 and 1, run once, in this process, without interruption."""
    runs = tmp_path_factory.mktemp("uninterrupted")
    with tiny_prior_registered():
        cli.train_command([*CLI_ARGS, "--seeds", "0", "1", "--results", str(runs)])
    records = record_files(runs)
    assert len(records) == 4
    return records


def start_driver(args: list[str], log_dir: Path, **env: str) -> tuple[subprocess.Popen, Path]:
    """Start the command line in a fresh process; its stdout goes to ``log_dir/stdout``, returned with it."""
    log_dir.mkdir(parents=True, exist_ok=True)
    stdout = log_dir / "stdout"
    environment = {**os.environ, "OMP_NUM_THREADS": "1", "IMLP_CHECKPOINT_EVERY_S": "0", **env}
    with open(stdout, "w") as out, open(log_dir / "stderr", "w") as err:
        process = subprocess.Popen(driver_command(*args), cwd=REPO_ROOT, env=environment, stdout=out, stderr=err)
    return process, stdout


def wait_for(text: str, stdout: Path, process: subprocess.Popen, timeout: float = 240) -> None:
    deadline = time.monotonic() + timeout
    while text not in stdout.read_text(errors="replace"):
        if process.poll() is not None:
            err = (stdout.parent / "stderr").read_text(errors="replace")[-3000:]
            raise AssertionError(f"process ended (rc {process.returncode}) before printing {text!r}:\n{err}")
        if time.monotonic() > deadline:
            raise AssertionError(f"no {text!r} after {timeout} s")
        time.sleep(0.1)


MOMENTS = {  # pause event -> what the store holds after the kill: (records, temporary files, checkpoints)
    "epoch:2": (0, 0, 1),  # seed 0, second epoch, first batch done: only the epoch-1 checkpoint
    "record:2": (1, 1, 1),  # seed 0's second record: its temporary file written, not yet renamed
    "between-sweeps:1": (2, 0, 0),  # seed 0 complete, seed 1 not started
}


def test_sigkill_at_three_moments_then_rerun_gives_the_uninterrupted_records(uninterrupted, tiny_prior, tmp_path, capsys):
    started = {}
    for moment in MOMENTS:  # all three at once: their start-up (imports) overlaps
        runs = tmp_path / moment.replace(":", "-")
        started[moment] = runs, *start_driver([*CLI_ARGS, "--seeds", "0", "1", "--results", str(runs)],
                                              runs.with_suffix(".log"), IMLP_TEST_PAUSE_AT=moment)
    try:
        for moment, (runs, process, stdout) in started.items():
            event = moment.split(":")[0]
            wait_for(f"IMLP_TEST_PAUSED {event}", stdout, process)
            process.send_signal(signal.SIGKILL)
            assert process.wait(timeout=30) == -signal.SIGKILL
    finally:
        for _, process, _ in started.values():
            if process.poll() is None:
                process.kill()
                process.wait()

    for moment, (runs, _, _) in started.items():
        n_records, n_temps, n_checkpoints = MOMENTS[moment]
        assert (len(record_files(runs)), len(temp_files(runs)), len(checkpoints(runs))) == MOMENTS[moment], moment
        assert all(name in uninterrupted for name in record_files(runs)), moment  # what exists is complete
        survivors = {p.name: p.read_bytes() for p in runs.glob("*.json")}

        capsys.readouterr()
        cli.train_command([*CLI_ARGS, "--seeds", "0", "1", "--results", str(runs)])  # the same command, again
        printed = capsys.readouterr().out
        assert ("resuming from checkpoint" in printed) == (n_checkpoints > 0), moment

        final = record_files(runs)
        assert differences(final, uninterrupted) == [], moment
        assert all((runs / name).read_bytes() == data for name, data in survivors.items()), moment  # not rewritten
        assert temp_files(runs) == [] and checkpoints(runs) == [], moment


def test_two_commands_at_once_neither_corrupt_nor_duplicate_a_run(uninterrupted, tmp_path):
    """Both start together; the first to take the sweep's lock pauses inside training (holding it) until the
    other reports that it waits for the lock; then the first finishes and the second finds the records stored."""
    runs, go = tmp_path / "runs", tmp_path / "go"
    args = [*CLI_ARGS, "--seeds", "0", "--results", str(runs)]
    env = {"IMLP_TEST_PAUSE_AT": "epoch", "IMLP_TEST_RESUME_FILE": str(go)}
    a, b = (start_driver(args, tmp_path / name, **env) for name in ("a", "b"))
    try:
        deadline = time.monotonic() + 240
        while not go.exists():
            outs = [stdout.read_text() for _, stdout in (a, b)]
            paused = ["IMLP_TEST_PAUSED epoch" in out for out in outs]
            waiting = ["waiting for it to finish" in out for out in outs]
            if paused in ([True, False], [False, True]) and waiting == [not p for p in paused]:
                go.touch()
            assert time.monotonic() < deadline, f"no overlap seen: {outs}"
            assert all(process.poll() is None for process, _ in (a, b)), outs
            time.sleep(0.1)
        assert a[0].wait(timeout=240) == 0 and b[0].wait(timeout=240) == 0
    finally:
        for process, _ in (a, b):
            if process.poll() is None:
                process.kill()
                process.wait()
    outs = [stdout.read_text() for _, stdout in (a, b)]
    assert sum("IMLP_TEST_PAUSED epoch" in out for out in outs) == 1  # exactly one of them trained
    final = record_files(runs)
    expected = {name: r for name, r in uninterrupted.items() if r["config"]["seed"] == 0}
    assert differences(final, expected) == []
    assert all(read_record(runs / name) is not None for name in final)
    assert temp_files(runs) == [] and checkpoints(runs) == []
    for out in outs:  # both print the same summary of the same runs
        summary = [line.split()[-1] for line in out.splitlines() if "I-MLP" in line]
        assert sorted(summary) == sorted(name[:-5] for name in final)


class CodeOnLoad:
    """Unpickled, it calls ``open(path, "w")``: what a planted checkpoint could do with any other callable."""

    def __init__(self, path: Path) -> None:
        self.path = path

    def __reduce__(self):
        return open, (str(self.path), "w")


def test_a_planted_checkpoint_is_refused_and_its_runs_start_afresh(tiny_sweep, tmp_path, capsys):
    """A checkpoint of the sweep that would run code when unpickled (dropped into a shared results folder) runs
    none: it is refused with a message, the other stored record stays as it was, and the sweep completes."""
    runs, ran = tmp_path / "runs", tmp_path / "code-ran"
    (stored,) = run_sweep(tiny_sweep, [AlphaSchedule("constant", 0.0)], runs, "cpu", progress=False)
    stored_bytes = (runs / f"{stored['key']}.json").read_bytes()
    half = AlphaSchedule("constant", 0.5)
    planted = checkpoint_path(runs, tiny_sweep.key)
    planted.parent.mkdir(parents=True, exist_ok=True)
    torch.save({"schedules": [{"kind": "constant", "alpha": 0.5, "k": None}], "keys": [tiny_sweep.run_key(half)],
                "history": CodeOnLoad(ran)}, planted)
    capsys.readouterr()
    zero, new = run_sweep(tiny_sweep, [AlphaSchedule("constant", 0.0), half], runs, "cpu", progress=False)
    printed = capsys.readouterr().out
    assert not ran.exists()
    assert f"ignoring checkpoint {planted}: refused: it holds more than plain data" in printed
    assert "its runs start afresh" in printed and "resuming" not in printed
    assert (runs / f"{stored['key']}.json").read_bytes() == stored_bytes and zero == stored
    assert new["status"] == "ok" and len(new["history"]) == tiny_sweep.epochs
    assert checkpoints(runs) == []


# ---------------------------------------------------------------------------------------------------
# Non-finite losses
THREE_ALPHAS = [AlphaSchedule("constant", a) for a in (0.0, 0.5, 1.0)]


@pytest.fixture
def healthy(tiny_sweep, tmp_path) -> list[dict]:
    return run_sweep(tiny_sweep, THREE_ALPHAS, tmp_path / "healthy", "cpu", progress=False)


def test_a_diverging_model_is_stopped_and_recorded_while_the_others_go_on(tiny_sweep, healthy, tmp_path, monkeypatch):
    """Model 1's weights turn NaN after epoch 1; model 2's loss turns infinite in epoch 2; model 0 is untouched."""
    real_train_epoch, real_loss = trainer.Trainer.train_epoch, trainer.stacked_cross_entropy
    steps_per_epoch = tiny_sweep.train_subset // tiny_sweep.batch_size
    calls = []

    def train_epoch(self, epoch, bar):
        losses = real_train_epoch(self, epoch, bar)
        if len(self.history) == 0:
            with torch.no_grad():
                self.mlp.hidden[0].weight[1, 0, 0] = math.nan
        return losses

    def loss(logits, labels):
        calls.append(1)
        scale = torch.tensor([1.0, 1.0, math.inf if len(calls) > steps_per_epoch else 1.0])
        return real_loss(logits, labels) * scale

    monkeypatch.setattr(trainer.Trainer, "train_epoch", train_epoch)
    monkeypatch.setattr(trainer, "stacked_cross_entropy", loss)
    sick = run_sweep(tiny_sweep, THREE_ALPHAS, tmp_path / "sick", "cpu", progress=False)

    assert stable(sick[0]) == stable(healthy[0])  # bit-identical: nothing leaks between stacked models
    assert sick[1]["status"].startswith("diverged at epoch 1")
    assert [h["test_acc"] for h in sick[1]["history"]] == [None, None]
    assert [h["train_loss"] for h in sick[1]["history"]] == [None, None]
    assert sick[2]["status"].startswith("diverged at epoch 2")
    assert sick[2]["history"][0] == healthy[2]["history"][0]
    assert sick[2]["history"][1]["test_acc"] is None and sick[2]["final"]["test_acc"] is None
    for record in sick:  # the prior is unaffected; strict JSON (no NaN) on disk
        assert [h["prior_test_acc"] for h in record["history"]] == [h["prior_test_acc"] for h in healthy[0]["history"]]
        json.loads((tmp_path / "sick" / f"{record['key']}.json").read_text(), parse_constant=pytest.fail)


def test_a_diverging_prior_stops_interpolation_before_it_spreads(tiny_sweep, healthy, tmp_path, monkeypatch):
    """The prior's weights turn NaN at the end of epoch 1, while its epoch-1 loss is still finite: the
    I-MLPs must not be interpolated towards it, then or later."""
    real_train_epoch = trainer.Trainer.train_epoch

    def train_epoch(self, epoch, bar):
        losses = real_train_epoch(self, epoch, bar)
        if len(self.history) == 0:
            with torch.no_grad():
                self.prior.head.weight[0, 0] = math.nan
        return losses

    monkeypatch.setattr(trainer.Trainer, "train_epoch", train_epoch)
    records = run_sweep(tiny_sweep, THREE_ALPHAS, tmp_path, "cpu", progress=False)
    for record in records:
        assert record["status"] == "prior diverged at epoch 1; interpolation stopped"
        assert [h["alpha"] for h in record["history"]] == [0.0, 0.0]  # as applied
        assert [h["prior_test_acc"] for h in record["history"]] == [None, None]
        assert all(math.isfinite(h["train_loss"]) and h["test_acc"] is not None for h in record["history"])
    # The distance to a NaN prior is not a number: recorded as None (strict JSON); everything else is untouched.
    assert all(None in h["gap"] for h in records[0]["history"])
    touched = ("gap", "gap_start", "prior_along", "drift_along", "first_step_along")  # measured against the prior
    assert records[0]["history"] == [{**h, "prior_test_acc": None, "prior_train_loss": None,
                                      **{name: sick[name] for name in touched}}
                                     for h, sick in zip(healthy[0]["history"], records[0]["history"])]


# ---------------------------------------------------------------------------------------------------
# What a record holds to be rerun
def test_every_record_holds_config_seed_code_version_libraries_device_and_dataset_fingerprint(cnn_sweep_store):
    import torchvision

    _, records = cnn_sweep_store
    expected = datasets.load_dataset("synthetic", train_subset=256, test_subset=128, seed=0)
    for record in records:
        config = record["config"]
        assert {"prior", "dataset", "epochs", "batch_size", "lr", "train_subset", "test_subset", "seed",
                "layers", "schedule"} <= set(config)
        assert config["seed"] == 0
        environment = record["environment"]
        assert re.fullmatch(r"[0-9a-f]{40}(-dirty)?", environment["git_commit"])
        assert environment["torch"] == torch.__version__ and environment["torchvision"] == torchvision.__version__
        assert environment["device"].startswith("cpu")
        assert environment["cpu"] and environment["cpu_capability"] == torch.backends.cpu.get_cpu_capability()
        assert record["dataset"]["fingerprint"] == expected.fingerprint
        assert record["dataset"]["source"] == expected.source
        assert record["key"] == config_key(config)


def test_the_progress_note_leaves_stopped_models_out():
    """The bar's note after an epoch: the prior's and the live I-MLPs' accuracy range (a stopped model's None left
    out, a stopped prior shown as a dash) and the training images per second."""
    from imlp_core.history import History

    history = History()
    history.entries = [{"epoch": 1, "test_acc": [0.0, 0.0, 0.0], "prior_test_acc": 0.0},
                       {"epoch": 2, "test_acc": [0.25, None, 0.5], "prior_test_acc": 0.125}]
    history.train_seconds = 4.0
    assert history.progress(5, 1000) == "epoch 2/5 prior 12.5% I-MLP 25.0%-50.0% 500 img/s"
    history.entries.append({"epoch": 3, "test_acc": [None, None, None], "prior_test_acc": None})
    assert history.progress(3, 1000) == "epoch 3/3 prior — I-MLP — 750 img/s"
