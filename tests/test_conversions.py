"""Exactness of the dense equivalents in imlp_core.conversions (float64, max |error| <= 1e-10)."""

import einops
import pytest
import torch
import torch.nn.functional as F
from hypothesis import assume, given, settings
from hypothesis import strategies as st
from torch import nn

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

TOL = 1e-10
HYPOTHESIS = settings(max_examples=60, deadline=None)
# PyTorch warns that 'same' padding with an even kernel pads a copy of the input; expected here.
SAME_PADDING_COPY = pytest.mark.filterwarnings("ignore:Using padding='same'")


def max_error(a: torch.Tensor, b: torch.Tensor) -> float:
    return (a - b).abs().max().item()


def is_permutation_matrix(m: torch.Tensor) -> bool:
    ones = torch.ones(m.shape[0], dtype=m.dtype)
    binary = bool(((m == 0) | (m == 1)).all())
    return binary and torch.equal(m.sum(0), ones) and torch.equal(m.sum(1), ones)


# --------------------------------------------------------------------------------------------------
# conv2d_to_dense
# --------------------------------------------------------------------------------------------------

@st.composite
def conv_settings(draw):
    """A random nn.Conv2d (float64) and an input shape; not every draw is accepted by torch."""
    groups = draw(st.integers(1, 3))
    kernel = (draw(st.integers(1, 4)), draw(st.integers(1, 4)))
    dilation = (draw(st.integers(1, 2)), draw(st.integers(1, 2)))
    padding = draw(st.one_of(st.integers(0, 3), st.tuples(st.integers(0, 3), st.integers(0, 3)),
                             st.sampled_from(["same", "valid"])))
    stride = 1 if padding == "same" else (draw(st.integers(1, 3)), draw(st.integers(1, 3)))
    conv = nn.Conv2d(groups * draw(st.integers(1, 2)), groups * draw(st.integers(1, 2)), kernel,
                     stride=stride, padding=padding, dilation=dilation, groups=groups,
                     bias=draw(st.booleans()),
                     padding_mode=draw(st.sampled_from(["zeros", "circular", "reflect", "replicate"])))
    input_shape = (conv.in_channels, draw(st.integers(1, 9)), draw(st.integers(1, 9)))
    return conv.double(), input_shape


def conv_reference(conv: nn.Conv2d, input_shape: tuple[int, int, int]):
    """Random inputs and conv's output on them, or None where torch itself refuses the geometry."""
    x = torch.randn(3, *input_shape, dtype=torch.float64)
    try:
        with torch.no_grad():
            return x, conv(x)
    except RuntimeError:
        return None


@SAME_PADDING_COPY
@HYPOTHESIS
@given(conv_settings())
def test_conv2d_to_dense_matches_conv2d(setting):
    conv, input_shape = setting
    reference = conv_reference(conv, input_shape)
    assume(reference is not None)
    x, y = reference
    assert tuple(y.shape[1:]) == conv2d_output_shape(conv, input_shape)
    dense = {}
    for method in ("index", "probe"):
        weight, bias = conv2d_to_dense(conv, input_shape, method=method)
        assert weight.shape == (y[0].numel(), x[0].numel())
        assert (bias is None) == (conv.bias is None)
        y_dense = x.flatten(1) @ weight.T + (0 if bias is None else bias)
        assert max_error(y_dense, y.flatten(1)) <= TOL
        dense[method] = weight
    assert torch.equal(dense["index"], dense["probe"])


@SAME_PADDING_COPY
@HYPOTHESIS
@given(conv_settings())
def test_conv2d_to_dense_rejects_what_conv2d_rejects(setting):
    conv, input_shape = setting
    assume(conv_reference(conv, input_shape) is None)
    with pytest.raises(ValueError):
        conv2d_to_dense(conv, input_shape)


@pytest.mark.parametrize("padding_mode", ["circular", "replicate"])
def test_conv2d_to_dense_adds_taps_that_wrap_onto_the_same_pixel(padding_mode):
    # A 5x5 kernel on a 2x3 image: with circular padding several taps read the same pixel.
    torch.manual_seed(0)
    conv = nn.Conv2d(2, 3, 5, padding=2, padding_mode=padding_mode).double()
    x = torch.randn(4, 2, 2, 3, dtype=torch.float64)
    for method in ("index", "probe"):
        weight, bias = conv2d_to_dense(conv, (2, 2, 3), method=method)
        assert max_error(x.flatten(1) @ weight.T + bias, conv(x).detach().flatten(1)) <= TOL


def test_conv2d_to_dense_matches_the_paper_scnn_layers():
    torch.manual_seed(0)
    shape = (3, 32, 32)
    for c_in, c_out, stride in [(3, 1, 1), (1, 4, 2), (4, 16, 2), (16, 64, 2), (64, 256, 2), (256, 256, 1)]:
        conv = nn.Conv2d(c_in, c_out, 3, stride=stride, padding=1).double()
        x = torch.randn(2, *shape, dtype=torch.float64)
        weight, bias = conv2d_to_dense(conv, shape)
        y = conv(x).detach()
        assert weight.shape == (1024, x[0].numel())  # d_CNN = 1024 in every layer (Table 2)
        assert max_error(x.flatten(1) @ weight.T + bias, y.flatten(1)) <= TOL
        shape = tuple(y.shape[1:])


def test_conv2d_to_dense_keeps_dtype_and_tracks_no_gradient():
    conv = nn.Conv2d(2, 4, 3, padding=1)
    for method in ("index", "probe"):
        weight, bias = conv2d_to_dense(conv, (2, 5, 6), method=method)
        assert weight.dtype == bias.dtype == torch.float32
        assert not weight.requires_grad and not bias.requires_grad


def test_conv2d_to_dense_follows_weight_updates_through_the_cached_index_map():
    conv = nn.Conv2d(3, 4, 3, stride=2, padding=1).double()
    first, _ = conv2d_to_dense(conv, (3, 8, 8))
    with torch.no_grad():
        conv.weight.mul_(2)
    second, _ = conv2d_to_dense(conv, (3, 8, 8))
    assert torch.equal(second, 2 * first)


@pytest.mark.parametrize("conv, input_shape, words", [
    (nn.Conv2d(3, 4, 3), (2, 8, 8), "channels"),
    (nn.Conv2d(1, 1, 5), (1, 3, 8), "empty output"),
    (nn.Conv2d(1, 1, 5, padding=2, padding_mode="reflect"), (1, 2, 8), "padding_mode 'reflect'"),
    (nn.Conv2d(1, 1, 7, padding=3, padding_mode="circular"), (1, 2, 8), "padding_mode 'circular'"),
])
def test_conv2d_to_dense_explains_unsupported_settings(conv, input_shape, words):
    with pytest.raises(ValueError, match=words):
        conv2d_to_dense(conv, input_shape)


def test_conv2d_to_dense_names_the_methods_it_knows():
    with pytest.raises(ValueError, match="'index' or 'probe'"):
        conv2d_to_dense(nn.Conv2d(1, 1, 3), (1, 4, 4), method="toeplitz")


def test_conv2d_output_shape_floors_what_appendix_c_leaves_fractional():
    conv = nn.Conv2d(1, 1, 3, stride=2, padding=0)
    assert (32 - 3 + 0) / 2 + 1 == 15.5  # Appendix C's h_out as printed
    assert conv2d_output_shape(conv, (1, 32, 32)) == (1, 15, 15) == tuple(conv(torch.zeros(1, 1, 32, 32)).shape[1:])


# --------------------------------------------------------------------------------------------------
# P: patchify (Appendix B.1.1)
# --------------------------------------------------------------------------------------------------

patch_geometries = st.tuples(st.integers(1, 4), st.integers(1, 4), st.integers(1, 4), st.integers(1, 3))


@HYPOTHESIS
@given(patch_geometries)
def test_patchify_matrix_is_a_permutation_matching_einops(geometry):
    h, w, p, c = geometry
    x = torch.randn(c, h * p, w * p, dtype=torch.float64)
    matrix = patchify_matrix(h * p, w * p, p, c)
    patches = einops.rearrange(x, "c (h p1) (w p2) -> (h w) (p1 p2 c)", p1=p, p2=p)
    assert is_permutation_matrix(matrix)
    assert torch.equal(matrix @ x.flatten(), patches.flatten())
    assert torch.equal(x.flatten()[patchify_permutation(h * p, w * p, p, c)], patches.flatten())


@HYPOTHESIS
@given(patch_geometries)
def test_patchify_matrix_matches_unfold(geometry):
    h, w, p, c = geometry
    x = torch.randn(c, h * p, w * p, dtype=torch.float64)
    # unfold gives (c p1 p2, patches); reorder each patch to (p1 p2 c).
    columns = F.unfold(x[None], kernel_size=p, stride=p)[0]
    patches = columns.T.reshape(h * w, c, p, p).permute(0, 2, 3, 1)
    assert torch.equal(patchify_matrix(h * p, w * p, p, c) @ x.flatten(), patches.flatten())


def test_patchify_permutation_follows_eq_13_to_17_with_floor_in_eq_14():
    height, width, p = 12, 8, 4
    w = width // p
    perm = patchify_permutation(height, width, p)
    for i in range(height * width):
        patch = i // p**2                       # Eq. 13
        R, C = patch // w, patch % w            # Eq. 14, read as floor(i / P²) mod w
        r, c = (i % p**2) // p, (i % p**2) % p  # Eq. 15-16
        assert perm[i] == (R * p + r) * width + (C * p + c)  # Eq. 17


def test_patchify_rejects_sizes_not_divisible_by_the_patch():
    with pytest.raises(ValueError, match="not divisible"):
        patchify_permutation(32, 30, 8)


# --------------------------------------------------------------------------------------------------
# T: transpose (Appendix B.1.2) and the commutation matrix of arXiv 2306.01470
# --------------------------------------------------------------------------------------------------

@HYPOTHESIS
@given(st.integers(1, 12), st.integers(1, 12))
def test_transpose_matrix_is_a_permutation_that_transposes(rows, cols):
    x = torch.randn(rows, cols, dtype=torch.float64)
    matrix = transpose_matrix(rows, cols)
    assert is_permutation_matrix(matrix)
    assert torch.equal(matrix @ x.flatten(), x.T.flatten())
    assert torch.equal(x.flatten()[transpose_permutation(rows, cols)], x.T.flatten())


def commutation_matrix(s: int, c: int) -> torch.Tensor:
    """J_c of Definition 3.1 (arXiv 2306.01470): J_c vec(X) = vec(X^T) for X in R^{S x C}, column-major vec.

    vec(X)[j·S + i] = X[i, j] and vec(X^T)[i·C + j] = X[i, j], so J_c[i·C + j, j·S + i] = 1.
    """
    j_c = torch.zeros(s * c, s * c, dtype=torch.float64)
    for i in range(s):
        for j in range(c):
            j_c[i * c + j, j * s + i] = 1
    return j_c


@pytest.mark.parametrize("s, c", [(16, 128), (3, 5), (4, 4), (1, 6)])
def test_transpose_matrix_is_the_commutation_matrix(s, c):
    x = torch.randn(s, c, dtype=torch.float64)
    vec = lambda m: m.T.flatten()  # column-major vec of the second paper
    j_c = commutation_matrix(s, c)
    assert torch.equal(j_c @ vec(x), vec(x.T))
    # Column-major vec of an S x C matrix is the row-major flatten of its C x S transpose,
    # so J_c maps X^T.flatten() to X.flatten(): our T for (rows, cols) = (C, S).
    assert torch.equal(transpose_matrix(c, s), j_c)
    assert torch.equal(transpose_matrix(s, c), j_c.T)


def test_commutation_identity_of_the_second_paper_holds_for_our_t():
    # J_c^T (I_S ⊗ V^T) J_c = V^T ⊗ I_S, Sec. 3.1 of arXiv 2306.01470.
    s, c = 3, 5
    v_t = torch.randn(c, c, dtype=torch.float64).T.contiguous()
    j_c = transpose_matrix(c, s)
    lhs = j_c.T @ torch.kron(torch.eye(s, dtype=torch.float64), v_t) @ j_c
    assert torch.equal(lhs, torch.kron(v_t, torch.eye(s, dtype=torch.float64)))


def test_eq_18_printed_precedence_is_not_a_permutation():
    rows, cols = 3, 5
    k = torch.arange(rows * cols - 1)
    as_printed = (cols * k) % (rows * cols) - 1  # "Wk mod HW - 1" read left to right
    assert len(set(as_printed.tolist())) < len(k) or as_printed.min() < 0
    assert torch.equal(transpose_permutation(rows, cols)[:-1], (cols * k) % (rows * cols - 1))


# --------------------------------------------------------------------------------------------------
# W~ (Appendix B.2) and whole Mixer layers W_P = W~ L (Eq. 5)
# --------------------------------------------------------------------------------------------------

@HYPOTHESIS
@given(st.integers(1, 6), st.integers(1, 6), st.integers(1, 6))
def test_shared_weight_matrix_applies_w_to_each_row(repeats, out_features, in_features):
    w = torch.randn(out_features, in_features, dtype=torch.float64)
    x = torch.randn(repeats, in_features, dtype=torch.float64)
    matrix = shared_weight_matrix(w, repeats)
    assert torch.equal(matrix, torch.block_diag(*[w] * repeats))
    assert torch.equal(matrix, torch.kron(torch.eye(repeats, dtype=torch.float64), w))
    assert max_error(matrix @ x.flatten(), (x @ w.T).flatten()) <= TOL


S, C, PATCH, IMAGE = 16, 128, 8, (3, 32, 32)  # Appendix D / Table 3


def mixer_layer(kind: str) -> tuple[nn.Linear, dict, tuple[int, ...], object]:
    """(Linear, shared_linear_to_dense kwargs, input shape, einops reference) for a Table 3 layer."""
    if kind == "patch_embedding":
        linear = nn.Linear(3 * PATCH * PATCH, C)
        kwargs = dict(repeats=S, in_perm=patchify_permutation(32, 32, PATCH, 3))
        reference = lambda x: linear(einops.rearrange(x, "n c (h p1) (w p2) -> n (h w) (p1 p2 c)", p1=PATCH, p2=PATCH))
        return linear, kwargs, IMAGE, reference
    if kind == "token_mlp_1":  # input transposed (†): (S, C) -> (C, S)
        linear = nn.Linear(S, S)
        kwargs = dict(repeats=C, in_perm=transpose_permutation(S, C))
        return linear, kwargs, (S, C), lambda x: linear(einops.rearrange(x, "n s c -> n c s"))
    if kind == "token_mlp_2":  # output transposed (††): (C, S) -> (S, C)
        linear = nn.Linear(S, S)
        kwargs = dict(repeats=C, out_perm=transpose_permutation(C, S))
        return linear, kwargs, (C, S), lambda x: einops.rearrange(linear(x), "n c s -> n s c")
    linear = nn.Linear(C, C)
    return linear, dict(repeats=S), (S, C), linear


@pytest.mark.parametrize("kind", ["patch_embedding", "token_mlp_1", "token_mlp_2", "channel_mlp"])
def test_shared_linear_to_dense_matches_each_mixer_layer(kind):
    torch.manual_seed(0)
    linear, kwargs, input_shape, reference = mixer_layer(kind)
    linear.double()
    x = torch.randn(4, *input_shape, dtype=torch.float64)
    weight, bias = shared_linear_to_dense(linear, **kwargs)
    assert weight.shape == (S * C, x[0].numel())
    assert max_error(x.flatten(1) @ weight.T + bias, reference(x).detach().flatten(1)) <= TOL


def test_shared_linear_to_dense_without_bias():
    linear = nn.Linear(5, 3, bias=False).double()
    weight, bias = shared_linear_to_dense(linear, 4, out_perm=transpose_permutation(4, 3))
    x = torch.randn(4, 5, dtype=torch.float64)
    assert bias is None
    assert max_error(weight @ x.flatten(), linear(x).detach().T.flatten()) <= TOL


@pytest.mark.parametrize("image, patch, channels, token_hidden, channel_hidden", [
    (32, 8, 128, 16, 128),  # the paper's Mixer layer (Table 3)
    (12, 4, 6, 7, 10),      # non-isotropic hidden widths
])
def test_mixer_stack_equals_its_dense_product_chain(image, patch, channels, token_hidden, channel_hidden):
    torch.manual_seed(0)
    s = (image // patch) ** 2
    embed = nn.Linear(3 * patch * patch, channels).double()
    token_1, token_2 = nn.Linear(s, token_hidden).double(), nn.Linear(token_hidden, s).double()
    channel_1, channel_2 = nn.Linear(channels, channel_hidden).double(), nn.Linear(channel_hidden, channels).double()
    x = torch.randn(3, 3, image, image, dtype=torch.float64)

    with torch.no_grad():
        h = embed(einops.rearrange(x, "n c (h p1) (w p2) -> n (h w) (p1 p2 c)", p1=patch, p2=patch))
        h = einops.rearrange(token_2(F.gelu(token_1(einops.rearrange(h, "n s c -> n c s")))), "n c s -> n s c")
        mixer = channel_2(F.gelu(channel_1(h))).flatten(1)

    layers = [
        (shared_linear_to_dense(embed, s, in_perm=patchify_permutation(image, image, patch, 3)), None),
        (shared_linear_to_dense(token_1, channels, in_perm=transpose_permutation(s, channels)), F.gelu),
        (shared_linear_to_dense(token_2, channels, out_perm=transpose_permutation(channels, s)), None),
        (shared_linear_to_dense(channel_1, s), F.gelu),
        (shared_linear_to_dense(channel_2, s), None),
    ]
    dense = x.flatten(1)
    for (weight, bias), activation in layers:
        dense = dense @ weight.T + bias
        dense = activation(dense) if activation else dense
    assert max_error(dense, mixer) <= TOL
