"""The checks of the exercises (``exercises/*.ipynb``, built by ``imlp_core.teaching.assignments``).

Each ``check_*`` takes a student's answer (a function, or a number), compares it in float64 against
``imlp_core`` on freshly drawn shapes and weights (a hard-coded answer fails), and raises AssertionError
with a message that names the mistake in terms of the idea: the entry of W_F that differs and the kernel
entry it should hold, a transposed reshape, a column-major vec, an off-by-one in the output size, α the
wrong way round. The autograder's test cells call them; ``draws`` and ``edges`` make the hidden checks
stricter than the visible ones. The per-seed interval and the verdict are checked against the project's own
(:func:`imlp_core.reading.inference.paired_interval`, :func:`imlp_core.reading.inference.contrast_kind`).
"""

from __future__ import annotations

import math
import random
from collections.abc import Callable
from typing import Any

import einops
import pandas as pd
import torch
from scipy import stats
from torch import Tensor, nn

from imlp_core.reading import inference
from imlp_core.conversions import (
    conv2d_output_shape,
    conv2d_to_dense,
    patchify_matrix,
    shared_linear_to_dense,
    shared_weight_matrix,
    transpose_matrix,
    transpose_permutation,
)
from imlp_core.models import IMLP, SCNN, CNNPrior

# The project's verdicts for one difference whose paper's effect size is not compared (inference.Kind).
VERDICTS = tuple(kind.value for kind in (inference.Kind.REPRODUCED, inference.Kind.SAME_SIGN,
                                        inference.Kind.OTHER_SIGN, inference.Kind.OPPOSITE))
TOLERANCE = 1e-10


# --------------------------------------------------------------------------------------------------
# What every check shares: fresh draws, the student's answer as a float64 tensor, a named mismatch
# --------------------------------------------------------------------------------------------------

def fresh_rng() -> random.Random:
    """A generator seeded from the system: every run of a check draws new shapes."""
    return random.Random()


def fresh_weights(rng: random.Random, *shape: int, away_from_zero: bool = False) -> Tensor:
    """float64 weights of ``shape`` drawn from ``rng``; ``away_from_zero``: |w| in [0.5, 1], never 0."""
    generator = torch.Generator().manual_seed(rng.getrandbits(62))
    weights = torch.rand(shape, generator=generator, dtype=torch.float64) * 2 - 1
    return (weights.sign() * (0.5 + weights.abs() / 2)) if away_from_zero else weights


def require(answer: Any, name: str) -> Any:
    """The answer, or an AssertionError saying that it is missing."""
    if answer is None or answer is Ellipsis:
        raise AssertionError(f"`{name}` is not defined: run the cell that defines it (and replace its `...`)")
    return answer


def call(function: Callable | None, name: str, *args: Any) -> Any:
    """``function(*args)``; an AssertionError if it is missing, raises, or returns None (a blank ``...``)."""
    function = require(function, name)
    try:
        result = function(*args)
    except AssertionError:
        raise
    except Exception as error:  # the student's code failed: say so in one line, not as the check's traceback
        raise AssertionError(f"`{name}` raised {type(error).__name__}: {error}") from None
    if result is None:
        raise AssertionError(f"`{name}` returned None: replace the `...` in its body with your answer and return it")
    return result


def as_matrix(value: Any, name: str, shape: tuple[int, ...], layout: str) -> Tensor:
    """The answer as a float64 tensor of ``shape`` (a transposed shape is named as such)."""
    try:
        matrix = torch.as_tensor(value, dtype=torch.float64).detach()
    except (TypeError, ValueError, RuntimeError) as error:
        raise AssertionError(f"`{name}` returned a {type(value).__name__}, not a matrix: {error}") from None
    if tuple(matrix.shape) != shape:
        transposed = len(shape) == 2 and tuple(matrix.shape) == shape[::-1] and shape[0] != shape[1]
        raise AssertionError(f"`{name}` returned shape {tuple(matrix.shape)}, expected {shape} ({layout})"
                             + (": yours is transposed, (in, out) instead of (out, in)" if transposed else ""))
    return matrix


def close(a: Tensor, b: Tensor) -> bool:
    return a.shape == b.shape and bool(torch.allclose(a, b, rtol=TOLERANCE, atol=TOLERANCE))


def first_difference(got: Tensor, expected: Tensor) -> tuple[int, ...]:
    """The index of the first entry where ``got`` and ``expected`` differ."""
    differs = ~torch.isclose(got, expected, rtol=TOLERANCE, atol=TOLERANCE)
    return tuple(int(i) for i in differs.nonzero()[0])


def known_mistake(got: Tensor, mistakes: list[tuple[Tensor, str]]) -> str | None:
    """The message of the first known wrong answer that ``got`` equals, if any."""
    return next((message for wrong, message in mistakes if close(got, wrong)), None)


def show_messages_alone() -> None:
    """Make otter print a failed check's message alone, without its "Error at line 11 in test q1:" and the test's
    source line, which name otter's test file and not the student's mistake (otter's other errors are left as
    they are). Called on import: the test cells import this module before their first check fails."""
    try:
        from otter.test_files.exception_test import ExceptionTestFile
    except ImportError:  # the checks called without otter (tests/test_exercises.py)
        return
    if getattr(ExceptionTestFile._generate_error_message, "message_alone", False):
        return
    otters = ExceptionTestFile._generate_error_message

    def message(self: ExceptionTestFile, error: Exception, context: int = 0) -> str:
        return str(error) if isinstance(error, AssertionError) else otters(self, error, context)
    message.message_alone = True
    ExceptionTestFile._generate_error_message = message


show_messages_alone()


def unravel(index: int, shape: tuple[int, ...]) -> tuple[int, ...]:
    out = []
    for size in reversed(shape):
        index, rest = divmod(index, size)
        out.append(rest)
    return tuple(reversed(out))


# --------------------------------------------------------------------------------------------------
# Notebook 01: a convolution as W_F (Eq. 3-7, Appendices A and C)
# --------------------------------------------------------------------------------------------------

def output_size(size: int, kernel: int, stride: int, padding: int, dilation: int) -> int:
    """The reference: ``conv2d_output_shape`` of an ``nn.Conv2d`` with this geometry, along one axis."""
    conv = nn.Conv2d(1, 1, kernel, stride=stride, padding=padding, dilation=dilation)
    return conv2d_output_shape(conv, (1, size, size))[1]


def _windows(size: int, kernel: int, stride: int, padding: int, dilation: int, *, padded: int | None = None,
             span: int | None = None, step: int | None = None, rounding: Callable = math.floor, plus: int = 1) -> int:
    """The output size by the right formula, or by a wrong one where a keyword replaces one of its parts."""
    padded = size + 2 * padding if padded is None else padded
    span = dilation * (kernel - 1) + 1 if span is None else span
    return rounding((padded - span) / (stride if step is None else step)) + plus


# The usual wrong formulas for the output size, as functions of (size, kernel, stride, padding, dilation).
OUTPUT_SIZE_MISTAKES: list[tuple[Callable[..., int], str]] = [
    (lambda n, k, s, p, d: _windows(n, k, s, p, d, padded=n), "the padding is missing: the input grows by "
                                                              "padding on both sides (+ 2p)"),
    (lambda n, k, s, p, d: _windows(n, k, s, p, d, padded=n + p), "the padding counted once: it is added on both "
                                                                  "sides (+ 2p)"),
    (lambda n, k, s, p, d: _windows(n, k, s, p, d, span=k), "the dilation is missing: a kernel of k taps dilated by d "
                                                            "spans d(k − 1) + 1 pixels"),
    (lambda n, k, s, p, d: _windows(n, k, s, p, d, span=d * k), "a dilated kernel spans d(k − 1) + 1 pixels, not d·k"),
    (lambda n, k, s, p, d: _windows(n, k, s, p, d, step=1), "the stride is missing: windows start every s pixels "
                                                            "(divide by s)"),
    (lambda n, k, s, p, d: _windows(n, k, s, p, d, rounding=math.ceil), "rounded up: a window that runs past the "
                                                                        "padded edge is not computed (take the floor)"),
    (lambda n, k, s, p, d: _windows(n, k, s, p, d, plus=0), "an off-by-one: the first window counts too (+ 1)"),
    (lambda n, k, s, p, d: _windows(n, k, s, p, d, plus=2), "an off-by-one: one window too many"),
]


def random_geometry(rng: random.Random) -> tuple[int, int, int, int, int]:
    """(size, kernel, stride, padding, dilation) with a non-empty output."""
    while True:
        size, kernel, stride, padding, dilation = (rng.randint(3, 40), rng.randint(1, 5), rng.randint(1, 3),
                                                   rng.randint(0, 3), rng.randint(1, 3))
        if size + 2 * padding >= dilation * (kernel - 1) + 1:
            return size, kernel, stride, padding, dilation


def name_output_size_mistake(conv_output_size: Callable, failed: tuple[int, ...], rng: random.Random) -> str:
    """The wrong formula that the student's function follows on ``failed`` and on 40 more geometries."""
    probes = [failed] + [random_geometry(rng) for _ in range(40)]
    try:
        answers = [float(conv_output_size(*probe)) for probe in probes]
    except Exception:  # the student's function fails elsewhere: no formula to name
        return "compare with floor((size + 2p − d(k − 1) − 1) / s) + 1"
    return next((message for formula, message in OUTPUT_SIZE_MISTAKES
                 if all(answer == formula(*probe) for probe, answer in zip(probes, answers))),
                "compare with floor((size + 2p − d(k − 1) − 1) / s) + 1")


def check_conv_output_size(conv_output_size: Callable | None, draws: int = 5, edges: bool = False) -> None:
    """``conv_output_size(size, kernel, stride, padding, dilation) -> int`` against PyTorch's, on fresh geometries.

    ``edges``: also the geometries where the window fills the padded input or the stride leaves a remainder.
    """
    rng = fresh_rng()
    cases = [random_geometry(rng) for _ in range(draws)]
    if edges:
        cases += [(5, 3, 1, 0, 2), (7, 3, 2, 1, 3), (10, 3, 3, 1, 1), (6, 4, 4, 1, 1), (32, 3, 2, 0, 1)]
    for case in cases:
        answer = call(conv_output_size, "conv_output_size", *case)
        expected = output_size(*case)
        where = "size {}, kernel {}, stride {}, padding {}, dilation {}".format(*case)
        try:
            got = float(answer)
        except (TypeError, ValueError):
            raise AssertionError(f"{where}: `conv_output_size` returned {answer!r}, not a number") from None
        if not got.is_integer():
            raise AssertionError(f"{where}: you gave {got}, not a whole number; PyTorch gives {expected}: "
                                 "only whole windows are computed, so take the floor before adding 1")
        if got != expected:
            named = name_output_size_mistake(conv_output_size, case, rng)
            raise AssertionError(f"{where}: you gave {got:g}, PyTorch gives {expected}: {named}")


def kernel_labels(conv: nn.Conv2d, input_shape: tuple[int, int, int]) -> Tensor:
    """W_F of ``conv`` with its weights replaced by 1, 2, ...: entry (r, c) is 1 + the flat index of the
    kernel entry it holds, 0 where it holds none (zero padding: at most one tap per entry)."""
    labelled = nn.Conv2d(conv.in_channels, conv.out_channels, conv.kernel_size, conv.stride, conv.padding,
                         conv.dilation, conv.groups, bias=False).double()
    with torch.no_grad():
        labelled.weight.copy_(torch.arange(1, labelled.weight.numel() + 1, dtype=torch.float64).view_as(labelled.weight))
    return conv2d_to_dense(labelled, input_shape)[0]


def describe_entry(conv: nn.Conv2d, input_shape: tuple[int, int, int], got: Tensor, expected: Tensor,
                   row_offset: int = 0) -> str:
    """Which entry of W_F differs, in terms of the idea: the output and input pixels it links, and the
    kernel entry F[c_out, c_in, a, b] it should hold (or that it should be 0)."""
    output_shape = conv2d_output_shape(conv, input_shape)
    position = first_difference(got, expected)
    row, col = (row_offset, position[0]) if len(position) == 1 else position
    label = int(kernel_labels(conv, input_shape)[row, col])
    out_pixel, in_pixel = unravel(row, output_shape), unravel(col, input_shape)
    value = float(got[position])
    where = f"W_F[{row}, {col}] (output (c, h, w) = {out_pixel}, input (c, h, w) = {in_pixel}) is {value:.4g}"
    if label == 0:
        return (f"{where} but should be 0: no kernel entry links that input pixel to that output pixel "
                "(it lies outside the window, or the window reads padding there)")
    entry = unravel(label - 1, tuple(conv.weight.shape))
    holds = float(conv.weight.detach().double().flatten()[label - 1])
    return f"{where} but should hold kernel entry F{list(entry)} = {holds:.4g}"


def conv_with(rng: random.Random, c_in: int, c_out: int, kernel: int, stride: int, padding: int,
              dilation: int = 1, bias: bool = False) -> nn.Conv2d:
    """An float64 ``nn.Conv2d`` with fresh weights, none of them 0."""
    conv = nn.Conv2d(c_in, c_out, kernel, stride, padding, dilation, bias=bias).double()
    with torch.no_grad():
        conv.weight.copy_(fresh_weights(rng, *conv.weight.shape, away_from_zero=True))
        if bias:
            conv.bias.copy_(fresh_weights(rng, c_out, away_from_zero=True))
    return conv


def check_w_f_row(w_f_row: Callable | None, draws: int = 3, every_pixel: bool = False) -> None:
    """``w_f_row(kernel, height, width, out_h, out_w)``: row (out_h·W + out_w) of W_F of a 1-channel 3x3
    convolution with stride 1 and padding 1 on an (H, W) image, against ``conv2d_to_dense``.

    ``every_pixel``: every output pixel of one image (the corners and edges included).
    """
    rng = fresh_rng()
    for _ in range(draws):
        height, width = rng.sample(range(4, 9), 2)  # H != W: a swapped row/column shows
        conv = conv_with(rng, 1, 1, 3, 1, 1)
        kernel = conv.weight.detach()[0, 0].clone()
        pixels = ([(h, w) for h in range(height) for w in range(width)] if every_pixel
                  else [(rng.randrange(height), rng.randrange(width)), (0, rng.randrange(width))])
        dense = conv2d_to_dense(conv, (1, height, width))[0]
        for out_h, out_w in pixels:
            row = out_h * width + out_w
            got = as_matrix(call(w_f_row, "w_f_row", kernel.clone(), height, width, out_h, out_w), "w_f_row",
                            (height * width,), "one row of W_F: one entry per input pixel, row-major")
            expected = dense[row]
            if close(got, expected):
                continue
            flipped = conv2d_to_dense(conv_like(conv, kernel.flip(0, 1)), (1, height, width))[0][row]
            transposed = conv2d_to_dense(conv_like(conv, kernel.T), (1, height, width))[0][row]
            uncentred = torch.zeros(height * width, dtype=torch.float64)
            for a in range(3):
                for b in range(3):
                    if out_h + a < height and out_w + b < width:
                        uncentred[(out_h + a) * width + out_w + b] = kernel[a, b]
            named = known_mistake(got, [
                (flipped, "you flipped the kernel: nn.Conv2d is a cross-correlation (Eq. 3), F[a, b] multiplies "
                          "input pixel (h − 1 + a, w − 1 + b), no flip"),
                (transposed, "rows and columns of the kernel swapped: F[a, b] moves a rows down and b columns right"),
                (uncentred, "the window is not centred: with padding 1, F[1, 1] sits on the output pixel's own input "
                            "pixel, F[0, 0] one row up and one column left"),
            ])
            where = f"image {height}x{width}, output pixel ({out_h}, {out_w}), row {row} of W_F"
            raise AssertionError(f"{where}: {named or describe_entry(conv, (1, height, width), got, expected, row)}")


def conv_like(conv: nn.Conv2d, kernel: Tensor) -> nn.Conv2d:
    """A copy of the 1-channel ``conv`` with another 3x3 kernel."""
    other = nn.Conv2d(1, 1, conv.kernel_size, conv.stride, conv.padding, bias=False).double()
    with torch.no_grad():
        other.weight.copy_(kernel.view_as(other.weight))
    return other


def column_major_order(shape: tuple[int, ...]) -> Tensor:
    """``q`` with ``q[f]`` = the row-major index of the element whose column-major index is f."""
    return torch.arange(math.prod(shape)).view(shape).permute(*reversed(range(len(shape)))).flatten()


def check_w_f_by_probe(w_f_by_probe: Callable | None, draws: int = 3, dilation: bool = False) -> None:
    """``w_f_by_probe(conv, input_shape)``: W_F by the identity probe (Eq. 6-7) against ``conv2d_to_dense``,
    on fresh convolutions (channels, kernel, stride, padding and a bias that the probe must leave out).

    ``dilation``: dilated kernels too.
    """
    rng = fresh_rng()
    for draw in range(draws):
        height, width = rng.sample(range(3, 8), 2)
        c_in, c_out = rng.randint(1, 3), rng.randint(1, 3)
        kernel, spacing = rng.choice((1, 2, 3)), rng.randint(1, 2) if dilation else 1
        if dilation and draw == 0:  # at least one kernel that dilation widens, on an image it fits
            kernel, spacing, height, width = rng.choice((2, 3)), 2, rng.randint(5, 7), rng.randint(5, 7)
        conv = conv_with(rng, c_in, c_out, kernel, rng.randint(1, 2), rng.randint(0, 1), spacing, bias=True)
        if conv2d_output_shape_or_none(conv, (c_in, height, width)) is None:
            continue
        input_shape = (c_in, height, width)
        output_shape = conv2d_output_shape(conv, input_shape)
        n_in, n_out = math.prod(input_shape), math.prod(output_shape)
        got = call(w_f_by_probe, "w_f_by_probe", conv, input_shape)
        missing = dilation_missing(got, conv, input_shape)
        if missing:
            raise AssertionError(missing)
        got = as_matrix(got, "w_f_by_probe", (n_out, n_in), "(C_out·H_out·W_out, C_in·H·W), nn.Linear's (out, in)")
        expected, bias = conv2d_to_dense(conv, input_shape)
        if close(got, expected):
            continue
        q_in, q_out = column_major_order(input_shape), column_major_order(output_shape)
        named = known_mistake(got, [
            (expected.T if n_in == n_out else expected.new_zeros(0),
             "W_F is transposed, a transposed reshape: row i of the probe's responses is column i of W_F "
             "(Eq. 6), so reshape them to (C_in·H·W, C_out·H_out·W_out) and then transpose"),
            (expected.T.contiguous().reshape(n_out, n_in),
             "a transposed reshape: row i of the probe's responses is W_F e_i, column i of W_F (Eq. 6); reshape the "
             "responses to (C_in·H·W, C_out·H_out·W_out) and then transpose, not straight to (out, in)"),
            (expected[:, q_in], "a column-major vec of the input: basis image i must be row i of I reshaped "
                                "row-major to (C_in, H, W), as tensor.flatten() orders pixels (Eq. 7)"),
            (expected[q_out], "a column-major vec of the output: flatten each response row-major, (C_out, H_out, W_out)"),
            (expected[q_out][:, q_in], "a column-major vec of both input and output: the paper's vec is row-major"),
            (expected + bias[:, None], "the bias is in W_F: probe without it (F.conv2d(..., bias=None)); it is "
                                       "affine, not linear, and would add b to every column"),
        ])
        where = (f"conv {c_in}->{c_out} channels, kernel {conv.kernel_size[0]}, stride {conv.stride[0]}, padding "
                 f"{conv.padding[0]}, dilation {conv.dilation[0]}, input {input_shape}")
        raise AssertionError(f"{where}: {named or describe_entry(conv, input_shape, got, expected)}")


def dilation_missing(got: Any, conv: nn.Conv2d, input_shape: tuple[int, int, int]) -> str | None:
    """The message when ``got`` is W_F of ``conv`` without its dilation (the probe convolved with dilation 1)."""
    if conv.dilation[0] == 1 or conv.kernel_size[0] == 1:  # a 1x1 kernel spans one pixel, dilated or not
        return None
    plain = conv_like_undilated(conv)
    if conv2d_output_shape_or_none(plain, input_shape) is None:
        return None
    undilated = conv2d_to_dense(plain, input_shape)[0]
    try:
        matrix = torch.as_tensor(got, dtype=torch.float64).detach()
    except (TypeError, ValueError, RuntimeError):
        return None
    if not (close(matrix, undilated) or (matrix.shape[0] == undilated.shape[0] != math.prod(
            conv2d_output_shape(conv, input_shape)))):
        return None
    k, d = conv.kernel_size[0], conv.dilation[0]
    return (f"input {input_shape}, kernel {k}, dilation {d}: the dilation is missing (probe with "
            f"F.conv2d(..., dilation=conv.dilation)): a kernel of k taps dilated by d spans d(k − 1) + 1 = "
            f"{d * (k - 1) + 1} pixels, so W_F has {math.prod(conv2d_output_shape(conv, input_shape))} rows, "
            f"not the {undilated.shape[0]} of an undilated kernel")


def conv_like_undilated(conv: nn.Conv2d) -> nn.Conv2d:
    """A copy of ``conv`` (its weights, stride and padding) with dilation 1 and no bias."""
    plain = nn.Conv2d(conv.in_channels, conv.out_channels, conv.kernel_size, conv.stride, conv.padding,
                      bias=False).double()
    with torch.no_grad():
        plain.weight.copy_(conv.weight)
    return plain


def conv2d_output_shape_or_none(conv: nn.Conv2d, input_shape: tuple[int, int, int]) -> tuple[int, int, int] | None:
    try:
        return conv2d_output_shape(conv, input_shape)
    except ValueError:
        return None


def density(in_channels: int, height: int, width: int, kernel: int, stride: int, padding: int) -> float:
    """The reference: the share of W_F's entries that hold a kernel entry (weights drawn nonzero)."""
    conv = conv_with(fresh_rng(), in_channels, 2, kernel, stride, padding)
    return float((conv2d_to_dense(conv, (in_channels, height, width))[0] != 0).double().mean())


def scnn_first_layer_density() -> float:
    """The density of W_F of the S-CNN's first convolution (Table 2), from ``SCNN.dense_layers()``."""
    weight = SCNN().dense_layers()[0][0]
    return float((weight != 0).double().mean())


def check_w_f_density(w_f_density: Callable | None, draws: int = 4, strided: bool = False) -> None:
    """``w_f_density(in_channels, height, width, kernel, stride, padding)``: the share of nonzero entries of W_F."""
    rng = fresh_rng()
    for _ in range(draws):
        c_in, height, width = rng.randint(1, 3), rng.randint(3, 9), rng.randint(3, 9)
        kernel, padding = rng.choice((1, 3, 5)), rng.randint(0, 2)
        stride = rng.randint(1, 3) if strided else 1
        if height + 2 * padding < kernel or width + 2 * padding < kernel:
            continue
        got = float(call(w_f_density, "w_f_density", c_in, height, width, kernel, stride, padding))
        expected = density(c_in, height, width, kernel, stride, padding)
        if abs(got - expected) <= TOLERANCE:
            continue
        out_h = (height + 2 * padding - kernel) // stride + 1
        out_w = (width + 2 * padding - kernel) // stride + 1
        where = (f"input ({c_in}, {height}, {width}), kernel {kernel}, stride {stride}, padding {padding}: you gave "
                 f"{got:.6g}, W_F's share of nonzero entries is {expected:.6g}")
        if abs(got - kernel * kernel / (height * width)) <= TOLERANCE:
            raise AssertionError(f"{where}: k²/(H·W) counts every window as full, but a window on the border reads "
                                 "padding, which W_F does not hold: count the taps that land on real pixels")
        if abs(got - expected * c_in) <= TOLERANCE or abs(got - expected / c_in) <= TOLERANCE:
            raise AssertionError(f"{where}: the channels cancel (each output reads C_in·(taps) of C_in·H·W inputs)")
        if got > 1 or got < 0:
            raise AssertionError(f"{where}: a density is a share of entries, between 0 and 1")
        raise AssertionError(f"{where}: count, for each output pixel, the kernel taps that land inside the "
                             f"{height}x{width} image; divide by the number of entries, {out_h * out_w}·{height * width} "
                             "per channel pair")


def check_scnn_first_layer_density(answer: Any) -> None:
    """The density of the S-CNN's first W_F (3x32x32 -> 1x32x32, 3x3, stride 1, padding 1)."""
    got = float(require(answer, "scnn_first_layer_density"))
    expected = scnn_first_layer_density()
    if abs(got - expected) > TOLERANCE:
        hint = (": 9/1024 counts every window as full; on the border a window reads padding"
                if abs(got - 9 / 1024) < 1e-12 else "")
        raise AssertionError(f"you gave {got:.6g}, the S-CNN's first W_F has {expected:.6g} of its entries nonzero{hint}")


# --------------------------------------------------------------------------------------------------
# Notebook 02: MLP-Mixer layers as dense matrices (Eq. 8-22, Appendix B)
# --------------------------------------------------------------------------------------------------

def permutation_from(pattern: str, height: int, width: int, patch: int) -> Tensor:
    """P for a patch order written as an einops pattern (the right order, or a wrong one)."""
    pixels = torch.arange(height * width).view(height, width)
    perm = einops.rearrange(pixels, f"(h p1) (w p2) -> {pattern}", p1=patch, p2=patch)
    matrix = torch.zeros(height * width, height * width, dtype=torch.float64)
    matrix[torch.arange(height * width), perm] = 1
    return matrix


def check_patchify_matrix(patchify_by_hand: Callable | None, draws: int = 2, larger: bool = False) -> None:
    """``patchify_by_hand(height, width, patch)``: P of Eq. 8-17 (one channel), against ``patchify_matrix``."""
    rng = fresh_rng()
    for _ in range(draws):
        patch = rng.randint(2, 4 if larger else 3)
        rows, cols = rng.sample(range(1, 5 if larger else 4), 2)  # a non-square grid of patches
        height, width = rows * patch, cols * patch
        n = height * width
        got = as_matrix(call(patchify_by_hand, "patchify_by_hand", height, width, patch), "patchify_by_hand",
                        (n, n), "(H·W, H·W), P @ x.flatten() gives the patches one after another")
        expected = patchify_matrix(height, width, patch)
        if close(got, expected):
            continue
        named = known_mistake(got, [
            (expected.T, "you built P's inverse, Pᵀ: P[i, j] = 1 moves pixel x_j to position i, so row i has its 1 "
                         "in the column of the pixel that becomes element i"),
            (permutation_from("(w h p1 p2)", height, width, patch),
             "the patches go down the columns first: Eq. 13-14 take them in raster order, along a row of patches first"),
            (permutation_from("(h w p2 p1)", height, width, patch),
             "inside a patch the pixels go column by column: they go row by row (r, then c, Eq. 15-16)"),
        ])
        if named is None:
            row = first_difference(got, expected)[0]
            token, inside = divmod(row, patch * patch)
            source = int(expected[row].argmax())
            named = (f"row {row} (patch {token}, its pixel {divmod(inside, patch)}) should pick image pixel "
                     f"{divmod(source, width)}, x_{source}")
        raise AssertionError(f"image {height}x{width}, {patch}x{patch} patches: {named}")


def check_transpose_matrix(transpose_by_hand: Callable | None, draws: int = 2, larger: bool = False) -> None:
    """``transpose_by_hand(rows, cols)``: T with T @ X.flatten() == X.T.flatten() (Eq. 18-19)."""
    rng = fresh_rng()
    for _ in range(draws):
        rows, cols = rng.sample(range(2, 9 if larger else 6), 2)
        n = rows * cols
        got = as_matrix(call(transpose_by_hand, "transpose_by_hand", rows, cols), "transpose_by_hand", (n, n),
                        "(rows·cols, rows·cols)")
        expected = transpose_matrix(rows, cols)
        if close(got, expected):
            continue
        named = known_mistake(got, [
            (transpose_matrix(cols, rows), f"this is the commutation matrix of a ({cols}, {rows}) matrix, T's inverse: "
                                           "it maps vec(Xᵀ) back to vec(X)"),
            (torch.eye(n, dtype=torch.float64), "the identity: vec(Xᵀ) reads X down its columns"),
        ])
        if named is None:
            k = first_difference(got, expected)[0]
            a, b = divmod(k, rows)
            named = (f"row {k} of T should have its 1 in column {b * cols + a}: entry {k} of vec(Xᵀ) is "
                     f"Xᵀ[{a}, {b}] = X[{b}, {a}], entry {b * cols + a} of vec(X) (Eq. 18)")
        raise AssertionError(f"X of shape ({rows}, {cols}): {named}")


def check_shared_weight_matrix(shared_weight_by_hand: Callable | None, draws: int = 2, rectangular: bool = False) -> None:
    """``shared_weight_by_hand(w, repeats)``: W~ = I ⊗ w (Eq. 20-22) for the row-major vec, against imlp_core."""
    rng = fresh_rng()
    for _ in range(draws):
        out_features = rng.randint(2, 4)
        in_features = rng.choice([n for n in range(2, 5) if n != out_features]) if rectangular else out_features
        repeats = rng.randint(2, 4)
        w = fresh_weights(rng, out_features, in_features, away_from_zero=True)
        got = as_matrix(call(shared_weight_by_hand, "shared_weight_by_hand", w.clone(), repeats),
                        "shared_weight_by_hand", (repeats * out_features, repeats * in_features),
                        "(repeats·out, repeats·in)")
        expected = shared_weight_matrix(w, repeats)
        if close(got, expected):
            continue
        eye = torch.eye(repeats, dtype=torch.float64)
        named = known_mistake(got, [
            (torch.kron(w, eye), "w ⊗ I acts on the column-major vec; with X (repeats, in) flattened row-major each "
                                 "row of X is a contiguous block, so W~ = I ⊗ w, w down the block diagonal"),
            (torch.kron(eye, w.T.contiguous()) if out_features == in_features else w.new_zeros(0),
             "w is transposed: nn.Linear's weight is (out, in) and computes x @ w.T, so each block is w itself"),
        ])
        if named is None:
            row, col = first_difference(got, expected)
            named = (f"entry ({row}, {col}) is {float(got[row, col]):.4g}, expected {float(expected[row, col]):.4g}: "
                     "block (i, i) holds w, the others are 0")
        raise AssertionError(f"w of shape {tuple(w.shape)}, {repeats} repeats: {named}")


def check_token_mixing_dense(token_mixing_dense: Callable | None, draws: int = 2, larger: bool = False) -> None:
    """``token_mixing_dense(w, tokens, channels)``: the dense W of the token-mixing layer Y = w @ X on
    X (S, C), so that W @ X.flatten() == (w @ X).flatten(); checked on a random X and against
    ``shared_linear_to_dense`` with the transposes of Table 3 (†, ††)."""
    rng = fresh_rng()
    for _ in range(draws):
        tokens, channels = rng.sample(range(2, 7 if larger else 5), 2)
        w = fresh_weights(rng, tokens, tokens, away_from_zero=True)
        n = tokens * channels
        got = as_matrix(call(token_mixing_dense, "token_mixing_dense", w.clone(), tokens, channels),
                        "token_mixing_dense", (n, n), "(S·C, S·C)")
        linear = nn.Linear(tokens, tokens, bias=False).double()
        with torch.no_grad():
            linear.weight.copy_(w)
        expected = shared_linear_to_dense(linear, channels, in_perm=transpose_permutation(tokens, channels),
                                          out_perm=transpose_permutation(channels, tokens))[0]
        x = fresh_weights(rng, tokens, channels)
        error = float((got @ x.flatten() - (w @ x).flatten()).abs().max())
        if close(got, expected) and error <= TOLERANCE:
            continue
        shared = shared_weight_matrix(w, channels)
        t_in, t_out = transpose_matrix(tokens, channels), transpose_matrix(channels, tokens)
        named = known_mistake(got, [
            (shared @ t_in, "the output is left transposed, vec(Yᵀ) in (C, S) order: transpose it back with T for a "
                            "(C, S) matrix (Table 3's ††)"),
            (t_out @ shared, "the input is not transposed: W~ = I ⊗ w mixes the rows of its input, so first bring "
                             "the tokens together with T for an (S, C) matrix (Table 3's †)"),
            (shared, "this mixes each row of length S of vec(X), not the tokens: transpose in (†) and out (††)"),
            (torch.kron(w.T.contiguous(), torch.eye(channels, dtype=torch.float64)), "w is transposed"),
        ])
        raise AssertionError(f"S = {tokens} tokens, C = {channels} channels: on a random X, max |W vec(X) − vec(w X)| "
                             f"= {error:.3g}" + (f": {named}" if named else ""))


# --------------------------------------------------------------------------------------------------
# Algorithm 1: the pull, and reading a verdict from per-seed numbers
# --------------------------------------------------------------------------------------------------

def check_pull(pull: Callable | None, draws: int = 3) -> None:
    """``pull(weight, prior_weight, alpha)``: W <- (1 − α) W + α W_P (Algorithm 1), α = 0 and 1 exactly."""
    rng = fresh_rng()
    for alpha in [0.0, 1.0] + [rng.uniform(0.01, 0.99) for _ in range(draws)]:
        shape = (rng.randint(2, 6), rng.randint(2, 6))
        weight, prior_weight = fresh_weights(rng, *shape), fresh_weights(rng, *shape)
        got = as_matrix(call(pull, "pull", weight.clone(), prior_weight.clone(), alpha), "pull", shape,
                        "the layer's new weight, the shape of W")
        expected = torch.lerp(weight, prior_weight, alpha)
        exact = alpha in (0.0, 1.0)
        if torch.equal(got, expected) if exact else close(got, expected):
            continue
        named = known_mistake(got, [
            (torch.lerp(prior_weight, weight, alpha), "α is applied the wrong way round: α is the prior's share, "
                                                      "so α = 1 gives W_P and α = 0 leaves W"),
            (weight, "W is unchanged: return the pulled weight"),
        ])
        if named is None and exact:
            named = f"at α = {alpha:g} the result must be {'W_P' if alpha else 'W'} exactly, bit for bit"
        raise AssertionError(f"α = {alpha:.4g}: {named or 'expected (1 − α) W + α W_P'}")


def check_pull_gives_prior_logits(pull: Callable | None) -> None:
    """Every layer of an I-MLP pulled with α = 1 (weights and biases) computes the prior's logits exactly.

    The prior: a small stack of the S-CNN's kind (two 3x3 convolutions, fresh channels and strides), float64.
    """
    rng = fresh_rng()
    with torch.random.fork_rng():  # the student's own random state stays as it was
        torch.manual_seed(rng.getrandbits(62))
        prior = CNNPrior((rng.randint(1, 2), rng.randint(1, 3)), (2, rng.randint(1, 2))).double()
        mlp = IMLP.matching(prior).double()
    with torch.no_grad():
        for layer, (w_p, b_p) in zip(mlp.interpolated_layers(), prior.dense_layers()):
            new_weight = as_matrix(call(pull, "pull", layer.weight[0].clone(), w_p.clone(), 1.0), "pull",
                                   tuple(w_p.shape), "the layer's new weight")
            new_bias = as_matrix(call(pull, "pull", layer.bias[0].clone(), b_p.clone(), 1.0), "pull",
                                 tuple(b_p.shape), "the layer's new bias")
            layer.weight[0], layer.bias[0] = new_weight, new_bias
        x = fresh_weights(rng, 4, 3, 32, 32)
        gap = float((mlp(x)[0] - prior(x)).abs().max())
    if gap > 1e-9:
        raise AssertionError(f"after pulling every layer with α = 1 the I-MLP's logits differ from the prior's by up "
                             f"to {gap:.3g}: at α = 1 each layer must become the prior's W_P and b_P")


def paired_interval(paper_side: Any, other: Any) -> tuple[float, float, float]:
    """The reference, the project's own: :func:`imlp_core.reading.inference.paired_interval` of the per-seed numbers, as
    (mean, low, high)."""
    interval = inference.paired_interval(pd.Series(paper_side, dtype=float), pd.Series(other, dtype=float))
    return interval.mean, interval.low, interval.high


def interval_mistakes(a: list[float], b: list[float]) -> list[tuple[tuple[float, float, float], str]]:
    """The usual wrong intervals and what each gets wrong."""
    n = len(a)
    a_, b_ = torch.tensor(a, dtype=torch.float64), torch.tensor(b, dtype=torch.float64)
    d = a_ - b_
    mean = float(d.mean())

    def around(half: float) -> tuple[float, float, float]:
        return mean, mean - half, mean + half
    t = float(stats.t.ppf(0.975, n - 1))
    se = float(d.std(correction=1)) / math.sqrt(n)
    unpaired = math.sqrt(float(a_.var(correction=1) + b_.var(correction=1)) / n)
    reference = paired_interval(a, b)
    return [
        (around(t * unpaired), "an unpaired interval: the models of one seed share their initialisation and data "
                               "order, so take the per-seed differences first, then their mean and standard error"),
        (around(float(stats.t.ppf(0.975, 2 * n - 2)) * unpaired), "an unpaired (two-sample) interval: pair by seed"),
        (around(1.959963984540054 * se), "the normal quantile 1.96: with n seeds use Student's t with n − 1 degrees "
                                         "of freedom (scipy.stats.t.ppf(0.975, n − 1))"),
        (around(float(stats.t.ppf(0.975, n)) * se), "n degrees of freedom: the t-interval of n differences has n − 1"),
        (around(float(stats.t.ppf(0.95, n - 1)) * se), "a 90 % interval: a two-sided 95 % interval uses the 0.975 "
                                                       "quantile"),
        (around(t * float(d.std(correction=0)) / math.sqrt(n)), "the standard deviation with ddof = 0: the sample's "
                                                                "uses n − 1"),
        (around(t * float(d.std(correction=1))), "the standard deviation is not divided by √n: the interval is for "
                                                 "the mean difference"),
        ((-reference[0], -reference[2], -reference[1]), "the difference the wrong way round: paper's side minus the "
                                                        "other"),
    ]


def check_paired_interval(interval: Callable | None, draws: int = 3) -> None:
    """``paired_interval(paper_side, other) -> (mean, low, high)`` against scipy.stats.t on fresh per-seed numbers."""
    rng = fresh_rng()
    for _ in range(draws):
        n = rng.randint(3, 8)
        shift = rng.uniform(-5, 5)
        other = [rng.uniform(20, 40) for _ in range(n)]
        paper_side = [x + shift + rng.gauss(0, 2) for x in other]
        result = call(interval, "paired_interval", list(paper_side), list(other))
        try:
            got = tuple(float(v) for v in result)
        except (TypeError, ValueError):
            raise AssertionError(f"`paired_interval` returned {result!r}: return (mean, low, high)") from None
        if len(got) != 3:
            raise AssertionError(f"`paired_interval` returned {len(got)} numbers: return (mean, low, high)")
        expected = paired_interval(paper_side, other)
        if all(abs(g - e) <= 1e-9 for g, e in zip(got, expected)):
            continue
        named = next((message for wrong, message in interval_mistakes(paper_side, other)
                      if all(abs(g - e) <= 1e-9 for g, e in zip(got, wrong))), "")
        raise AssertionError(f"{n} seeds: you gave {tuple(round(g, 4) for g in got)}, the paired 95 % t-interval is "
                             f"{tuple(round(e, 4) for e in expected)}" + (f": {named}" if named else ""))


def verdict(low: float, high: float, paper_sign: int) -> str:
    """The reference: the project's rule (:func:`imlp_core.reading.inference.contrast_kind`) for one paired difference
    whose t-interval is [low, high], the paper's side of zero given by ``paper_sign`` (+1 or −1)."""
    low, high = (low, high) if paper_sign > 0 else (-high, -low)  # > 0 on the paper's side, as a Contrast is
    interval = inference.Interval((low + high) / 2, low, high, n=2)  # a t-interval is symmetric about its mean
    contrast = inference.ContrastResult("", (), (), interval, interval, math.nan, math.nan, effect=None,
                                        simultaneous=interval)
    return inference.contrast_kind([contrast]).value


def check_verdict(read_verdict: Callable | None, draws: int = 6) -> None:
    """``read_verdict(low, high, paper_sign)`` in VERDICTS, on fresh intervals of both signs and both sides."""
    rng = fresh_rng()
    cases = [(1.0, 3.0, 1), (-3.0, -1.0, 1), (-1.0, 2.0, 1), (-3.0, -1.0, -1), (1.0, 3.0, -1), (-2.0, 1.0, -1)]
    for _ in range(draws):
        low = rng.uniform(-5, 5)
        cases.append((low, low + rng.uniform(0.1, 5), rng.choice((1, -1))))
    rng.shuffle(cases)
    for low, high, sign in cases:
        got = call(read_verdict, "read_verdict", low, high, sign)
        expected = verdict(low, high, sign)
        if got == expected:
            continue
        where = f"interval [{low:.3g}, {high:.3g}], the paper's side {'> 0' if sign > 0 else '< 0'}: you gave {got!r}"
        if got not in VERDICTS:
            raise AssertionError(f"{where}: answer one of {', '.join(map(repr, VERDICTS))}")
        straddles, cannot_tell = low <= 0 <= high, expected.endswith("cannot tell")
        if cannot_tell and not got.endswith("cannot tell"):
            raise AssertionError(f"{where}: the interval straddles 0, so the seeds cannot tell the sign: "
                                 f"{expected!r}, after the side the mean lies on")
        if cannot_tell:
            raise AssertionError(f"{where}: the interval straddles 0 and its mean, {(low + high) / 2:.3g}, lies on the "
                                 f"{'paper' if expected == inference.Kind.SAME_SIGN.value else 'other'}'s side: "
                                 f"{expected!r}")
        if got.endswith("cannot tell") and not straddles:
            raise AssertionError(f"{where}: the whole interval lies on one side of 0, so the seeds can tell")
        raise AssertionError(f"{where}: the paper's effect is {'positive' if sign > 0 else 'negative'}, so an "
                             f"interval wholly {'above' if low > 0 else 'below'} 0 is {expected!r}")


def check_table1_verdict(answer: Any, paper_side: list[float], other: list[float]) -> None:
    """The verdict the notebook's per-seed numbers give (the paper's side: > 0)."""
    got = require(answer, "table1_verdict")
    _, low, high = paired_interval(paper_side, other)
    expected = verdict(low, high, 1)
    if got != expected:
        raise AssertionError(f"you read {got!r}; the paired 95 % interval is [{low:.2f}, {high:.2f}] and the paper's "
                             f"side is > 0: {expected!r}")
