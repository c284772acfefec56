"""Algorithm 1's open choices (``imlp_core.options``, notebook 08): exactness where they keep the prior's
function, the break where they are meant to, the per-step path, and the records' keys."""

from __future__ import annotations

import dataclasses

import pytest
import torch

from conftest import stable
from imlp_core import records as store
from imlp_core import cli, pull_measurements, trainer
from imlp_core.interpolate import AlphaSchedule, interpolate_
from imlp_core.models import BLOCKS, IMLP, build_prior
from imlp_core.options import DEFAULTS, cosine_lr
from imlp_core.records import config_key
from imlp_core.sweep import SweepConfig
from imlp_core.sweep_runner import run_sweep


def perturbed_prior_and_mlp(name: str, block: str, affine: bool):
    """A float64 prior whose every parameter (LN gamma, beta included) is moved off its initial value, and its I-MLP."""
    torch.manual_seed(0)
    prior = build_prior(name, 10, block, affine).double()
    with torch.no_grad():
        for param in prior.parameters():
            param.add_(0.1 * torch.randn_like(param))
    return prior, IMLP.matching(prior, num_models=2).double()


def images(n: int = 3) -> torch.Tensor:
    return torch.randn(n, 3, 32, 32, dtype=torch.float64, generator=torch.Generator().manual_seed(1))


@pytest.mark.parametrize("name", ["cnn", "mixer"])
@pytest.mark.parametrize("block", BLOCKS)
@pytest.mark.parametrize("ln", ["plain", "affine-interpolated"])
def test_alpha_one_reproduces_prior_logits_for_every_block_and_interpolated_ln(name, block, ln):
    prior, mlp = perturbed_prior_and_mlp(name, block, ln != "plain")
    sweep = SweepConfig(name, "synthetic", block=block, ln=ln)
    interpolate_(mlp, prior, 1.0, **sweep.interpolation_kwargs(len(mlp.interpolated_layers())))
    x = images()
    error = (mlp(x) - prior(x)).abs().max().item()
    assert error <= 1e-10, f"{name}, {block}, {ln}: max |logit error| {error:.2e}"


@pytest.mark.parametrize("option", [{"head": "own"}, {"bias": "own"}, {"ln": "affine-own"}])
def test_own_values_keep_the_mlps_parameters_so_alpha_one_no_longer_copies_the_prior(option):
    prior, mlp = perturbed_prior_and_mlp("cnn", "every-layer", option.get("ln", "plain") != "plain")
    sweep = SweepConfig("cnn", "synthetic", **option)
    interpolate_(mlp, prior, 1.0, **sweep.interpolation_kwargs(len(mlp.interpolated_layers())))
    assert (mlp(images()) - prior(images())).abs().max().item() > 1e-3


def test_s_mlp_block_has_no_norm_or_activation_after_the_last_hidden_layer():
    spec = build_prior("cnn", block="s-mlp").mlp_spec()
    assert spec.norm_groups == (1,) * 5 + (None,) and spec.gelu == (True,) * 5 + (False,)
    assert build_prior("cnn").mlp_spec().norm_groups == (1,) * 6


def test_defaults_stay_out_of_the_key_and_other_values_enter_it():
    base = SweepConfig("cnn", "synthetic")
    schedule = AlphaSchedule("constant", 0.01)
    assert set(base.run_config(schedule)) & set(DEFAULTS) == set()
    keys = {base.run_key(schedule)}
    for name, value in [("interpolate_every", 1), ("head", "own"), ("block", "s-mlp"), ("ln", "affine-own"),
                        ("optimizer_state", "reset"), ("bias", "own"), ("lr_schedule", "cosine")]:
        config = dataclasses.replace(base, **{name: value}).run_config(schedule)
        assert config[name] == value
        keys.add(config_key(config))
    assert len(keys) == 8


@pytest.mark.parametrize("field, value, message", [
    ("interpolate_every", 0, "interpolate_every must be 'epoch' or a number of optimizer steps >= 1"),
    ("interpolate_every", "step", "interpolate_every must be 'epoch'"),
    ("head", "shared", "unknown head 'shared'; choose one of interpolated, own"),
    ("ln", "affine", "unknown ln 'affine'; choose one of plain, affine-interpolated, affine-own"),
])
def test_bad_option_values_are_refused_with_the_allowed_ones(field, value, message):
    with pytest.raises(ValueError, match=message.replace("(", r"\(").replace(")", r"\)")):
        SweepConfig("cnn", "synthetic", **{field: value})


def test_cli_refuses_a_bad_interval(capsys):
    with pytest.raises(SystemExit):
        cli.train_command(["--prior", "cnn", "--dataset", "synthetic", "--interpolate-every", "often"])
    assert "--interpolate-every takes 'epoch' or a number of optimizer steps, got 'often'" in capsys.readouterr().err


def test_interpolating_every_epochs_worth_of_steps_gives_the_per_epoch_records(tiny_sweep, tmp_path):
    """256 images in batches of 64: 4 steps per epoch. Same numbers bit for bit; only the config differs."""
    schedules = [AlphaSchedule("constant", a) for a in (0.0, 0.3)] + [AlphaSchedule("decay", 0.5, 1.0),
                                                                       AlphaSchedule("test-time", 0.5)]
    per_epoch = run_sweep(tiny_sweep, schedules, tmp_path / "epoch", "cpu", progress=False)
    per_steps = run_sweep(dataclasses.replace(tiny_sweep, interpolate_every=4), schedules, tmp_path / "steps", "cpu",
                          progress=False)
    drop = lambda r: {k: v for k, v in stable(r).items() if k not in ("key", "config")}
    assert [drop(r) for r in per_steps] == [drop(r) for r in per_epoch]


def test_interpolating_after_every_step_at_alpha_one_keeps_the_mlp_on_the_prior(tiny_sweep, tmp_path):
    """Pulled fully after every step, the I-MLP is the prior whenever it is evaluated: same accuracy every epoch."""
    sweep = dataclasses.replace(tiny_sweep, interpolate_every=1)
    zero, one = run_sweep(sweep, [AlphaSchedule("constant", 0.0), AlphaSchedule("constant", 1.0)], tmp_path, "cpu",
                          progress=False)
    assert [h["test_acc"] for h in one["history"]] == [h["prior_test_acc"] for h in one["history"]]
    assert zero["history"][0]["drift"][0] > 0  # alpha = 0 is measured too, never pulled
    assert one["history"][-1]["gap"] != zero["history"][-1]["gap"]


def test_records_hold_drift_and_gap_per_interpolated_layer(tiny_sweep, tmp_path):
    sweep = dataclasses.replace(tiny_sweep, head="own")
    (record,) = run_sweep(sweep, [AlphaSchedule("constant", 0.1)], tmp_path, "cpu", progress=False)
    for h in record["history"]:
        assert len(h["drift"]) == len(h["gap"]) == 2  # the tiny CNN's two convolutions; the head is its own
        assert all(d > 0 for d in h["drift"]) and all(g > 0 for g in h["gap"])


def test_optimizer_reset_restarts_adam_after_each_interpolation(tiny_sweep, tmp_path, monkeypatch):
    """With reset, Adam's step count is back at 0 after every pull, so it never exceeds one epoch's steps."""
    seen = []
    original = trainer.Trainer.interpolate

    def spy(self, alphas, step):
        original(self, alphas, step)
        seen.append(max(int(state["step"]) for state in self.mlp_opt.state.values()))

    monkeypatch.setattr(trainer.Trainer, "interpolate", spy)
    run_sweep(dataclasses.replace(tiny_sweep, optimizer_state="reset"), [AlphaSchedule("constant", 0.1)], tmp_path,
              "cpu", progress=False)
    assert seen == [0, 0]
    seen.clear()
    run_sweep(tiny_sweep, [AlphaSchedule("constant", 0.1)], tmp_path / "keep", "cpu", progress=False)
    assert seen == [4, 8]  # kept: 4 steps per epoch


def test_cosine_learning_rate_falls_from_lr_to_zero():
    assert cosine_lr(1e-3, 0, 100) == 1e-3
    assert cosine_lr(1e-3, 50, 100) == pytest.approx(5e-4)
    assert cosine_lr(1e-3, 99, 100) < 1e-6


def test_cosine_schedule_changes_the_run_and_options_are_columns_of_load(tiny_sweep, tmp_path):
    schedule = [AlphaSchedule("constant", 0.0)]
    (constant,) = run_sweep(tiny_sweep, schedule, tmp_path, "cpu", progress=False)
    (cosine,) = run_sweep(dataclasses.replace(tiny_sweep, lr_schedule="cosine"), schedule, tmp_path, "cpu", progress=False)
    assert cosine["history"][-1]["train_loss"] != constant["history"][-1]["train_loss"]
    frame = store.load(tmp_path).set_index("lr_schedule")
    assert set(frame.index) == {"constant", "cosine"}
    assert frame.loc["constant", "interpolate_every"] == "epoch" and frame.loc["cosine", "head"] == "interpolated"


def test_accuracy_is_an_exact_fraction_of_the_test_split(tiny_sweep, tmp_path):
    (record,) = run_sweep(tiny_sweep, [AlphaSchedule("constant", 0.5)], tmp_path, "cpu", progress=False)
    n = record["dataset"]["num_test"]
    for h in record["history"]:
        assert h["test_acc"] == round(h["test_acc"] * n) / n and h["prior_test_acc"] == round(h["prior_test_acc"] * n) / n


def test_experiments_cli_passes_the_option_flags_to_every_sweep(monkeypatch, capsys):
    from imlp_core import experiments

    seen = []
    monkeypatch.setattr(experiments, "run_sweep", lambda sweep, schedules, *a, **k: seen.append(sweep) or [])
    cli.experiments_command(["cnn", "schedules", "--profile", "smoke", "--datasets", "synthetic", "--interpolate-every", "1",
                      "--bias", "own"])
    assert len(seen) == 2 and all(s.interpolate_every == 1 and s.bias == "own" and s.head == "interpolated" for s in seen)
    with pytest.raises(SystemExit):
        cli.experiments_command(["open_choices", "--profile", "smoke", "--head", "own"])
    assert "open_choices runs every open choice itself" in capsys.readouterr().err


@pytest.mark.parametrize("every", [1, 3])
def test_drift_is_measured_from_the_pull_before_the_epochs_last(tiny_sweep, tmp_path, every):
    """The drift recorded at an epoch's last pull is Adam's move since the pull before it (here checked against
    a run that measures at every pull): 4 steps per epoch, pulls every 1 or every 3 steps."""
    sweep = dataclasses.replace(tiny_sweep, interpolate_every=every)
    (record,) = run_sweep(sweep, [AlphaSchedule("constant", 0.2)], tmp_path / "lazy", "cpu", progress=False)
    seen = {}
    original = trainer.Trainer.interpolate

    def record_each_pull(self, alphas, step):
        original(self, alphas, step)
        seen[step] = self.pulls.epoch_fields["drift"]

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(trainer.Trainer, "interpolate", record_each_pull)
        patch.setattr(pull_measurements.PullMeasurements, "is_measured", lambda self, step: True)  # every pull
        run_sweep(sweep, [AlphaSchedule("constant", 0.2)], tmp_path / "eager", "cpu", progress=False)
    last_pulls = [max(s for s in seen if (s - 1) // 4 == epoch) for epoch in range(2)]
    assert [h["drift"] for h in record["history"]] == [seen[s][0] for s in last_pulls]
