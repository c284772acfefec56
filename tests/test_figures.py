"""What each figure draws (imlp_core.figures), read back from the artists on hand-made runs: the mean over seeds,
its 95 % t-interval (recomputed here with scipy), the seed count, α = 0 left of the // break, the head left out of
the balance, the priors' own accuracies, and no prior's accuracy drawn as an I-MLP's curve; and that every figure
function, drawn twice, saves equal bytes, on a PDF page that no last bit of a float moves."""

from __future__ import annotations

from typing import Callable

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
import pytest
from matplotlib.collections import LineCollection
from matplotlib.text import Text
from matplotlib.transforms import Bbox
from scipy import stats

from imlp_core import figures
from imlp_core.paper import FIGURE_2_EXTREMA, paper_share_points
from imlp_core.results import FRAME_COLUMNS

SEEDS = (0, 1, 2)


def run_row(seed: int, alpha: float, acc: float, prior_acc: float, *, experiment: str = "cnn", prior: str = "cnn",
            schedule: str = "constant", k: float = 0.0, epochs: int = 3, option: str = "default",
            history: list | None = None, **extra) -> dict:
    """One I-MLP's row with every column of ``results.FRAME_COLUMNS`` (accuracies as fractions), plus
    ``experiment`` and ``option``. Its history holds one entry per epoch, the accuracy rising to ``acc``."""
    if history is None:
        def alpha_at(epoch: int) -> float:
            if schedule == "test-time":
                return 0.0
            return alpha * (1 - (epoch - 1) / epochs) ** k if schedule == "decay" else alpha
        history = [{"epoch": e, "alpha": alpha_at(e), "test_acc": acc - 0.01 * (epochs - e),
                    "prior_test_acc": prior_acc - 0.01 * (epochs - e)} for e in range(1, epochs + 1)]
    row = {column: None for column in FRAME_COLUMNS}
    row.update({"prior": prior, "dataset": "cifar10", "epochs": epochs, "batch_size": 128, "lr": 1e-3,
                "train_subset": 5000, "test_subset": None, "seed": seed, "layers": "all", "precision": "float32",
                "interpolate_every": "epoch", "curve_test_subset": None, "head": "interpolated",
                "block": "every-layer", "ln": "plain", "optimizer_state": "keep", "bias": "interpolated",
                "lr_schedule": "constant", "schedule": schedule, "alpha": alpha, "k": k,
                "label": {"constant": f"α = {alpha:g}", "test-time": f"test-time α = {alpha:g}",
                          "decay": f"decay a = {alpha:g}, k = {k:g}"}[schedule],
                "test_acc": acc, "prior_test_acc": prior_acc, "train_loss": 1.0, "status": "ok", "history": history,
                "source": "cifar10 (test)", "device": "cpu", "wall_time_s": 1.0, "images_per_s": 1.0,
                "key": f"{experiment}-{prior}-{option}-{schedule}-{alpha}-{k}-{seed}", "experiment": experiment,
                "option": option, **extra})
    return row


# Per seed: I-MLP accuracy (fraction) per constant α, and the prior's. A V at α = 0.01 in every seed.
CURVES = {0: {0.0: 0.580, 1e-3: 0.570, 1e-2: 0.500, 0.1: 0.560, 1.0: 0.620},
          1: {0.0: 0.600, 1e-3: 0.580, 1e-2: 0.530, 0.1: 0.570, 1.0: 0.640},
          2: {0.0: 0.570, 1e-3: 0.575, 1e-2: 0.490, 0.1: 0.550, 1.0: 0.615}}
PRIOR = {0: 0.630, 1: 0.650, 2: 0.610}


def sweep(seeds=SEEDS, curves=CURVES, prior_acc=PRIOR, **kwargs) -> pd.DataFrame:
    return pd.DataFrame([run_row(s, a, acc, prior_acc[s], **kwargs) for s in seeds for a, acc in curves[s].items()])


def scipy_interval(values) -> tuple[float, float]:
    values = np.asarray(values, dtype=float)
    return stats.t.interval(0.95, len(values) - 1, loc=values.mean(), scale=stats.sem(values))


def by_gid(ax_or_fig, gid: str) -> list:
    return [artist for artist in ax_or_fig.findobj() if artist.get_gid() == gid]


def band_at(ax: plt.Axes, gid: str, x: float) -> tuple[float, float]:
    """(low, high) of the band (fill_between) ``gid`` at ``x``."""
    (band,) = by_gid(ax, gid)
    vertices = np.concatenate([path.vertices for path in band.get_paths()])
    ys = vertices[np.isclose(vertices[:, 0], x), 1]
    assert ys.size, f"the band {gid!r} has no vertex at x = {x}"
    return float(ys.min()), float(ys.max())


def errorbar_at(ax: plt.Axes, gid: str, x: float) -> tuple[float, float]:
    """(low, high) of the error bar ``gid`` at ``x``."""
    (bars,) = [artist for artist in by_gid(ax, gid) if isinstance(artist, LineCollection)]
    for segment in bars.get_segments():
        if np.isclose(segment[0][0], x):
            return float(min(segment[:, 1])), float(max(segment[:, 1]))
    raise AssertionError(f"no error bar {gid!r} at x = {x}")


def line(ax: plt.Axes, gid: str):
    (found,) = by_gid(ax, gid)
    return found


def texts(fig: plt.Figure) -> str:
    return "\n".join(t.get_text() for t in fig.findobj(Text))


@pytest.fixture(autouse=True)
def close_figures():
    yield
    plt.close("all")


# ---------------------------------------------------------------------------------------------
# The helpers


@pytest.mark.parametrize("counts, note", [
    ([3, 3], "mean and 95 % interval over 3 seeds"),
    ([2, 3], "mean and 95 % interval over 2–3 seeds"),
    ([1, 1], "1 seed, no interval"),
    ([0], "no runs"),
])
def test_seeds_note_says_how_many_seeds(counts, note):
    assert figures.seeds_note(counts) == note


def test_seed_intervals_are_scipys_t_interval_per_point():
    frame = pd.DataFrame({"seed": [0, 1, 2, 0], "x": [1, 1, 1, 2], "y": [10.0, 12.0, 17.0, 5.0]})
    summary = figures.seed_intervals(frame, "x", "y").set_index("x")
    assert summary.loc[1, ["low", "high"]].tolist() == pytest.approx(scipy_interval([10, 12, 17]))
    assert summary.loc[1, "mean"] == pytest.approx(13) and summary.loc[1, "n"] == 3
    assert summary.loc[2, "n"] == 1 and np.isnan(summary.loc[2, "low"])  # one seed: no interval


# ---------------------------------------------------------------------------------------------
# Figure 2 (notebooks 03, 04)


def test_alpha_sweep_band_spans_the_t_interval_over_three_seeds():
    fig = figures.alpha_sweep_figure(sweep(), "t", FIGURE_2_EXTREMA[:1])
    ax = fig.axes[0]
    at = [100 * CURVES[s][1e-2] for s in SEEDS]
    assert band_at(ax, "I-MLP interval", 1e-2) == pytest.approx(scipy_interval(at))
    assert band_at(ax, "I-MLP interval", 1e-2) != pytest.approx((np.mean(at) - np.std(at, ddof=1),
                                                                 np.mean(at) + np.std(at, ddof=1)))  # not ± 1 std
    zero_at = figures.zero_position(CURVES[0])
    assert errorbar_at(ax, "I-MLP α = 0 interval", zero_at) == pytest.approx(
        scipy_interval([100 * CURVES[s][0.0] for s in SEEDS]))
    prior = [100 * PRIOR[s] for s in SEEDS]
    (span,) = by_gid(ax, "prior interval")
    assert (span.get_y(), span.get_y() + span.get_height()) == pytest.approx(scipy_interval(prior))
    legend = [t.get_text() for t in ax.get_legend().get_texts()]
    assert "I-MLP (mean and 95 % interval over 3 seeds)" in legend


def test_alpha_sweep_draws_the_imlp_curve_not_the_priors_accuracy():
    fig = figures.alpha_sweep_figure(sweep(), "t")
    ax = fig.axes[0]
    curve = line(ax, "I-MLP")
    alphas = [1e-3, 1e-2, 0.1, 1.0]
    assert curve.get_xdata().tolist() == pytest.approx(alphas)
    assert curve.get_ydata().tolist() == pytest.approx([np.mean([100 * CURVES[s][a] for s in SEEDS]) for a in alphas])
    prior = line(ax, "prior")
    assert prior.get_ydata()[0] == pytest.approx(np.mean([100 * PRIOR[s] for s in SEEDS]))
    assert line(ax, "S-MLP").get_ydata()[0] == pytest.approx(np.mean([100 * CURVES[s][0.0] for s in SEEDS]))


def test_one_seed_says_so_and_draws_no_interval():
    fig = figures.alpha_sweep_figure(sweep(seeds=(0,)), "t")
    ax = fig.axes[0]
    assert "I-MLP (1 seed, no interval)" in [t.get_text() for t in ax.get_legend().get_texts()]
    (band,) = by_gid(ax, "I-MLP interval")
    assert not any(np.isfinite(path.vertices).all() and len(path.vertices) for path in band.get_paths())
    assert by_gid(ax, "prior interval") == []


def test_decay_figure_band_is_the_t_interval_over_seeds():
    rows = [run_row(s, 0.5, acc + 0.01 * s, PRIOR[s], experiment="schedules", schedule="decay", k=k)
            for s in SEEDS for k, acc in ((1.0, 0.50), (2.0, 0.55), (4.0, 0.56))]
    rows += [run_row(s, 0.0, 0.58 + 0.02 * s * s, PRIOR[s], experiment="schedules") for s in SEEDS]
    fig = figures.decay_figure(pd.DataFrame(rows), "t")
    ax = fig.axes[0]
    assert band_at(ax, "I-MLP decay interval", 2.0) == pytest.approx(scipy_interval([55, 56, 57]))
    (span,) = by_gid(ax, "no interpolation interval")
    assert (span.get_y(), span.get_y() + span.get_height()) == pytest.approx(scipy_interval([58, 60, 66]))
    assert "over 3 seeds" in texts(fig)


# ---------------------------------------------------------------------------------------------
# Notebook 05: accuracy per epoch


def test_epoch_curves_name_identical_curves_and_keep_them_apart():
    rows = []
    for s in SEEDS:
        rows.append(run_row(s, 0.5, 0.55 + 0.01 * s, PRIOR[s], experiment="schedules"))
        rows.append(run_row(s, 0.5, 0.55 + 0.01 * s, PRIOR[s], experiment="schedules", schedule="decay", k=0.0))
        rows.append(run_row(s, 0.0, 0.50 + 0.01 * s, PRIOR[s], experiment="schedules"))
    fig = figures.epoch_curves_figure(pd.DataFrame(rows), "t")
    ax = fig.axes[0]
    legend = [t.get_text() for t in ax.get_legend().get_texts()]
    assert "decay a = 0.5, k = 0  (same curve as α = 0.5)" in legend
    assert "α = 0 " not in " ".join(legend) or not any("same curve as α = 0)" in t for t in legend)
    constant, decay = line(ax, "α = 0.5"), line(ax, "decay a = 0.5, k = 0")
    assert np.allclose(constant.get_ydata(), decay.get_ydata())
    assert not np.allclose(constant.get_xdata(), decay.get_xdata())  # offset sideways: neither hides the other
    assert (constant.get_marker(), constant.get_linestyle()) != (decay.get_marker(), decay.get_linestyle())
    final = [100 * (0.55 + 0.01 * s) for s in SEEDS]
    x_final = constant.get_xdata()[-1]
    assert errorbar_at(ax, "α = 0.5 interval", x_final) == pytest.approx(scipy_interval(final))
    assert ax.get_legend().get_title().get_text() == "mean and 95 % interval over 3 seeds"
    prior = line(ax, "prior")
    assert prior.get_ydata()[-1] == pytest.approx(np.mean([100 * PRIOR[s] for s in SEEDS]))


# ---------------------------------------------------------------------------------------------
# Notebook 06: Table 5


def first_layer_runs() -> pd.DataFrame:
    rows = []
    for s in SEEDS:
        rows += [run_row(s, 0.0, 0.40 + 0.01 * s, 0.70 + 0.02 * s, experiment="first_layer", prior="table5-mlp1"),
                 run_row(s, 0.5, 0.45 + 0.03 * s, 0.70 + 0.02 * s, experiment="first_layer", prior="table5-mlp1"),
                 run_row(s, 0.0, 0.42 + 0.01 * s, 0.60 + 0.01 * s * s, experiment="first_layer", prior="table5-mlp2"),
                 run_row(s, 0.5, 0.50 + 0.02 * s, 0.60 + 0.01 * s * s, experiment="first_layer", prior="table5-mlp2")]
    return pd.DataFrame(rows)


def bar_heights(ax: plt.Axes, gid: str) -> list[float]:
    return [patch.get_height() for patch in ax.patches if patch.get_gid() == gid]


def test_first_layer_figure_draws_each_models_prior_with_its_interval():
    from imlp_core.models import PRIORS

    runs = first_layer_runs()
    if set(runs["prior"]) - set(PRIORS):
        pytest.skip("Table 5's priors are registered under other keys")
    fig = figures.first_layer_figure(runs, "t")
    ax = fig.axes[0]
    assert bar_heights(ax, "prior") == pytest.approx([np.mean([70, 72, 74]), np.mean([60, 61, 64])])
    assert bar_heights(ax, "CNN-interpolated") == pytest.approx([np.mean([45, 48, 51]), np.mean([50, 52, 54])])
    assert bar_heights(ax, "baseline") == pytest.approx([np.mean([40, 41, 42]), np.mean([42, 43, 44])])
    mlp2 = [patch for patch in ax.patches if patch.get_gid() == "prior"][1]
    assert errorbar_at(ax, "prior interval", mlp2.get_x() + mlp2.get_width() / 2) == pytest.approx(
        scipy_interval([60, 61, 64]))
    assert "its CNN prior" in [t.get_text() for t in ax.get_legend().get_texts()]
    assert ax.get_legend().get_title().get_text() == "mean and 95 % interval over 3 seeds"


# ---------------------------------------------------------------------------------------------
# Notebook 07: accuracy against the prior's share


def test_accumulated_share_has_one_panel_per_prior_and_the_final_epoch_only():
    mixer = {s: {a: acc - 0.05 for a, acc in CURVES[s].items()} for s in SEEDS}
    runs = pd.concat([sweep(), sweep(curves=mixer, experiment="mixer", prior="mixer")], ignore_index=True)
    fig = figures.accumulated_share_figure(runs, paper_share_points(), "t")
    panels = [ax for ax in fig.axes if ax.get_visible()]
    assert [ax.get_title() for ax in panels] == ["S-CNN prior", "MLP-Mixer prior"]
    ax = panels[0]
    assert ax.get_xscale() == "logit"
    ours = line(ax, "ours, constant α, T = 3 (cnn runs)")
    assert len(ours.get_xdata()) == len(CURVES[0])  # one point per α: the final epoch only, not every epoch
    assert sorted(ours.get_ydata()) == pytest.approx(sorted(np.mean([100 * CURVES[s][a] for s in SEEDS])
                                                            for a in CURVES[0]))
    share = 1 - (1 - 0.1) ** 3
    assert np.isclose(ours.get_xdata(), share).any()  # 0.271: drawn where it is, readable on the logit axis
    zero_at, one_at = min(ours.get_xdata()), max(ours.get_xdata())
    assert zero_at < 1 - (1 - 1e-3) ** 3 and one_at > share  # 0 and 1 at the ends, beyond the breaks
    labels = {t.get_text(): t.get_position()[0] for t in ax.get_xticklabels()}
    assert labels["0"] == pytest.approx(zero_at) and labels["1"] == pytest.approx(one_at)
    breaks = sorted(t.xy[0] for t in ax.texts if t.get_text() == "//")
    smallest = 1 - (1 - 1e-3) ** 3
    assert zero_at < breaks[0] < smallest and max(1 - (1 - 0.1) ** 3, 1 - 0.9 ** 3) < breaks[1] < one_at
    at = [100 * CURVES[s][0.1] for s in SEEDS]
    assert errorbar_at(ax, "ours, constant α, T = 3 (cnn runs) interval", share) == pytest.approx(scipy_interval(at))
    assert "final epoch; mean and 95 % interval over 3 seeds" in texts(fig)


# ---------------------------------------------------------------------------------------------
# Notebook 08: the open choices


def test_option_panels_draw_alpha_zero_left_of_the_break_with_budget_and_seeds():
    runs = pd.concat([sweep(), sweep(option="interpolate_every = 1")], ignore_index=True)
    fig = figures.option_curves_figure(runs, "t")
    zero_at = figures.zero_position(CURVES[0])
    for option, ax in zip(["default", "interpolate_every = 1"], fig.axes):
        assert ax.get_title() == option
        (point,) = by_gid(ax, f"{option} α = 0")
        assert point.get_xdata().tolist() == pytest.approx([zero_at])
        assert point.get_ydata()[0] == pytest.approx(np.mean([100 * CURVES[s][0.0] for s in SEEDS]))
        (mark,) = [t for t in ax.texts if t.get_text() == "//"]
        assert zero_at < mark.xy[0] < min(a for a in CURVES[0] if a > 0)
        ticks = dict(zip([t.get_text() for t in ax.get_xticklabels()], ax.get_xticks()))
        assert ticks["0"] == pytest.approx(zero_at)
        assert band_at(ax, f"{option} interval", 1e-2) == pytest.approx(scipy_interval([100 * CURVES[s][1e-2]
                                                                                          for s in SEEDS]))
        assert line(ax, f"{option} prior").get_ydata()[0] == pytest.approx(np.mean([100 * PRIOR[s] for s in SEEDS]))
        assert by_gid(ax, f"{option} V")  # the dip lies below both ends in every seed
    text = texts(fig)
    assert "3 epochs · 5,000 training images · 3 seeds" in text
    assert "mean and 95 % interval over 3 seeds" in text


def balance_history(epochs: int, hidden: list[float], head: float, alpha: float) -> list[dict]:
    """Every epoch: drift / gap = ``hidden`` per hidden layer, then ``head`` for the head (gap 1)."""
    return [{"epoch": e, "alpha": alpha, "test_acc": 0.5, "prior_test_acc": 0.6, "drift": [*hidden, head],
             "gap": [1.0] * (len(hidden) + 1)} for e in range(1, epochs + 1)]


def balance_runs(head: str = "interpolated") -> pd.DataFrame:
    rows = []
    for s in SEEDS:
        for alpha in (0.0, 1e-2, 0.1, 1.0):
            # hidden layers' median: 0.02 (1 + s) at α = 0, α (2 + s) otherwise; the head's value would move it
            hidden = [0.01 * (1 + s), 0.03 * (1 + s)] if alpha == 0 else [alpha * (1 + s), alpha * (3 + s)]
            rows.append(run_row(s, alpha, CURVES[s].get(alpha, 0.5), PRIOR[s], option="default", head=head,
                                history=balance_history(3, hidden, 50.0, alpha)))
    return pd.DataFrame(rows)


def test_balance_figure_leaves_the_head_out_and_shows_every_seed():
    fig = figures.balance_figure(balance_runs(), ["default"], "t")
    top, bottom = fig.axes[0], fig.axes[1]
    assert [t.get_text() for t in top.get_legend().get_texts()][:2] == ["layer 1", "layer 2"]
    assert not any("layer 3" in t.get_text() for t in top.get_legend().get_texts())  # the head: the third layer
    assert not by_gid(top, "default layer 3")
    for s in SEEDS:
        (seed_points,) = by_gid(bottom, f"default seed {s}")
        offsets = seed_points.get_offsets()
        assert offsets[:, 0].tolist() == pytest.approx([1e-2, 0.1])
        assert offsets[:, 1].tolist() == pytest.approx([a * (2 + s) for a in (1e-2, 0.1)])  # median of hidden only
    assert band_at(bottom, "default balance interval", 0.1) == pytest.approx(scipy_interval([0.2, 0.3, 0.4]))
    (smlp,) = [l for l in bottom.get_lines() if l.get_label().startswith("S-MLP's balance")]
    assert smlp.get_ydata()[0] == pytest.approx(np.mean([0.02 * (1 + s) for s in SEEDS]))
    text = texts(fig)
    assert figures.HIDDEN in text and "median over hidden layers" in bottom.get_ylabel()
    assert "mean and 95 % interval over 3 seeds" in text


def test_balance_figure_keeps_the_last_layer_when_the_head_is_the_mlps_own():
    fig = figures.balance_figure(balance_runs(head="own"), ["default"], "t")
    assert by_gid(fig.axes[0], "default layer 3")  # with head = own the last measured layer is a hidden one


# ---------------------------------------------------------------------------------------------
# The files: every figure saves the same bytes each time it is drawn


def dip_runs() -> pd.DataFrame:
    """Notebook 09's runs: pulls every step (a V at α = 0.01) and every epoch, at two learning rates, each with the
    accuracy just before its last pull and a last epoch's directional drift (two hidden layers and the head)."""
    rows = []
    for lr in (1e-3, 3e-4):
        for every, dip in ((1, 0.05), ("epoch", 0.0)):
            for s in SEEDS:
                for alpha, acc in CURVES[s].items():
                    last = {"epoch": 3, "alpha": alpha, "test_acc": acc, "prior_test_acc": PRIOR[s],
                            "gap_start": [9.0, 8.0, 7.0], "drift_along": [-0.5, -0.4, -0.3],
                            "prior_along": [0.5 + alpha, 0.4 + alpha, 0.3], "drift": [1.0, 0.8, 0.6],
                            "gap": [9.0, 8.0, 7.0]}
                    acc -= dip if alpha == 1e-2 else 0.0
                    rows.append(run_row(s, alpha, acc, PRIOR[s], experiment="intervals", interpolate_every=every,
                                        lr=lr, test_acc_before_pull=acc - 0.002 * s, history=[last]))
    return pd.DataFrame(rows)


def law_figure(runs: pd.DataFrame, title: str) -> plt.Figure:
    """Notebook 09's law figure, on the dip table of ``runs``."""
    from imlp_core import dip, dip_figures

    table = dip.dip_table(runs)
    points = dip.law_points(table)
    return dip_figures.law_figure(table, dip.paper_prediction(table), dip.fit_law(points["x"], points["log α_min"]),
                                  title)


def figure_drawers() -> dict[str, Callable[[], plt.Figure]]:
    """Every figure function of notebooks 03–09, each on hand-made runs it draws in full."""
    from imlp_core import dip_figures

    mixer = {s: {a: acc - 0.05 for a, acc in CURVES[s].items()} for s in SEEDS}
    decay = pd.DataFrame([run_row(s, 0.5, acc + 0.01 * s, PRIOR[s], experiment="schedules", schedule=schedule, k=k)
                          for s in SEEDS for schedule, k, acc in (("decay", 1.0, 0.50), ("decay", 4.0, 0.56),
                                                                  ("constant", 0.0, 0.55), ("test-time", 0.0, 0.5))])
    return {
        "alpha_sweep": lambda: figures.alpha_sweep_figure(sweep(), "t", FIGURE_2_EXTREMA[:1]),
        "decay": lambda: figures.decay_figure(decay, "t"),
        "epoch_curves": lambda: figures.epoch_curves_figure(decay, "t"),
        "first_layer": lambda: figures.first_layer_figure(first_layer_runs(), "t"),
        "accumulated_share": lambda: figures.accumulated_share_figure(
            pd.concat([sweep(), sweep(curves=mixer, experiment="mixer", prior="mixer")], ignore_index=True),
            paper_share_points(), "t"),
        "option_curves": lambda: figures.option_curves_figure(
            pd.concat([sweep(), sweep(option="interpolate_every = 1")], ignore_index=True), "t"),
        "balance": lambda: figures.balance_figure(balance_runs(), ["default"], "t"),
        "no_runs": lambda: figures.no_runs_figure("t"),
        "dip_curves": lambda: dip_figures.dip_curves_figure(dip_runs(), "t"),
        "settled": lambda: dip_figures.settled_figure(dip_runs(), "t"),
        "pull_effect": lambda: dip_figures.pull_effect_figure(dip_runs(), "t"),
        "law": lambda: law_figure(dip_runs(), "t"),
        "story": lambda: figures.story_figure(story_curves(), figures.paper_alpha_points(), "t"),
    }


@pytest.mark.parametrize("name", list(figure_drawers()))
def test_drawing_a_figure_twice_saves_equal_files(name, tmp_path):
    saved = []
    for attempt in ("first", "second"):
        (tmp_path / attempt).mkdir()
        fig = figure_drawers()[name]()
        assert name == "no_runs" or any(ax.has_data() for ax in fig.axes)
        saved.append([path.read_bytes() for path in figures.save_figure(fig, name, tmp_path / attempt)])
        plt.close(fig)
    assert saved[0] == saved[1]


def test_the_pdf_page_is_the_same_whatever_the_last_bit_of_its_corners(tmp_path, monkeypatch):
    # figures/09_balance.pdf: a tight bbox from 14.3102375 pt to 11.0056 in, padded by 0.1 in, is 792.4929625 pt
    # wide, a tie for the 6 digits the PDF writes; one ulp more at the right edge (as another machine may compute
    # it) wrote 792.492963 where this one writes 792.492962.
    left, right = 14.3102375 / 72, 11.0056
    saved = []
    for x1 in (right, np.nextafter(right, 12.0)):
        tight = Bbox([[left, 0.19], [x1, 4.92]])
        monkeypatch.setattr(plt.Figure, "get_tightbbox", lambda self, *args, **kwargs: tight)
        fig = figures.alpha_sweep_figure(sweep(), "t")
        saved.append(figures.save_figure(fig, "tie", tmp_path)[1].read_bytes())
    assert saved[0] == saved[1]
    assert figures.pdf_page(fig).width * 72 * 7 == pytest.approx(round((right - left + 0.2) * 72 * 7))


# ---------------------------------------------------------------------------------------------
# Notebook 07: the story in one figure


def story_curves() -> dict[str, pd.DataFrame]:
    """Per epoch: CURVES; per step: a dip of 3 points at α = 0.01 on every seed, the same α = 0 and α = 1."""
    per_step = {s: {a: acc - (0.03 if a == 1e-2 else 0.0) for a, acc in CURVES[s].items()} for s in SEEDS}
    return {"per epoch": sweep(), "per step": sweep(curves=per_step, option="interpolate_every = 1")}


def test_story_figure_draws_means_paired_changes_and_the_papers_points():
    paper = figures.paper_alpha_points()
    fig = figures.story_figure(story_curves(), paper, "t")
    top, bottom = fig.axes[0], fig.axes[1]
    alphas = [1e-3, 1e-2, 0.1, 1.0]
    assert line(top, "per epoch").get_ydata().tolist() == pytest.approx(
        [np.mean([100 * CURVES[s][a] for s in SEEDS]) for a in alphas])
    change = [100 * (CURVES[s][1e-2] - CURVES[s][0.0]) for s in SEEDS]
    assert band_at(bottom, "per epoch change interval", 1e-2) == pytest.approx(scipy_interval(change))  # paired
    assert band_at(top, "per epoch interval", 1e-2) == pytest.approx(
        scipy_interval([100 * CURVES[s][1e-2] for s in SEEDS]))  # unpaired
    assert line(bottom, "per step change").get_ydata()[1] == pytest.approx(np.mean(change) - 3)
    (zero,) = by_gid(top, "per epoch α = 0")
    assert zero.get_xdata()[0] < 2 * figures.zero_position(CURVES[0]) < 1e-3  # left of the // break
    assert line(top, "paper").get_ydata().tolist() == paper["mean"].tolist()
    assert errorbar_at(top, "paper interval", 1e-2) == pytest.approx((51.50 - 0.86, 51.50 + 0.86))  # ± std
    assert paper[["alpha", "mean"]].values.tolist() == [[0.0, 58.36], [0.01, 51.5], [0.5, 60.98], [1.0, 62.14]]
    (changes,) = by_gid(bottom, "paper change")
    assert changes.get_offsets()[:, 1].tolist() == pytest.approx([51.50 - 58.36, 60.98 - 58.36, 62.14 - 58.36])
    assert any(np.isclose(l.get_xdata()[0], figures.STORY_ALPHA) for l in top.get_lines() if len(l.get_xdata()))
    legend = [t.get_text() for t in fig.legends[0].get_texts()]
    assert any(text.startswith("per step: 3 epochs · 5,000 training images · 3 seeds; α = 0, 0.001, 0.1, 1 equal "
                               "to per epoch's, seed by seed") for text in legend)


STORY_CELL = "story_alpha_scnn"


@pytest.fixture(scope="module")
def story_cell(tmp_path_factory) -> dict:
    """Notebook 07's cell that writes the story figure, run on its own into a temporary output root."""
    import nbformat

    from imlp_core.notebook import Outputs
    from imlp_core.paths import repo_root

    notebook = nbformat.read(repo_root() / "notebooks" / "07_paper_comparison.ipynb", as_version=4)
    code = [cell.source for cell in notebook.cells if cell.cell_type == "code"]
    (cell,) = [source for source in code if f'"{STORY_CELL}"' in source]
    assert "nb.report()" in code[-1] and code.index(cell) < len(code) - 1  # written before the report lists files
    namespace = {"nb": Outputs(tmp_path_factory.mktemp("07"))}
    exec(compile(cell, "07_paper_comparison.ipynb (story cell)", "exec"), namespace)
    return namespace


def test_story_figure_is_written_by_notebook_07(story_cell):
    nb = story_cell["nb"]
    assert [str(path.relative_to(nb.root)) for path in nb.written] == [f"figures/{STORY_CELL}.png",
                                                                       f"figures/{STORY_CELL}.pdf"]
    assert all(path.stat().st_size > 0 for path in nb.written)


def test_story_figure_draws_the_committed_stores_values(story_cell):
    """Each curve's points are its store's mean over every seed it holds at that α, read here straight from the
    records; every α of the profile's grid is drawn."""
    from imlp_core import results
    from imlp_core.experiments import PAPER_TEST_STORE
    from imlp_core.options import DEFAULTS
    from imlp_core.paths import repo_root
    from imlp_core.profiles import resolve_profile

    def store_means(store, every, epochs, lr) -> pd.Series:
        runs = results.load(repo_root() / store)
        chosen = runs[(runs["prior"] == "cnn") & (runs["schedule"] == "constant") & (runs["epochs"] == epochs)
                      & (runs["lr"] == lr) & (runs["interpolate_every"] == every) & (runs["layers"] == "all")]
        for option in ("head", "block", "ln", "optimizer_state", "bias", "lr_schedule"):
            chosen = chosen[chosen[option] == DEFAULTS[option]]
        return 100 * chosen.groupby("alpha")["test_acc"].mean()

    cpu, paper = resolve_profile("cpu"), resolve_profile("paper")
    top = story_cell["story_figure"].axes[0]
    for name, store, every, epochs, lr, grid in (
            ("laptop, pulls every epoch", "results/runs", "epoch", 5, 1e-3, cpu.alphas),
            ("laptop, pulls every step", "results/runs", 1, 5, 1e-3, cpu.open_choice_alphas),
            ("H100, pulls every epoch", PAPER_TEST_STORE, "epoch", 100, 1e-4, paper.alphas)):
        expected, drawn = store_means(store, every, epochs, lr), line(top, name)
        alphas = drawn.get_xdata().tolist()
        assert {alpha for alpha in grid if alpha > 0} <= set(alphas) <= set(expected.index), name
        assert drawn.get_ydata().tolist() == pytest.approx(expected.loc[alphas].tolist()), name
        assert line(top, f"{name} α = 0").get_ydata()[0] == pytest.approx(expected.loc[0.0]), name
