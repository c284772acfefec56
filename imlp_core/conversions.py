"""Exact dense equivalents of the prior layers: conv -> W_F (Appendix A), Mixer -> W_P = W~ L (Appendix B).

Conventions (everywhere in ``imlp_core``):

* A vector is the row-major flattening of a tensor, exactly ``tensor.flatten()`` of (C, H, W) or (R, C).
  The paper's ``vec`` in Eq. 4-5 and 21 is this row-major ``vec``.
* A dense matrix is in ``nn.Linear``'s (out, in) layout, so ``y = W @ x + b`` and, batched,
  ``Y = X @ W.T + b`` (the paper's Eq. 4 and 5 write the batched form).
* A permutation ``perm`` (LongTensor) acts by gathering: ``x[perm]``. Its matrix ``L`` has
  ``L[i, perm[i]] = 1``, i.e. "x_j is moved to position i" for j = perm[i].
"""

from functools import lru_cache

import einops
import torch
import torch.nn.functional as F
from torch import Tensor, nn

# nn.Conv2d's padding_mode -> F.pad's mode (the probe pads explicitly, then convolves with padding 0).
_PAD_MODE = {"zeros": "constant", "circular": "circular", "reflect": "reflect", "replicate": "replicate"}


# --------------------------------------------------------------------------------------------------
# Convolution -> W_F (Appendix A)
# --------------------------------------------------------------------------------------------------

def _conv_padding(conv: nn.Conv2d) -> tuple[int, int, int, int]:
    """(top, bottom, left, right) padding of ``conv``, resolving 'same' and 'valid' as PyTorch does."""
    if conv.padding == "valid":
        return 0, 0, 0, 0
    if conv.padding == "same":
        # PyTorch puts the odd extra pixel of 'same' padding at the bottom/right.
        (kh, kw), (dh, dw) = conv.kernel_size, conv.dilation
        th, tw = dh * (kh - 1), dw * (kw - 1)
        return th // 2, th - th // 2, tw // 2, tw - tw // 2
    ph, pw = conv.padding
    return ph, ph, pw, pw


def conv2d_output_shape(conv: nn.Conv2d, input_shape: tuple[int, int, int]) -> tuple[int, int, int]:
    """(C_out, H_out, W_out) of ``conv`` applied to one input of shape (C_in, H_in, W_in).

    ``H_out = floor((H_in + pad_top + pad_bottom - dilation·(k - 1) - 1) / stride) + 1`` (same for W).
    The paper's Appendix C prints ``h_out = (h_in - k + 2p)/s + 1`` without the floor; e.g. a 3x3 conv
    with stride 2 and padding 0 on 32 pixels gives 15.5 there but 15 in PyTorch.

    Raises ValueError if the channel count does not match ``conv.in_channels`` or the output is empty.
    """
    c_in, h_in, w_in = input_shape
    if c_in != conv.in_channels:
        raise ValueError(f"input_shape {tuple(input_shape)} has {c_in} channels but the conv expects "
                         f"in_channels={conv.in_channels}")
    top, bottom, left, right = _conv_padding(conv)
    (kh, kw), (sh, sw), (dh, dw) = conv.kernel_size, conv.stride, conv.dilation
    h_out = (h_in + top + bottom - dh * (kh - 1) - 1) // sh + 1
    w_out = (w_in + left + right - dw * (kw - 1) - 1) // sw + 1
    if h_out <= 0 or w_out <= 0:
        raise ValueError(f"conv with kernel {conv.kernel_size}, dilation {conv.dilation} and padding "
                         f"{conv.padding} gives an empty output ({h_out}x{w_out}) for input {tuple(input_shape)}")
    return conv.out_channels, h_out, w_out


def _check_padding_fits(conv: nn.Conv2d, input_shape: tuple[int, int, int]) -> None:
    """The wrap-around paddings only reflect/wrap once, as in ``F.pad``; say so before torch does."""
    _, h_in, w_in = input_shape
    top, bottom, left, right = _conv_padding(conv)
    overshoot = max(max(top, bottom) - h_in, max(left, right) - w_in)
    if conv.padding_mode == "circular" and overshoot > 0:
        raise ValueError(f"padding_mode 'circular' needs padding <= input height/width; got padding "
                         f"{conv.padding} for input {tuple(input_shape)}")
    if conv.padding_mode == "reflect" and overshoot >= 0:
        raise ValueError(f"padding_mode 'reflect' needs padding < input height/width; got padding "
                         f"{conv.padding} for input {tuple(input_shape)}")


def _source_index(pos: Tensor, size: int, padding_mode: str) -> Tensor:
    """Map positions in the unpadded frame (may be < 0 or >= size) to input rows/cols; -1 where zero-padded."""
    if padding_mode == "zeros":
        return torch.where((pos >= 0) & (pos < size), pos, -1)
    if padding_mode == "circular":
        return pos.remainder(size)
    if padding_mode == "replicate":
        return pos.clamp(0, size - 1)
    # reflect (edge not repeated): -1 -> 1, size -> size - 2
    return torch.where(pos < 0, -pos, torch.where(pos >= size, 2 * (size - 1) - pos, pos))


@lru_cache(maxsize=64)
def _conv_index_map(c_in: int, h_in: int, w_in: int, c_out: int, h_out: int, w_out: int,
                    groups: int, kernel: tuple[int, int], stride: tuple[int, int],
                    dilation: tuple[int, int], top: int, left: int, padding_mode: str,
                    device: torch.device) -> tuple[Tensor, Tensor]:
    """Where each kernel entry lands in W_F: (flat index into W_F, flat index into conv.weight).

    One pair per (output position, kernel entry) that reads a real input pixel; zero-padded taps are
    dropped. Two int64 vectors of length <= C_out·H_out·W_out·(C_in/groups)·k_h·k_w (16 bytes each).
    """
    cg_in, cg_out = c_in // groups, c_out // groups
    kh, kw = kernel
    # One broadcast axis each for (co, ho, wo, ci, i, j); full-size tensors only where they combine.
    sizes = (c_out, h_out, w_out, cg_in, kh, kw)
    co, ho, wo, ci, ih, iw = (torch.arange(n).view([-1 if axis == dim else 1 for axis in range(6)])
                              for dim, n in enumerate(sizes))
    # Output (co, ho, wo) reads input pixel (ho·s - top + i·d, wo·s - left + j·d) of channel
    # (group of co)·C_in/groups + ci, with weight F[co, ci, i, j] (Eq. 3).
    rows = _source_index(ho * stride[0] - top + ih * dilation[0], h_in, padding_mode)
    cols = _source_index(wo * stride[1] - left + iw * dilation[1], w_in, padding_mode)
    channel = (co // cg_out) * cg_in + ci
    out_index = (co * h_out + ho) * w_out + wo
    in_index = (channel * h_in + rows) * w_in + cols
    weight_index = ((co * cg_in + ci) * kh + ih) * kw + iw
    real = ((rows >= 0) & (cols >= 0)).expand(sizes)
    dense_index = (out_index * (c_in * h_in * w_in) + in_index).expand(sizes)[real]
    return dense_index.to(device), weight_index.expand(sizes)[real].to(device)


def _conv2d_to_dense_index(conv: nn.Conv2d, input_shape: tuple[int, int, int],
                           output_shape: tuple[int, int, int]) -> Tensor:
    """Scatter the kernel entries into W_F: one gather + one index_add_ with a cached index map."""
    top, _, left, _ = _conv_padding(conv)
    dense_index, weight_index = _conv_index_map(
        *input_shape, *output_shape, conv.groups, conv.kernel_size, conv.stride, conv.dilation,
        top, left, conv.padding_mode, conv.weight.device)
    weight = conv.weight.detach()
    dense = weight.new_zeros(output_shape[0] * output_shape[1] * output_shape[2],
                             input_shape[0] * input_shape[1] * input_shape[2])
    # Accumulate: with circular/replicate/reflect padding several taps can read the same pixel
    # (e.g. a kernel larger than the input wraps around onto itself), and their weights add up.
    dense.view(-1).index_add_(0, dense_index, weight.flatten()[weight_index])
    return dense


def _conv2d_to_dense_probe(conv: nn.Conv2d, input_shape: tuple[int, int, int]) -> Tensor:
    """Appendix A, Eq. 6-7: convolve the identity, one basis image per row, without the bias."""
    n_in = input_shape[0] * input_shape[1] * input_shape[2]
    weight = conv.weight.detach()
    # Eq. 7: row i of I, reshaped row-major to (C_in, H_in, W_in), is the image of the basis vector e_i.
    basis = torch.eye(n_in, dtype=weight.dtype, device=weight.device).reshape(n_in, *input_shape)
    top, bottom, left, right = _conv_padding(conv)
    padded = F.pad(basis, (left, right, top, bottom), mode=_PAD_MODE[conv.padding_mode])
    # The bias is affine, not linear: probing with it would add b to every column of W_F.
    responses = F.conv2d(padded, weight, None, conv.stride, 0, conv.dilation, conv.groups)
    # Eq. 6: row i of the response is W_F e_i = column i of W_F, so reshape row-major to
    # (C_in·H_in·W_in, C_out·H_out·W_out) and transpose.
    return responses.reshape(n_in, -1).T.contiguous()


@torch.no_grad()
def conv2d_to_dense(conv: nn.Conv2d, input_shape: tuple[int, int, int],
                    method: str = "index") -> tuple[Tensor, Tensor | None]:
    """The dense W_F of Eq. 4 and the expanded bias b of a 2-D convolution (Appendix A).

    Returns ``W`` of shape (C_out·H_out·W_out, C_in·H_in·W_in) and ``b`` of shape (C_out·H_out·W_out,)
    (or None if the conv has no bias) with ``conv(x).flatten(1) == x.flatten(1) @ W.T + b`` for every
    x of shape (N, *input_shape). No gradient; dtype and device of ``conv.weight``.

    Supports stride, padding (int, tuple, 'same', 'valid'), dilation, groups, non-square inputs and
    every padding_mode of nn.Conv2d ('zeros', 'circular', 'reflect', 'replicate').

    ``method``:

    * ``"index"`` (default): scatter the kernel entries to their positions. No convolution; memory
      = W (out·in elements) + the cached index map (2 int64 per nonzero tap, kept per geometry and
      device so later calls are one gather and one scatter).
    * ``"probe"``: the paper's identity probe, Eq. 6-7: ``W_F = reshape(F * x^(I), (in, out))^T``
      with ``x^(I) = reshape(I, (in, C_in, H_in, W_in))``; both "reshape in-order" are row-major.
      Memory: the identity (in² elements) + the responses (in·out) + W.

    On the CPU both methods give bitwise-equal matrices (tests/test_conversions.py); where several taps
    add up, the order of the sums may differ on a GPU, by rounding only.

    Raises ValueError for an unknown method, a channel mismatch, an empty output, or a padding larger
    than the input allows for circular/reflect padding.
    """
    output_shape = conv2d_output_shape(conv, input_shape)
    _check_padding_fits(conv, input_shape)
    if method == "index":
        dense = _conv2d_to_dense_index(conv, tuple(input_shape), output_shape)
    elif method == "probe":
        dense = _conv2d_to_dense_probe(conv, tuple(input_shape))
    else:
        raise ValueError(f"unknown method {method!r}; use 'index' or 'probe'")
    bias = None
    if conv.bias is not None:
        bias = conv.bias.detach().repeat_interleave(output_shape[1] * output_shape[2])
    return dense, bias


# --------------------------------------------------------------------------------------------------
# Mixer -> W_P = W~ L (Appendix B)
# --------------------------------------------------------------------------------------------------

def _permutation_matrix(perm: Tensor, dtype: torch.dtype) -> Tensor:
    """The matrix L with ``L @ x == x[perm]``: ``L[i, perm[i]] = 1``."""
    matrix = torch.zeros(len(perm), len(perm), dtype=dtype)
    matrix[torch.arange(len(perm)), perm] = 1
    return matrix


def patchify_permutation(height: int, width: int, patch_size: int, channels: int = 1) -> Tensor:
    """The gather order of patchifying (Appendix B.1.1): ``x.flatten()[perm]`` for x of shape (C, H, W).

    The result, viewed as (num_patches, patch_size²·C), holds one patch per row, patches in raster order,
    and inside a patch the order of einops ``c (h p1) (w p2) -> (h w) (p1 p2 c)``. For C = 1 this is the
    paper's Eq. 17: ``perm[i] = (R·P + r)·W + (C·P + c)`` with R, C, r, c from Eq. 13-16 (Eq. 14 needs
    ``floor(i / P²) mod w``). LongTensor of length C·H·W.
    """
    if height % patch_size or width % patch_size:
        raise ValueError(f"image {height}x{width} is not divisible into {patch_size}x{patch_size} patches")
    pixels = torch.arange(channels * height * width).view(channels, height, width)
    return einops.rearrange(pixels, "c (h p1) (w p2) -> (h w p1 p2 c)", p1=patch_size, p2=patch_size)


def patchify_matrix(height: int, width: int, patch_size: int, channels: int = 1,
                    dtype: torch.dtype = torch.float64) -> Tensor:
    """The patchifying permutation matrix P of Appendix B.1.1, Eq. 8-17: ``P @ x.flatten() == x.flatten()[perm]``.

    ``P[i, j] = 1`` means "x_j is moved to position i" (the paper prints "x_i ... position i").
    Shape (C·H·W, C·H·W); memory (C·H·W)² elements of ``dtype``.
    """
    return _permutation_matrix(patchify_permutation(height, width, patch_size, channels), dtype)


def transpose_permutation(rows: int, cols: int) -> Tensor:
    """The gather order of transposition (Appendix B.1.2, Eq. 18): ``X.flatten()[perm] == X.T.flatten()``.

    X has shape (rows, cols) = the paper's (H, W). Eq. 18 must be read with the modulus taken by
    (HW - 1): ``pi(k) = (W·k) mod (HW - 1)`` for k < HW - 1 and ``pi(HW - 1) = HW - 1`` (the printed
    ``Wk mod HW - 1`` would parse as ``(Wk mod HW) - 1``, which is not a permutation). k indexes the
    transposed (W, H) matrix, pi(k) the original (H, W) one. LongTensor of length rows·cols.
    """
    n = rows * cols
    k = torch.arange(n)
    perm = (cols * k).remainder(max(n - 1, 1))  # Eq. 18, first case
    perm[-1] = n - 1  # Eq. 18, second case
    return perm


def transpose_matrix(rows: int, cols: int, dtype: torch.dtype = torch.float64) -> Tensor:
    """The transpose permutation matrix T of Appendix B.1.2, Eq. 19: ``T @ X.flatten() == X.T.flatten()``.

    X has shape (rows, cols). ``T[i, pi(i)] = 1``. Equals the commutation matrix J_c of Definition 3.1
    in arXiv 2306.01470 for an S x C matrix with S = cols, C = rows (their vec is column-major).
    Shape (rows·cols, rows·cols); memory (rows·cols)² elements of ``dtype``.
    """
    return _permutation_matrix(transpose_permutation(rows, cols), dtype)


def _inverse_permutation(perm: Tensor) -> Tensor:
    inverse = torch.empty_like(perm)
    inverse[perm] = torch.arange(len(perm), device=perm.device)
    return inverse


def _permuted_shared_weight_matrix(w: Tensor, repeats: int, in_perm: Tensor | None,
                                   out_perm: Tensor | None) -> Tensor:
    """O W~ L with O @ v == v[out_perm] and L @ x == x[in_perm], by one scatter of the repeats·out·in entries.

    Entry (row, col) of W~ = kron(I_repeats, w) lands at (out_perm⁻¹[row], in_perm[col]): W~ L moves
    column i of W~ to column in_perm[i], O W~ moves row out_perm[k] to row k.
    """
    out_features, in_features = w.shape
    block = torch.arange(repeats, device=w.device).view(repeats, 1, 1)
    rows = (block * out_features + torch.arange(out_features, device=w.device).view(1, -1, 1))
    cols = (block * in_features + torch.arange(in_features, device=w.device).view(1, 1, -1))
    rows, cols = rows.expand(-1, -1, in_features), cols.expand(-1, out_features, -1)
    if in_perm is not None:
        cols = in_perm.to(w.device)[cols]
    if out_perm is not None:
        rows = _inverse_permutation(out_perm.to(w.device))[rows]
    dense = w.new_zeros(repeats * out_features, repeats * in_features)
    dense[rows, cols] = w.expand(repeats, -1, -1)  # the block diagonal of Eq. 22, w in every block
    return dense


def shared_weight_matrix(w: Tensor, repeats: int) -> Tensor:
    """The shared-weight matrix W~ = diag(w, ..., w) = kron(I_repeats, w) of Appendix B.2, Eq. 20-22.

    ``w`` (out, in) is applied to each of ``repeats`` rows: for X of shape (repeats, in),
    ``W~ @ X.flatten() == (X @ w.T).flatten()``. Shape (repeats·out, repeats·in) in w's dtype and
    device; memory that matrix + 2 int64 indices per entry of the repeated w.
    """
    return _permuted_shared_weight_matrix(w, repeats, None, None)


@torch.no_grad()
def shared_linear_to_dense(linear: nn.Linear, repeats: int, in_perm: Tensor | None = None,
                           out_perm: Tensor | None = None) -> tuple[Tensor, Tensor | None]:
    """The dense W_P = W~ L of Eq. 5 for a shared-weight linear layer of the MLP-Mixer (Appendix B).

    The layer maps x_flat to y_flat by ``u = x_flat[in_perm]`` (L, if given),
    ``v = (u.view(repeats, in) @ w.T + b).flatten()`` (W~ and its bias, Eq. 20-22) and
    ``y_flat = v[out_perm]`` (if given). Returns (W, b) with ``y_flat == W @ x_flat + b``;
    W has shape (repeats·out, repeats·in), b (repeats·out,) or None, in the weight's dtype and
    device. No gradient.

    The paper's Table 3 layers (S = 16 patches, C = 128 channels):

    * patch embedding: Linear(192, 128), repeats=16, in_perm=patchify_permutation(32, 32, 8, 3)
    * token mixer MLP 1 (input transposed, †): Linear(16, 16), repeats=128,
      in_perm=transpose_permutation(16, 128)
    * token mixer MLP 2 (output transposed, ††): Linear(16, 16), repeats=128,
      out_perm=transpose_permutation(128, 16)
    * channel mixer MLP 1 and 2: Linear(128, 128), repeats=16

    The permutations are never multiplied as matrices: the entries of w are scattered straight to
    their permuted positions. Memory: W + 2 int64 indices per entry of the repeated w
    (repeats·out·in, 1/repeats of W's entries).
    """
    dense = _permuted_shared_weight_matrix(linear.weight.detach(), repeats, in_perm, out_perm)
    if linear.bias is None:
        return dense, None
    bias = linear.bias.detach().repeat(repeats)
    return dense, bias if out_perm is None else bias[out_perm.to(bias.device)]
