"""Interactive explorers for notebooks 01, 02, 03 and 07: move a control, watch the matrix (or the curve) change.

Each explorer is a plain class: its computation is a function of the controls' values that tests call
directly (:func:`conv_view`, :func:`mixer_view`, :func:`run_curves`), and its ``widget`` is an ipywidgets box
of controls, a readout (an ``HTML`` widget) and one matplotlib figure shown as a PNG ``Image`` widget.

Safe in headless runs (papermill, nbval, ``make reproduce``):

* Building an explorer draws its first view at once and returns; nothing waits for a browser (no
  ``wait_for_change``, no event loop, no ``input()``), so a kernel without a front end runs the cell like
  any other. Later draws happen only when a control changes, which needs a browser.
* Every figure is rendered to PNG bytes, shown as the value of an ``Image`` widget and closed, so no
  figure leaks into the cell's own outputs; the cell's only output is the widget. No ``Output`` widget
  is used: capturing outputs into one from a headless client (nbclient) can block a cell now and then
  (jupyter/nbclient#312; seen here once in notebook 02). The readout holds timings, which differ from run
  to run: the notebooks mark explorer cells ``# NBVAL_IGNORE_OUTPUT``.
* Settings PyTorch refuses (a kernel larger than the padded input, groups that do not divide the
  channels, ...) are caught and shown in the readout, so the notebook keeps working.
* The explorers write no file: the notebooks' figures and tables come from their static cells only.
"""

from __future__ import annotations

import html
import io
import math
import time
from dataclasses import dataclass, fields
from pathlib import Path
from typing import Iterable

import ipywidgets as widgets
import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
import torch
import torch.nn.functional as F
from IPython.display import display
from matplotlib.colors import ListedColormap
from matplotlib.ticker import MaxNLocator
from torch import Tensor, nn

from imlp_core import records
from imlp_core.conversions import (
    conv2d_output_shape,
    conv2d_to_dense,
    patchify_matrix,
    patchify_permutation,
    shared_linear_to_dense,
    shared_weight_matrix,
    transpose_matrix,
    transpose_permutation,
)
from imlp_core.figures import ACCURACY, epoch_frame
from imlp_core.models import PRIORS
from imlp_core.paths import shown
from imlp_core.reading import prose
from imlp_core.sweep import SweepConfig

PADDING_MODES = ("zeros", "circular", "reflect", "replicate")


def kernel_colours(entries: int) -> ListedColormap:
    """One colour per kernel entry 1..entries: tab20 where it has enough colours, else a spectral map."""
    base = plt.get_cmap("tab20").colors if entries <= 20 else plt.get_cmap("nipy_spectral")(np.linspace(0.05, 0.95, entries))
    return ListedColormap(list(base)[:entries])


def _error_html(message: str) -> str:
    return f"<b style='color:#b00'>Refused:</b> {html.escape(message)}"


# --------------------------------------------------------------------------------------------------
# 01: a convolution's W_F (Eq. 3-7, Appendix A)


@dataclass(frozen=True)
class ConvSettings:
    """One convolution and its input: what the explorer's controls set."""

    in_channels: int = 2
    size: int = 6
    out_channels: int = 2
    kernel: int = 3
    stride: int = 1
    padding: int = 1
    padding_mode: str = "zeros"
    dilation: int = 1
    groups: int = 1

    def conv(self) -> nn.Conv2d:
        """The float64 ``nn.Conv2d`` (with bias); raises ValueError where PyTorch refuses the settings."""
        return nn.Conv2d(self.in_channels, self.out_channels, self.kernel, stride=self.stride, padding=self.padding,
                         dilation=self.dilation, groups=self.groups, padding_mode=self.padding_mode).double()

    @property
    def input_shape(self) -> tuple[int, int, int]:
        return self.in_channels, self.size, self.size


@dataclass(frozen=True)
class ConvView:
    """What the conv explorer shows: W_F with numbered kernel entries, and the check against ``F.conv2d``."""

    numbered: Tensor          # W_F of the conv with kernel entries 1..n (0 where structurally zero)
    output_shape: tuple[int, int, int]
    max_error: float          # max |x W_F^T + b - conv(x)| in float64, over both constructions
    index_equals_probe: bool  # the two constructions agree bit for bit
    seconds_index: float
    seconds_probe: float

    @property
    def entries(self) -> int:
        return int(self.numbered.max().item()) if self.numbered.numel() else 0


def conv_view(settings: ConvSettings, seed: int = 0) -> ConvView:
    """Build W_F both ways for random float64 weights and check it against the conv; number the entries for display.

    Raises ValueError or RuntimeError (PyTorch's own message) for settings PyTorch refuses.
    """
    generator = torch.Generator().manual_seed(seed)
    conv = settings.conv()
    with torch.no_grad():
        for parameter in conv.parameters():
            parameter.copy_(torch.randn(parameter.shape, generator=generator, dtype=torch.float64))
        x = torch.randn(3, *settings.input_shape, generator=generator, dtype=torch.float64)
        expected = conv(x).flatten(1)  # PyTorch's verdict first: its message where it refuses
    output_shape = conv2d_output_shape(conv, settings.input_shape)
    dense, seconds = {}, {}
    for method in ("index", "probe"):
        start = time.perf_counter()
        dense[method] = conv2d_to_dense(conv, settings.input_shape, method=method)
        seconds[method] = time.perf_counter() - start
    error = max((x.flatten(1) @ weight.T + bias - expected).abs().max().item() for weight, bias in dense.values())
    with torch.no_grad():
        conv.weight.copy_(torch.arange(1, conv.weight.numel() + 1, dtype=torch.float64).view_as(conv.weight))
    numbered, _ = conv2d_to_dense(conv, settings.input_shape)
    return ConvView(numbered, output_shape, error, torch.equal(dense["index"][0], dense["probe"][0]),
                    seconds["index"], seconds["probe"])


def receptive_field(view: ConvView, settings: ConvSettings, pixel: tuple[int, int, int]) -> np.ndarray:
    """The kernel entry (1..n, NaN where none) that output ``pixel`` = (o, h', w') reads at each input pixel.

    Shape (C_in, H_in, W_in): row (o·H_out + h')·W_out + w' of the numbered W_F, reshaped row-major (Eq. 4).
    Where several taps read one pixel (wrap-around padding), the entry shown is their sum.
    """
    _, h_out, w_out = view.output_shape
    o, h, w = pixel
    row = view.numbered[(o * h_out + h) * w_out + w].view(settings.input_shape).numpy()
    return np.where(row > 0, row, np.nan)


def conv_figure(view: ConvView, settings: ConvSettings, pixel: tuple[int, int, int]) -> plt.Figure:
    """(a) W_F's pattern, one colour per kernel entry, channel and group blocks labelled; (b) a pixel's receptive field."""
    c_in, h_in, w_in = settings.input_shape
    c_out, h_out, w_out = view.output_shape
    colours = kernel_colours(view.entries)
    fig, (ax_w, ax_r) = plt.subplots(1, 2, figsize=(12, 5.2), width_ratios=[1.25, 1], layout="constrained")
    ax_w.imshow(np.ma.masked_equal(view.numbered.numpy(), 0), cmap=colours, vmin=0.5, vmax=view.entries + 0.5,
                interpolation="nearest", aspect="auto")
    rows_per, cols_per = h_out * w_out, h_in * w_in
    for o in range(1, c_out):
        ax_w.axhline(o * rows_per - 0.5, color="black", linewidth=0.8)
    for c in range(1, c_in):
        ax_w.axvline(c * cols_per - 0.5, color="black", linewidth=0.8)
    group_rows, group_cols = rows_per * c_out // settings.groups, cols_per * c_in // settings.groups
    for g in range(settings.groups if settings.groups > 1 else 0):
        ax_w.add_patch(plt.Rectangle((g * group_cols - 0.5, g * group_rows - 0.5), group_cols, group_rows,
                                     fill=False, edgecolor="crimson", linewidth=2))
        ax_w.annotate(f"group {g}", (g * group_cols, g * group_rows), xytext=(4, -4), textcoords="offset points",
                      va="top", color="crimson", fontsize=9, fontweight="bold",
                      bbox={"facecolor": "white", "edgecolor": "none", "alpha": 0.8, "pad": 1})
    ax_w.set_yticks([(o + 0.5) * rows_per - 0.5 for o in range(c_out)], [f"out ch {o}" for o in range(c_out)])
    ax_w.set_xticks([(c + 0.5) * cols_per - 0.5 for c in range(c_in)], [f"in ch {c}" for c in range(c_in)])
    o, h, w = pixel
    row = (o * h_out + h) * w_out + w
    ax_w.axhline(row, color="black", linewidth=2.5, alpha=0.35)
    nonzero = int((view.numbered != 0).sum())
    ax_w.set_title(f"(a) $W_F$: {c_out * rows_per}×{c_in * cols_per}, {nonzero} non-zeros, "
                   f"{view.entries} shared weights (one colour each)", fontsize=10)
    ax_w.set_xlabel(f"input index $(c\\,h_{{in}} + h)\\,w_{{in}} + w$, blocks of {h_in}×{w_in} pixels")
    ax_w.set_ylabel(f"output index, blocks of {h_out}×{w_out} pixels (grey: row of the chosen pixel)")

    field = receptive_field(view, settings, pixel)
    gap = np.full((h_in, 1), np.nan)
    image = np.hstack([part for c in range(c_in) for part in ((gap,) if c else ()) + (np.full((h_in, w_in), 1.0),)])
    taps = np.hstack([part for c in range(c_in) for part in ((gap,) if c else ()) + (field[c],)])
    ax_r.imshow(np.ma.masked_invalid(image), cmap="Greys", vmin=0, vmax=8, interpolation="nearest")
    ax_r.imshow(np.ma.masked_invalid(taps), cmap=colours, vmin=0.5, vmax=view.entries + 0.5, interpolation="nearest")
    ax_r.set_xticks([c * (w_in + 1) + (w_in - 1) / 2 for c in range(c_in)], [f"in ch {c}" for c in range(c_in)])
    ax_r.set_yticks(range(h_in))
    ax_r.set_title(f"(b) input pixels that feed output (ch {o}, row {h}, col {w}): {int(np.isfinite(field).sum())}",
                   fontsize=10)
    ax_r.set_xlabel(f"input image {c_in}×{h_in}×{w_in}; colour = kernel entry of $W_F$'s grey row")
    fig.suptitle(f"Conv2d({c_in}→{c_out}, kernel {settings.kernel}, stride {settings.stride}, padding "
                 f"{settings.padding} {settings.padding_mode}, dilation {settings.dilation}, groups {settings.groups})"
                 f" → output {c_out}×{h_out}×{w_out}", fontsize=11)
    return fig


def conv_readout(view: ConvView) -> str:
    """The readout line: max |error| against ``F.conv2d`` (float64) and both constructions' times."""
    return (f"max |error| vs F.conv2d (float64): <b class='imlp-max-error'>{view.max_error:.1e}</b> · "
            f"index == probe bit for bit: {view.index_equals_probe} · "
            f"time: index {1e3 * view.seconds_index:.2f} ms, probe {1e3 * view.seconds_probe:.2f} ms")


class _Explorer:
    """Controls, a readout and one figure; ``draw()`` redraws from the controls' values."""

    def __init__(self, controls: dict[str, widgets.ValueWidget], name: str, columns: int = 3) -> None:
        self.controls = controls
        for key, control in controls.items():
            control.add_class(f"imlp-control-{key.replace('_', '-')}")
        self.readout = widgets.HTML().add_class("imlp-readout")
        self.figure = widgets.Image(format="png", layout=widgets.Layout(max_width="100%")).add_class("imlp-figure")
        self._drawing = False
        items = list(controls.values())
        grid = widgets.GridBox(items, layout=widgets.Layout(grid_template_columns=f"repeat({columns}, 1fr)"))
        self.widget = widgets.VBox([grid, self.readout, self.figure]).add_class(f"imlp-explorer-{name}")
        for control in items:
            control.observe(self.changed, names="value")

    def changed(self, change: dict) -> None:
        """A control's value changed (ipywidgets' observe callback)."""
        self.draw()

    def values(self) -> dict:
        return {key: control.value for key, control in self.controls.items()}

    def show(self, fig: plt.Figure | None) -> None:
        """Show ``fig`` as the explorer's PNG (None: none), and close it so that it never reaches the cell's outputs."""
        if fig is None:
            self.figure.value, self.figure.layout.display = b"", "none"
            return
        png = io.BytesIO()
        fig.savefig(png, format="png", dpi=100)
        plt.close(fig)
        self.figure.value, self.figure.layout.display = png.getvalue(), None

    def draw(self) -> None:
        if self._drawing:  # a control changed by the drawing itself (a slider's range): one draw is enough
            return
        self._drawing = True
        try:
            self.render()
        finally:
            self._drawing = False

    def render(self) -> None:
        raise NotImplementedError

    def _ipython_display_(self) -> None:
        display(self.widget)


def _slider(description: str, value: int, low: int, high: int) -> widgets.IntSlider:
    return widgets.IntSlider(value=value, min=low, max=high, description=description, continuous_update=False,
                             style={"description_width": "initial"})


class ConvExplorer(_Explorer):
    """Notebook 01: a convolution's W_F, the receptive field of one output pixel, and the check against F.conv2d."""

    def __init__(self, settings: ConvSettings = ConvSettings()) -> None:
        controls = {
            "in_channels": _slider("input channels", settings.in_channels, 1, 4),
            "size": _slider("input size (H = W)", settings.size, 2, 10),
            "out_channels": _slider("output channels", settings.out_channels, 1, 4),
            "kernel": _slider("kernel size", settings.kernel, 1, 5),
            "stride": _slider("stride", settings.stride, 1, 3),
            "padding": _slider("padding", settings.padding, 0, 3),
            "padding_mode": widgets.Dropdown(options=PADDING_MODES, value=settings.padding_mode, description="padding mode",
                                             style={"description_width": "initial"}),
            "dilation": _slider("dilation", settings.dilation, 1, 3),
            "groups": _slider("groups", settings.groups, 1, 4),
            "pixel_channel": _slider("output pixel: channel", 0, 0, 0),
            "pixel_row": _slider("output pixel: row", 0, 0, 0),
            "pixel_col": _slider("output pixel: column", 0, 0, 0),
        }
        super().__init__(controls, "conv")
        self._centre_pixel = True  # the first view shows the middle output pixel, away from the padding
        self.draw()

    def settings(self) -> ConvSettings:
        return ConvSettings(**{k: v for k, v in self.values().items() if not k.startswith("pixel_")})

    def render(self) -> None:
        settings = self.settings()
        try:
            view = conv_view(settings)
        except (ValueError, RuntimeError) as error:
            self.readout.value = _error_html(str(error))
            self.show(None)
            return
        for key, size in zip(("pixel_channel", "pixel_row", "pixel_col"), view.output_shape):
            self.controls[key].max = size - 1  # clamps the value; the guard in draw() skips the nested redraw
            if self._centre_pixel:
                self.controls[key].value = (size - 1) // 2
        self._centre_pixel = False
        pixel = tuple(self.controls[key].value for key in ("pixel_channel", "pixel_row", "pixel_col"))
        self.readout.value = conv_readout(view)
        self.show(conv_figure(view, settings, pixel))


# --------------------------------------------------------------------------------------------------
# 02: the Mixer's matrices (Eq. 5, 8-22, Appendix B)


@dataclass(frozen=True)
class MixerSettings:
    """P of an image, T of a matrix, and one toy Mixer layer (S = (image / patch)² patches, C channels)."""

    image: int = 4
    patch: int = 2
    rows: int = 3
    cols: int = 4
    channels: int = 3


def permutation_figure_axes(ax: plt.Axes, perm: Tensor, colour_of_source: np.ndarray, title: str,
                            source_label: str, destination_label: str) -> None:
    """A permutation as wiring: source index j (left) to destination i (right) for every ``perm[i] = j``."""
    n = len(perm)
    cmap = plt.get_cmap("tab10")
    for i, j in enumerate(perm.tolist()):
        ax.plot([0, 1], [j, i], color=cmap(colour_of_source[j] % 10), linewidth=1.2, alpha=0.8)
    ax.scatter(np.zeros(n), range(n), c=[cmap(k % 10) for k in colour_of_source], s=14, zorder=3)
    ax.scatter(np.ones(n), range(n), c=[cmap(colour_of_source[j] % 10) for j in perm.tolist()], s=14, zorder=3)
    ax.set_xlim(-0.15, 1.15)
    ax.set_ylim(n - 0.5, -0.5)
    ax.set_xticks([0, 1], [source_label, destination_label])
    ax.set_ylabel("flat index")
    ax.set_title(title, fontsize=10)


@dataclass(frozen=True)
class MixerView:
    """The matrices the Mixer explorer draws, and the check of the dense layers against the Mixer's own maps."""

    patchify: Tensor
    transpose: Tensor
    embedding_factors: tuple[Tensor, Tensor, Tensor]  # (I_S ⊗ w), P, W_P
    token_factors: tuple[Tensor, Tensor, Tensor, Tensor]  # T(C,S), (I_C ⊗ W), T(S,C), W_P
    max_error: float


def mixer_view(settings: MixerSettings, seed: int = 0) -> MixerView:
    """P, T, and two Mixer layers as dense W_P with their Kronecker factors, checked in float64 (Eq. 5, 20-22).

    The patch embedding ``Linear(P², C)`` on each patch is (I_S ⊗ w) P; token mixing ``Linear(S, S)`` on each
    channel is T(C, S) (I_C ⊗ W) T(S, C). Raises ValueError where the image does not divide into patches.
    """
    s_side = settings.image // settings.patch
    patchify = patchify_permutation(settings.image, settings.image, settings.patch)
    patches, c = s_side * s_side, settings.channels
    generator = torch.Generator().manual_seed(seed)
    embed, token = nn.Linear(settings.patch ** 2, c).double(), nn.Linear(patches, patches).double()
    with torch.no_grad():
        for parameter in [*embed.parameters(), *token.parameters()]:
            parameter.copy_(torch.randn(parameter.shape, generator=generator, dtype=torch.float64))
    embedding, embedding_bias = shared_linear_to_dense(embed, patches, in_perm=patchify)
    token_dense, token_bias = shared_linear_to_dense(token, c, in_perm=transpose_permutation(patches, c),
                                                     out_perm=transpose_permutation(c, patches))
    x = torch.randn(3, 1, settings.image, settings.image, generator=generator, dtype=torch.float64)
    with torch.no_grad():
        tokens = embed(F.unfold(x, settings.patch, stride=settings.patch).transpose(1, 2))  # (N, S, C)
        mixed = token(tokens.transpose(1, 2)).transpose(1, 2)  # each channel's S values mixed
    dense_tokens = x.flatten(1) @ embedding.T + embedding_bias
    errors = [(dense_tokens - tokens.flatten(1)).abs().max().item(),
              (tokens.flatten(1) @ token_dense.T + token_bias - mixed.flatten(1)).abs().max().item()]
    p = patchify_matrix(settings.image, settings.image, settings.patch)
    return MixerView(p, transpose_matrix(settings.rows, settings.cols),
                     (shared_weight_matrix(embed.weight.detach(), patches), p, embedding),
                     (transpose_matrix(c, patches), shared_weight_matrix(token.weight.detach(), c),
                      transpose_matrix(patches, c), token_dense), max(errors))


def mixer_figure(view: MixerView, settings: MixerSettings) -> plt.Figure:
    """P and T as source-to-destination wiring; the patch embedding (I_S ⊗ w) P and token mixing T (I_C ⊗ W) T."""
    image, patch, side = settings.image, settings.patch, settings.image // settings.patch
    fig = plt.figure(figsize=(13, 10), layout="constrained")
    top, middle, bottom = fig.subfigures(3, 1, height_ratios=[1.3, 1, 1])
    ax_p, ax_t = top.subplots(1, 2)
    rows, cols = np.divmod(np.arange(image * image), image)
    patch_of_pixel = (rows // patch) * side + cols // patch
    permutation_figure_axes(ax_p, view.patchify.argmax(1), patch_of_pixel,
                            f"P: {image}×{image} image, {patch}×{patch} patches (colour: patch)",
                            "source pixel j\n(row-major)", "position i\n(patch by patch)")
    permutation_figure_axes(ax_t, view.transpose.argmax(1), np.arange(settings.rows * settings.cols) // settings.cols,
                            f"T: X of shape {settings.rows}×{settings.cols} (colour: row of X)",
                            "vec(X), j = π(i)", "vec(Xᵀ), i")

    def factors(subfig, matrices, titles) -> None:
        axes = subfig.subplots(1, len(matrices))
        for ax, matrix, title in zip(axes, matrices, titles):
            limit = float(matrix.abs().max()) or 1.0
            ax.imshow(np.ma.masked_equal(matrix.numpy(), 0), cmap="coolwarm", vmin=-limit, vmax=limit,
                      interpolation="nearest")
            ax.set_title(f"{title}\n{matrix.shape[0]}×{matrix.shape[1]}", fontsize=10)
            ax.set_xticks([])
            ax.set_yticks([])

    s, c = side * side, settings.channels
    factors(middle, view.embedding_factors, ["(I_S ⊗ w), w: %d→%d" % (patch * patch, c), "· P", "= W_P, patch embedding"])
    middle.suptitle(f"Patch embedding of S = {s} patches into C = {c} channels: W_P = (I_S ⊗ w) P (Eq. 5, 20–22)",
                    fontsize=11)
    factors(bottom, view.token_factors, ["T(C, S)", "· (I_C ⊗ W), W: S×S", "· T(S, C)", "= W_P = W ⊗ I_C, token mixing"])
    bottom.suptitle("Token mixing of the same layer: W_P = T(C, S) (I_C ⊗ W) T(S, C) (colour: weight; white: zero)",
                    fontsize=11)
    return fig


def mixer_readout(view: MixerView) -> str:
    return (f"max |error| of both dense layers vs the Mixer's own maps (float64): "
            f"<b class='imlp-max-error'>{view.max_error:.1e}</b>")


class MixerExplorer(_Explorer):
    """Notebook 02: P and T as permutations, the shared-weight matrix and a Mixer layer's W_P with its factors."""

    def __init__(self, settings: MixerSettings = MixerSettings()) -> None:
        controls = {
            "image": _slider("image size (H = W)", settings.image, 2, 12),
            "patch": _slider("patch size", settings.patch, 1, 6),
            "rows": _slider("T: rows of X", settings.rows, 1, 8),
            "cols": _slider("T: columns of X", settings.cols, 1, 8),
            "channels": _slider("Mixer channels C", settings.channels, 1, 6),
        }
        super().__init__(controls, "mixer")
        self.draw()

    def render(self) -> None:
        settings = MixerSettings(**self.values())
        try:
            view = mixer_view(settings)
        except (ValueError, RuntimeError) as error:
            self.readout.value = _error_html(str(error))
            self.show(None)
            return
        self.readout.value = mixer_readout(view)
        self.show(mixer_figure(view, settings))


# --------------------------------------------------------------------------------------------------
# 03 and 07: the stored runs (Algorithm 1's curves, the prior's accumulated share)

# A sweep's full configuration: every setting of its ``SweepConfig`` but the seed (every option and the lr).
SWEEP_KEYS = [setting.name for setting in fields(SweepConfig) if setting.name != "seed"]
ALWAYS_NAMED = ("prior", "dataset", "epochs", "train_subset", "lr", "interpolate_every")


def hashable(value: object) -> object:
    """A record's setting as part of a key: a list (layers) as a tuple, NaN as None."""
    if isinstance(value, list):
        return tuple(value)
    return None if value is None or (isinstance(value, float) and math.isnan(value)) else value


def setting_default(key: str, prior: str) -> object:
    """``SweepConfig``'s default of setting ``key`` (``layers``: the prior's own interpolated layers)."""
    if key == "layers" and prior in PRIORS:
        return hashable(PRIORS[prior].interpolated)
    return next(setting.default for setting in fields(SweepConfig) if setting.name == key)


def sweep_name(config: dict, named: Iterable[str] = ()) -> str:
    """'S-CNN prior · cifar10 · 5 epochs · 5,000 training images · lr 0.001 · pulls every epoch', then each setting
    of ``named`` whose value is not its default ('ln = affine-own')."""
    images = "all" if config["train_subset"] is None else f"{int(config['train_subset']):,}"
    every = config["interpolate_every"]
    pulls = {"epoch": "pulls every epoch", 1: "pulls every step"}.get(every, f"pulls every {every} steps")
    prior = PRIORS[config["prior"]].display_name if config["prior"] in PRIORS else str(config["prior"])
    parts = [f"{prior} prior", str(config["dataset"]), f"{int(config['epochs'])} epochs", f"{images} training images",
             f"lr {config['lr']:g}", pulls]
    parts += [f"{key} = {config[key]}" for key in named if config[key] != setting_default(key, config["prior"])]
    return " · ".join(parts)


def sweeps(runs: pd.DataFrame) -> dict[str, pd.DataFrame]:
    """The store's runs grouped by their full configuration (:data:`SWEEP_KEYS`: every option and the lr), so that
    a group holds one run per seed and α (or schedule); sorted by name. Each name
    (:func:`sweep_name`) adds the settings in which the store's groups differ, where not at their default: no two
    groups share a name."""
    positions: dict[tuple, list[int]] = {}
    for position, row in enumerate(runs[SWEEP_KEYS].itertuples(index=False)):
        positions.setdefault(tuple(hashable(value) for value in row), []).append(position)
    configs = [dict(zip(SWEEP_KEYS, config)) for config in positions]
    named = [key for key in SWEEP_KEYS if key not in ALWAYS_NAMED and len({c[key] for c in configs}) > 1]
    named_groups = ((sweep_name(config, named), runs.iloc[rows]) for config, rows in zip(configs, positions.values()))
    return dict(sorted(named_groups, key=lambda group: group[0]))


def run_curves(sweep: pd.DataFrame, label: str, seeds: tuple[int, ...]) -> pd.DataFrame:
    """Per epoch and seed: test accuracy (%) of the I-MLP ``label``, of the S-MLP (α = 0) and of the prior,
    and the prior's accumulated share 1 − Π_t (1 − α[t]) (1 − (1 − α)^T for a constant α), from
    :func:`imlp_core.figures.epoch_frame`."""
    chosen = sweep[sweep["seed"].isin(seeds)]
    smlp = epoch_frame(chosen[(chosen["schedule"] == "constant") & (chosen["alpha"] == 0)]).drop_duplicates(["seed", "epoch"])
    smlp = smlp[["seed", "epoch", ACCURACY]].rename(columns={ACCURACY: "S-MLP (α = 0)"})
    curves = epoch_frame(chosen[chosen["label"] == label]).merge(smlp, on=["seed", "epoch"], how="left")
    curves = curves[["seed", "epoch", ACCURACY, "S-MLP (α = 0)", "prior " + ACCURACY, "share"]]
    return curves.rename(columns={ACCURACY: "I-MLP", "prior " + ACCURACY: "prior"})


def run_figure(curves: pd.DataFrame, label: str, prior: str, title: str) -> plt.Figure:
    """(a) test accuracy over epochs: the I-MLP, the S-MLP and the prior (one line per seed); (b) the prior's share
    after each epoch of one run (the lowest seed's: every seed's run pulls with the same α[t])."""
    fig, (ax_acc, ax_share) = plt.subplots(1, 2, figsize=(12, 4.4), width_ratios=[1.6, 1], layout="constrained")
    styles = {"I-MLP": ("C0", "-", f"I-MLP, {label}"), "S-MLP (α = 0)": ("C2", "--", "S-MLP (I-MLP α = 0)"),
              "prior": ("C3", "--", f"{PRIORS[prior].display_name} (prior)")}
    for column, (colour, style, name) in styles.items():
        for n, (seed, group) in enumerate(curves.groupby("seed")):
            ax_acc.plot(group["epoch"], group[column], color=colour, linestyle=style, marker="o", markersize=3,
                        label=name if n == 0 else None, alpha=0.9)
    for ax in (ax_acc, ax_share):
        ax.xaxis.set_major_locator(MaxNLocator(integer=True))
    ax_acc.set_xlabel("epoch (interpolation after each)")
    ax_acc.set_ylabel("test accuracy (%)")
    ax_acc.set_title(f"(a) test accuracy, seeds {sorted(curves['seed'].unique().tolist())}", fontsize=10)
    ax_acc.legend(fontsize=9)
    first = curves[curves["seed"] == curves["seed"].min()]
    ax_share.plot(first["epoch"], first["share"], color="C1", marker="o", markersize=3)
    ax_share.set_ylim(-0.02, 1.02)
    ax_share.set_xlabel("epoch T")
    ax_share.set_ylabel("prior's share 1 − Π(1 − α[t])")
    final, epochs = (first["share"].iloc[-1], int(first["epoch"].iloc[-1])) if len(first) else (math.nan, 0)
    ax_share.set_title(f"(b) prior's accumulated share: {final:.3g} after {epochs} epochs", fontsize=10)
    fig.suptitle(title, fontsize=11)
    return fig


class RunsExplorer(_Explorer):
    """Notebooks 03 and 07: pick a sweep of the result store (one full configuration, :func:`sweeps`), seeds and an
    α (or schedule); trains nothing. It opens on the sweep with the most runs, with ``seeds`` chosen (e.g. those
    of the notebook's figure; default: every seed of the sweep)."""

    def __init__(self, runs: pd.DataFrame, priors: tuple[str, ...] | None = None, store: str = "the result store",
                 seeds: tuple[int, ...] | None = None) -> None:
        chosen = runs if priors is None else runs[runs["prior"].isin(priors)]
        self.sweeps = sweeps(chosen)
        self.store = store
        self.first_seeds = seeds
        names = list(self.sweeps)
        largest = max(names, key=lambda name: len(self.sweeps[name]), default=None)
        controls = {
            "sweep": widgets.Dropdown(options=names, value=largest, description="sweep",
                                      layout=widgets.Layout(width="auto")),
            "seeds": widgets.SelectMultiple(options=[], description="seeds", rows=3),
            "label": widgets.Dropdown(options=[], description="α or schedule", style={"description_width": "initial"}),
        }
        super().__init__(controls, "runs")
        self._update_choices()

    def changed(self, change: dict) -> None:
        if change["owner"] is self.controls["sweep"]:
            self._update_choices()
        else:
            self.draw()

    @classmethod
    def from_store(cls, store: Path, priors: tuple[str, ...] | None = None,
                   seeds: tuple[int, ...] | None = None) -> RunsExplorer:
        """The explorer over every record of the result store ``store`` (a notebook's ``nb.store_args["results"]``)."""
        return cls(records.load(store), priors, store=f"`{shown(store)}`", seeds=seeds)

    def _update_choices(self) -> None:
        """Seeds and labels of the chosen sweep (keeping the current ones where they exist), then one draw."""
        sweep = self.sweeps.get(self.controls["sweep"].value)
        if sweep is not None:
            self._drawing = True  # the options change the values: draw once, below
            try:
                seeds = sorted(sweep["seed"].unique().tolist())
                labels = list(dict.fromkeys(sweep.sort_values(["schedule", "alpha", "k"])["label"]))
                wanted = self.controls["seeds"].value or self.first_seeds or ()
                kept = [s for s in wanted if s in seeds]
                self.controls["seeds"].options = seeds
                self.controls["seeds"].value = tuple(kept or seeds)
                label = self.controls["label"].value
                self.controls["label"].options = labels
                self.controls["label"].value = label if label in labels else labels[min(1, len(labels) - 1)]
            finally:
                self._drawing = False
        self.draw()

    def render(self) -> None:
        if not self.sweeps:
            self.readout.value = (f"<b>No stored runs</b> in {html.escape(self.store)} for this explorer yet: execute the notebook "
                                  "above (or <code>make reproduce</code>) first; this explorer trains nothing.")
            self.show(None)
            return
        name, seeds, label = self.controls["sweep"].value, tuple(self.controls["seeds"].value), self.controls["label"].value
        curves = run_curves(self.sweeps[name], label, seeds)
        if curves.empty:
            self.readout.value = "Choose at least one seed."
            self.show(None)
            return
        last = curves[curves["epoch"] == curves["epoch"].max()]
        shown_seeds = sorted(curves["seed"].unique().tolist())  # the seeds that hold this run
        means = {model: float(last[column].mean())
                 for model, column in (("I-MLP", "I-MLP"), ("S-MLP", "S-MLP (α = 0)"), ("prior", "prior"))}
        epoch, share = int(last["epoch"].iloc[0]), float(last["share"].iloc[0])
        self.readout.value = prose.run_readout(epoch, shown_seeds, means, share)
        prior = self.sweeps[name]["prior"].iloc[0]
        self.show(run_figure(curves, label, prior, name))
