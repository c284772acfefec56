"""The explorers' computations (what they show) and their widgets driven without a browser."""

import ipywidgets as widgets
import matplotlib
import numpy as np
import pandas as pd
import pytest
import torch

from imlp_core import explorers, figures, results
from imlp_core.experiments import alpha_sweep
from imlp_core.options import DEFAULTS
from imlp_core.paths import repo_root
from imlp_core.profiles import resolve_profile

EXPLORER_TOLERANCE = 1e-12  # the browser test's bound on the readout


def test_conv_view_matches_conv2d_for_the_teachers_example():
    """A 5×5 kernel, stride 2, padding 0, two groups: W_F reproduces F.conv2d and both constructions agree."""
    settings = explorers.ConvSettings(in_channels=2, size=9, out_channels=4, kernel=5, stride=2, padding=0, groups=2)
    view = explorers.conv_view(settings)
    assert view.output_shape == (4, 3, 3)
    assert view.max_error < EXPLORER_TOLERANCE and view.index_equals_probe
    # One colour per kernel entry: entries 1..C_out·(C_in/groups)·k², each a shared weight.
    assert view.entries == 4 * 1 * 25
    assert set(view.numbered.unique().tolist()) == {0.0, *map(float, range(1, 101))}


def test_receptive_field_is_the_kernel_window_of_the_pixel():
    settings = explorers.ConvSettings(in_channels=2, size=6, out_channels=2, kernel=3, stride=1, padding=1, groups=2)
    view = explorers.conv_view(settings)
    field = explorers.receptive_field(view, settings, (1, 2, 3))  # output channel 1 reads input channel 1 only
    assert torch.isnan(torch.from_numpy(field[0])).all()
    taps = ~torch.isnan(torch.from_numpy(field[1]))
    expected = torch.zeros(6, 6, dtype=torch.bool)
    expected[1:4, 2:5] = True
    assert torch.equal(taps, expected)
    # The entries are the numbered kernel of output channel 1: 10..18, in raster order over the window.
    assert field[1][1:4, 2:5].flatten().tolist() == list(range(10, 19))


@pytest.mark.parametrize("settings, message", [
    (explorers.ConvSettings(size=3, kernel=5, padding=0), "Kernel size can't be greater than actual input size"),
    (explorers.ConvSettings(in_channels=3, groups=2), "in_channels must be divisible by groups"),
])
def test_refused_settings_raise_pytorchs_message(settings, message):
    with pytest.raises((ValueError, RuntimeError), match=message):
        explorers.conv_view(settings)


def test_conv_explorer_shows_refusal_and_recovers():
    explorer = explorers.ConvExplorer(explorers.ConvSettings(size=4))
    assert "max |error|" in explorer.readout.value
    explorer.controls["kernel"].value = 5
    explorer.controls["padding"].value = 0
    assert "Refused" in explorer.readout.value and "Kernel size" in explorer.readout.value
    explorer.controls["size"].value = 8
    assert "max |error|" in explorer.readout.value
    assert explorer.controls["pixel_row"].max == 3  # (8 - 5) / 1 + 1 output rows


def test_conv_explorer_widget_has_the_issues_controls():
    explorer = explorers.ConvExplorer()
    assert {"in_channels", "size", "out_channels", "kernel", "stride", "padding", "padding_mode", "dilation",
            "groups"} <= set(explorer.controls)
    assert isinstance(explorer.widget, widgets.VBox)


def test_mixer_view_layers_are_exact_and_factors_multiply():
    settings = explorers.MixerSettings(image=8, patch=4, rows=3, cols=5, channels=3)
    view = explorers.mixer_view(settings)
    assert view.max_error < EXPLORER_TOLERANCE
    w_tilde, patchify, embedding = view.embedding_factors
    assert torch.equal(w_tilde @ patchify, embedding)
    t_cs, shared, t_sc, token = view.token_factors
    assert torch.equal(t_cs @ shared @ t_sc, token)
    x = torch.randn(3, 5, dtype=torch.float64)
    assert torch.equal(view.transpose @ x.flatten(), x.T.flatten())


def test_mixer_explorer_reports_indivisible_patches():
    explorer = explorers.MixerExplorer(explorers.MixerSettings(image=8, patch=4))
    explorer.controls["patch"].value = 3
    assert "not divisible" in explorer.readout.value


def record(seed: int, alpha: float, accs: list[float], prior: list[float], **settings) -> dict:
    return {"prior": "cnn", "dataset": "synthetic", "epochs": len(accs), "batch_size": 128, "lr": 1e-3,
            "train_subset": 500, "test_subset": None, "layers": "all", **DEFAULTS, **settings, "seed": seed,
            "schedule": "constant", "alpha": alpha, "k": 0.0, "label": f"α = {alpha:g}",
            "history": [{"epoch": e + 1, "alpha": alpha, "test_acc": a, "prior_test_acc": p}
                        for e, (a, p) in enumerate(zip(accs, prior))]}


def stored_runs() -> pd.DataFrame:
    prior = [0.3, 0.4, 0.5]
    return pd.DataFrame([record(0, 0.0, [0.2, 0.3, 0.35], prior), record(0, 0.1, [0.25, 0.3, 0.4], prior),
                         record(1, 0.0, [0.2, 0.2, 0.3], prior), record(1, 0.1, [0.3, 0.3, 0.3], prior)])


def test_run_curves_give_accuracies_and_the_accumulated_share():
    sweep = explorers.sweeps(stored_runs())
    assert list(sweep) == ["S-CNN prior · synthetic · 3 epochs · 500 training images · lr 0.001 · pulls every epoch"]
    curves = explorers.run_curves(next(iter(sweep.values())), "α = 0.1", (0,))
    assert curves["I-MLP"].tolist() == pytest.approx([25, 30, 40])
    assert curves["S-MLP (α = 0)"].tolist() == pytest.approx([20, 30, 35])
    assert curves["prior"].tolist() == pytest.approx([30, 40, 50])
    assert curves["share"].tolist() == pytest.approx([1 - 0.9 ** t for t in (1, 2, 3)])  # 1 − (1 − α)^T


def test_runs_explorer_follows_its_controls_and_handles_an_empty_store():
    explorer = explorers.RunsExplorer(stored_runs())
    assert explorer.controls["label"].value == "α = 0.1" and explorer.controls["seeds"].value == (0, 1)
    assert "I-MLP 35.00 %" in explorer.readout.value  # mean of 40 and 30
    explorer.controls["seeds"].value = (1,)
    assert "I-MLP 30.00 %" in explorer.readout.value
    empty = explorers.RunsExplorer(pd.DataFrame(columns=explorers.SWEEP_KEYS + ["seed", "label", "history"]))
    assert "No stored runs" in empty.readout.value


def test_figure_labels_say_what_the_runs_are():
    assert figures.dataset_title("CIFAR-10", "cifar10") == "CIFAR-10"
    assert figures.dataset_title("CIFAR-100", "synthetic100") == "synthetic100 (in place of CIFAR-100)"
    runs = stored_runs()
    assert figures.seeds_label("I-MLP", runs) == "I-MLP (mean and 95 % interval over 2 seeds)"
    assert figures.seeds_label("I-MLP", runs[runs.seed == 0]) == "I-MLP (1 seed, no interval)"
    assert figures.budget_caption(runs) == "3 epochs · 500 training images · 2 seeds"


def test_explorer_figure_is_a_png_widget_value_only():
    """Nothing reaches the cell's own outputs: the figure is the PNG value of the explorer's Image widget, closed after."""
    import matplotlib.pyplot as plt

    before = set(plt.get_fignums())
    explorer = explorers.ConvExplorer()
    assert set(plt.get_fignums()) == before
    assert explorer.figure.value[:4] == b"\x89PNG"


def test_runs_differing_in_one_option_or_the_lr_are_separate_sweeps():
    """Runs are pooled only where their whole configuration (every option and the lr) agrees; the names differ."""
    prior = [0.3, 0.4, 0.5]
    runs = pd.concat([stored_runs(), pd.DataFrame([record(0, 0.1, [0.1, 0.1, 0.1], prior, ln="affine-own"),
                                                   record(0, 0.1, [0.2, 0.2, 0.2], prior, lr=3e-4),
                                                   record(0, 0.1, [0.3, 0.3, 0.3], prior, interpolate_every=1)])],
                     ignore_index=True)
    found = explorers.sweeps(runs)
    assert list(found) == ["S-CNN prior · synthetic · 3 epochs · 500 training images · lr 0.0003 · pulls every epoch",
                           "S-CNN prior · synthetic · 3 epochs · 500 training images · lr 0.001 · pulls every epoch",
                           "S-CNN prior · synthetic · 3 epochs · 500 training images · lr 0.001 · pulls every epoch · "
                           "ln = affine-own",
                           "S-CNN prior · synthetic · 3 epochs · 500 training images · lr 0.001 · pulls every step"]
    assert [len(group) for group in found.values()] == [1, 4, 1, 1]
    explorer = explorers.RunsExplorer(runs)
    assert explorer.controls["sweep"].value == list(found)[1]  # it opens on the sweep with the most runs


CPU_STORE = repo_root() / "results" / "runs"  # the committed laptop (`cpu` profile) store, with the option variants


@pytest.fixture(scope="module")
def cpu_store() -> pd.DataFrame:
    if not any(CPU_STORE.glob("*.json")):
        pytest.skip("the committed cpu store is not in this checkout")
    return results.load(CPU_STORE)


def test_every_sweep_of_the_cpu_store_holds_one_run_per_seed_and_alpha(cpu_store):
    found = explorers.sweeps(cpu_store)
    assert len(found) > 10  # the option variants of notebook 08 and the pull intervals of 09 are sweeps of their own
    for name, sweep in found.items():
        assert not sweep.duplicated(["seed", "label"]).any(), name
        assert sweep["epochs"].nunique() == 1 and sweep["lr"].nunique() == 1, name


def test_explorer_readout_equals_figure_03_on_the_cpu_store(cpu_store):
    """Notebook 03's explorer, on its sweep and seeds at α = 0.3, reads what figure 03 draws there; panel (b)
    follows one run's five epochs."""
    matplotlib.use("Agg")
    cpu = resolve_profile("cpu")
    runs = alpha_sweep(cpu, "cnn", cpu.datasets[0], results=CPU_STORE, stored_only=True)  # notebook 03's nb.runs("cnn")
    fig = figures.alpha_sweep_figure(runs, "t")
    (curve,) = [line for line in fig.axes[0].get_lines() if line.get_gid() == "I-MLP"]
    drawn = float(curve.get_ydata()[np.isclose(curve.get_xdata(), 0.3)][0])
    explorer = explorers.RunsExplorer(cpu_store, priors=("cnn",), seeds=cpu.seeds)
    (name,) = [name for name, sweep in explorer.sweeps.items() if set(runs["key"]) <= set(sweep["key"])]
    assert explorer.controls["sweep"].value == name  # it opens on figure 03's sweep
    explorer.controls["label"].value = "α = 0.3"
    assert explorer.controls["seeds"].value == cpu.seeds
    assert f"I-MLP {drawn:.2f} %" in explorer.readout.value
    curves = explorers.run_curves(explorer.sweeps[name], "α = 0.3", cpu.seeds)
    fig = explorers.run_figure(curves, "α = 0.3", "cnn", name)
    assert fig.axes[1].get_title() == f"(b) prior's accumulated share: {1 - 0.7 ** 5:.3g} after 5 epochs"
    assert fig.axes[1].get_lines()[0].get_xdata().tolist() == [1, 2, 3, 4, 5]
