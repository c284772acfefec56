"""The paper's prior models and the I-MLPs that match them (Tables 2, 3, 5; Appendices C, D, H).

Every prior is a :class:`Prior`: the contract Algorithm 1 relies on (its dense layers, the I-MLP that
matches them, and which of them are interpolated), plus the names the notebooks show it by.

Choices the paper leaves open, fixed here so that the parameter counts of Tables 2 and 3 are met
exactly and the I-MLP at alpha = 1 computes the prior's logits (verified in ``tests/test_models.py``):

* LayerNorm has no affine parameters (affine parameters would change every count). ``affine=True`` (the
  ``--ln affine-*`` options of notebook 08) gives every LN elementwise gamma, beta, in the prior and in the
  I-MLP alike; the prior's dense form of them is ``dense_norms()``.
* The S-CNN applies the S-MLP block of Eq. 1, sigma(LN(.)), after each of its six convolutions, LN over
  the layer's whole (C, H, W) output, so that the I-MLP's LayerNorm over the 1,024-vector matches it.
  (Table 2's caption, "Layers-1 and Layers-5", is read as every layer, as Eq. 1 prescribes;
  ``block="s-mlp"`` reads it as the scaling-MLPs code does: no LN or GELU after the last hidden layer.)
* The Mixer follows Table 3's caption literally: LN (per token, over C) after the patch embedding and
  after each Token/Channel-Mixer MLP 2, GELU between the two layers of each MLP, no skip connections;
  its head sees the mean over the 16 tokens. A LayerNorm over all 2,048 features would not reproduce
  a per-token LN, so the Mixer's I-MLP normalises each token's 128 features separately (``norm_groups``).
"""

from __future__ import annotations

from abc import ABCMeta, abstractmethod
from dataclasses import dataclass
from math import prod
from typing import Any

import torch
import torch.nn.functional as F
from einops.layers.torch import Rearrange
from torch import Tensor, nn

from imlp_core.conversions import (
    conv2d_output_shape,
    conv2d_to_dense,
    patchify_permutation,
    shared_linear_to_dense,
    transpose_permutation,
)
from imlp_core.facts import BLOCKS, select_layers

IMAGE_SHAPE = (3, 32, 32)


def layer_norm_groups(h: Tensor, groups: int) -> Tensor:
    """LayerNorm without affine parameters over each of ``groups`` equal, contiguous slices of the last dim.

    ``groups = 1`` is the S-MLP's LN over the whole vector (Eq. 1); ``groups = S`` is the Mixer's
    per-token LN on a row-major (S, C) feature map.
    """
    grouped = h.unflatten(-1, (groups, h.shape[-1] // groups))
    return F.layer_norm(grouped, grouped.shape[-1:]).flatten(-2)


@dataclass(frozen=True)
class MLPSpec:
    """Shape of an I-MLP: ``widths[i] -> widths[i+1]`` for each interpolated layer, then the head.

    ``norm_groups[i]``: LN groups after layer i (None: no LN); ``gelu[i]``: GELU after layer i;
    ``head_tokens``: the head sees the mean over this many equal slices of the last features;
    ``affine``: every LN has elementwise gamma, beta over its layer's features.
    """

    widths: tuple[int, ...]
    norm_groups: tuple[int | None, ...]
    gelu: tuple[bool, ...]
    head_tokens: int
    num_classes: int
    affine: bool = False

    @property
    def head_features(self) -> int:
        return self.widths[-1] // self.head_tokens


class _StackedMatmul(torch.autograd.Function):
    """``x @ W^T + b`` for K stacked models: x (K, N, in), W (K, out, in), b (K, out) -> (K, N, out).

    Autograd's own baddbmm backward produces dW^T, which is then copied into W's (K, out, in) layout on
    every step (a fifth of a CPU training step); this backward writes dW in W's layout directly. Under
    bf16 autocast the forward runs in bf16 and so does the backward (the saved float32 tensors are cast to
    the gradient's dtype); autograd returns the weight gradients in the parameters' float32.
    """

    @staticmethod
    def forward(ctx, x: Tensor, weight: Tensor, bias: Tensor) -> Tensor:
        ctx.save_for_backward(x, weight)
        return torch.baddbmm(bias.unsqueeze(1), x, weight.transpose(1, 2))

    @staticmethod
    def backward(ctx, grad: Tensor) -> tuple[Tensor | None, Tensor, Tensor]:
        x, weight = (t.to(grad.dtype) for t in ctx.saved_tensors)
        grad_x = torch.bmm(grad, weight) if ctx.needs_input_grad[0] else None
        return grad_x, torch.bmm(grad.transpose(1, 2), x), grad.sum(1)


class StackedLinear(nn.Module):
    """``num_models`` independent ``nn.Linear`` layers in one batched matmul: (K, N, in) -> (K, N, out).

    Weights are (K, out, in) and biases (K, out), so model k's layer is ``weight[k]``, ``bias[k]`` in
    ``nn.Linear``'s layout. All K start from ONE draw of ``nn.Linear``'s default initialisation, so an
    alpha sweep compares models that differ only in alpha, and a sweep of K models starts exactly where
    K separate runs with the same seed start.
    """

    def __init__(self, num_models: int, in_features: int, out_features: int) -> None:
        super().__init__()
        template = nn.Linear(in_features, out_features)
        self.weight = nn.Parameter(template.weight.detach().expand(num_models, -1, -1).clone())
        self.bias = nn.Parameter(template.bias.detach().expand(num_models, -1).clone())

    def forward(self, x: Tensor) -> Tensor:
        return _StackedMatmul.apply(x, self.weight, self.bias)


class StackedAffine(nn.Module):
    """LayerNorm's elementwise affine map for K stacked models: h (K, N, width) -> gamma * h + beta.

    Starts as ``nn.LayerNorm``'s (gamma = 1, beta = 0), so adding it draws no random numbers.
    """

    def __init__(self, num_models: int, width: int) -> None:
        super().__init__()
        self.weight = nn.Parameter(torch.ones(num_models, width))
        self.bias = nn.Parameter(torch.zeros(num_models, width))

    def forward(self, h: Tensor) -> Tensor:
        return torch.addcmul(self.bias.unsqueeze(1), h, self.weight.unsqueeze(1))


class IMLP(nn.Module):
    """K fully-connected I-MLPs (S-MLP blocks, Eq. 1) trained side by side; logits are (K, N, classes).

    The S-MLP baseline is this network trained with alpha = 0.
    """

    def __init__(self, spec: MLPSpec, num_models: int = 1) -> None:
        super().__init__()
        self.spec = spec
        self.num_models = num_models
        self.hidden = nn.ModuleList(
            StackedLinear(num_models, d_in, d_out) for d_in, d_out in zip(spec.widths, spec.widths[1:])
        )
        self.head = StackedLinear(num_models, spec.head_features, spec.num_classes)
        # gamma, beta of each LN (K, width) when the spec asks for affine LN; None where a layer has no LN
        self.norms = nn.ModuleList(
            StackedAffine(num_models, width) if spec.affine and groups is not None else nn.Identity()
            for width, groups in zip(spec.widths[1:], spec.norm_groups)
        )

    @classmethod
    def matching(cls, prior: Prior, num_models: int = 1) -> IMLP:
        """The I-MLP whose layers have the shapes of ``prior.dense_layers()`` (Appendices C, D)."""
        return cls(prior.mlp_spec(), num_models)

    def interpolated_layers(self) -> list[StackedLinear]:
        """The layers Algorithm 1 interpolates, aligned with the prior's ``dense_layers()``."""
        return [*self.hidden, self.head]

    def affine_norms(self) -> list[StackedAffine | None]:
        """The LN gamma, beta after each hidden layer (None: no affine LN there), aligned with ``prior.dense_norms()``."""
        return [norm if isinstance(norm, StackedAffine) else None for norm in self.norms]

    def forward(self, x: Tensor) -> Tensor:
        h = x.flatten(1).expand(self.num_models, -1, -1)  # vec(x), shared by the K models
        for layer, norm, groups, gelu in zip(self.hidden, self.norms, self.spec.norm_groups, self.spec.gelu):
            h = layer(h)
            if groups is not None:
                h = norm(layer_norm_groups(h, groups))
            if gelu:
                h = F.gelu(h)
        if self.spec.head_tokens > 1:
            h = h.unflatten(-1, (self.spec.head_tokens, -1)).mean(-2)
        return self.head(h)


def normalized_layers(num_layers: int, block: str) -> tuple[bool, ...]:
    """Which hidden layers are followed by the S-MLP block sigma(LN(.)) of Eq. 1.

    ``every-layer``: all of them (Eq. 1). ``s-mlp``: all but the last, as in the scaling-MLPs code the paper
    builds on (App. E), where the last hidden layer feeds the head linearly.
    """
    if block not in BLOCKS:
        raise ValueError(f"unknown block {block!r}; choose one of {', '.join(BLOCKS)}")
    return (True,) * (num_layers - 1) + (block == "every-layer",)


class Prior(nn.Module, metaclass=ABCMeta):
    """A prior of Algorithm 1: a network whose layers have dense equivalents an I-MLP is interpolated towards.

    A prior provides:

    * ``mlp_spec()``: the shape of the fully-connected I-MLP whose layers have exactly the shapes of the
      prior's dense equivalents, with the normalisation, activation and pooling that make the two compute
      the same function when their weights agree;
    * ``dense_layers()``: the current ``(W_P, b_P)`` of each of the I-MLP's layers, in ``nn.Linear``'s
      (out, in) layout, computed with :mod:`imlp_core.conversions` (Eq. 4 for convolutions, Eq. 5 for the
      Mixer). The classification head is the last entry; its dense form is itself;
    * ``dense_norms()``: the dense form of each affine LN's (gamma, beta) after a hidden layer (None: none);
    * class attributes ``key`` (its name in :data:`PRIORS` and on the command line), ``display_name`` (as the
      paper names it), ``legend_name`` (short form for figure legends; default ``display_name``) and
      ``interpolated`` (which of ``dense_layers()`` Algorithm 1 interpolates: "all", "first" or indices).

    Its constructor takes ``num_classes``, ``block`` and ``affine`` (notebook 08's open choices). Adding a prior
    takes its class here (listed in :data:`PRIORS`), its entry in the budgets of ``profiles.py``, and its notebook.
    """

    key: str
    display_name: str
    legend_name: str
    interpolated: str | tuple[int, ...] = "all"

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        if "display_name" in cls.__dict__ and "legend_name" not in cls.__dict__:
            cls.legend_name = cls.display_name

    @abstractmethod
    def mlp_spec(self) -> MLPSpec:
        """The shape of the I-MLP whose layers have the shapes of :meth:`dense_layers` (Appendices C, D)."""

    @abstractmethod
    def dense_layers(self) -> list[tuple[Tensor, Tensor]]:
        """The current (W_P, b_P) of each of the I-MLP's layers, the head last."""

    @abstractmethod
    def dense_norms(self) -> list[tuple[Tensor, Tensor] | None]:
        """The dense (gamma, beta) of the affine LN after each hidden layer (None where there is none)."""


class CNNPrior(Prior):
    """A stack of 3x3, padding-1 convolutions, each followed by LN over (C, H, W) and GELU, and a linear head.

    ``SCNN`` is the paper's instance (Table 2); Table 5's priors are other instances. ``block`` and
    ``affine`` are the open choices of notebook 08 (see :func:`normalized_layers` and the module docstring).
    """

    def __init__(self, channels: tuple[int, ...], strides: tuple[int, ...], num_classes: int = 10,
                 block: str = "every-layer", affine: bool = False) -> None:
        super().__init__()
        if len(channels) != len(strides):
            raise ValueError(f"got {len(channels)} channel counts but {len(strides)} strides; give one of each per layer")
        self.normalized = normalized_layers(len(channels), block)
        self.convs = nn.ModuleList()
        self.norms = nn.ModuleList()  # affine LN over each normalised layer's (C, H, W) output
        self.input_shapes: list[tuple[int, int, int]] = []
        shape = IMAGE_SHAPE
        for c_out, stride, normalized in zip(channels, strides, self.normalized):
            conv = nn.Conv2d(shape[0], c_out, kernel_size=3, stride=stride, padding=1)
            self.convs.append(conv)
            self.input_shapes.append(shape)
            shape = conv2d_output_shape(conv, shape)
            self.norms.append(nn.LayerNorm(shape) if affine and normalized else nn.Identity())
        self.affine = affine
        self.head = nn.Linear(prod(shape), num_classes)

    def forward(self, x: Tensor) -> Tensor:
        for conv, norm, normalized in zip(self.convs, self.norms, self.normalized):
            x = conv(x)
            if normalized:
                x = F.gelu(norm(x) if self.affine else F.layer_norm(x, x.shape[1:]))
        return self.head(x.flatten(1))

    def mlp_spec(self) -> MLPSpec:
        widths = (prod(IMAGE_SHAPE), *(prod(s) for s in self.input_shapes[1:]), self.head.in_features)
        return MLPSpec(widths, tuple(1 if n else None for n in self.normalized), self.normalized,
                       head_tokens=1, num_classes=self.head.out_features, affine=self.affine)

    @torch.no_grad()
    def dense_layers(self) -> list[tuple[Tensor, Tensor]]:
        """(W_F, b) of each convolution (Eq. 4, Appendix A), then the head's own (W, b)."""
        dense = [conv2d_to_dense(conv, shape) for conv, shape in zip(self.convs, self.input_shapes)]
        return [*dense, (self.head.weight, self.head.bias)]

    @torch.no_grad()
    def dense_norms(self) -> list[tuple[Tensor, Tensor] | None]:
        """The affine LN's (gamma, beta) after each convolution, flattened row-major like vec(x) (None: none)."""
        return [(norm.weight.flatten(), norm.bias.flatten()) if isinstance(norm, nn.LayerNorm) else None
                for norm in self.norms]


class SCNN(CNNPrior):
    """The paper's S-CNN (Table 2, Appendix C): every layer's output has 1,024 features; 757,982 parameters."""

    key = "cnn"
    display_name = "S-CNN"
    CHANNELS = (1, 4, 16, 64, 256, 256)
    STRIDES = (1, 2, 2, 2, 2, 1)

    def __init__(self, num_classes: int = 10, block: str = "every-layer", affine: bool = False) -> None:
        super().__init__(self.CHANNELS, self.STRIDES, num_classes, block, affine)


class MLPMixer(Prior):
    """The paper's MLP-Mixer prior (Table 3, Appendix D): 8x8 patches, S = 16 tokens, C = 128, depth 2.

    93,130 parameters. Token-mixing MLPs are S -> S -> S, channel-mixing MLPs C -> C -> C (Table 3's
    output shapes); normalisation and activations as in Table 3's caption (see the module docstring).
    """

    key = "mixer"
    display_name = "MLP-Mixer"
    legend_name = "Mixer"

    def __init__(self, num_classes: int = 10, patch_size: int = 8, channels: int = 128, depth: int = 2,
                 block: str = "every-layer", affine: bool = False) -> None:
        super().__init__()
        c_in, height, width = IMAGE_SHAPE
        self.patch_size, self.channels = patch_size, channels
        self.tokens = (height // patch_size) * (width // patch_size)
        self.patchify = Rearrange("b c (h p1) (w p2) -> b (h w) (p1 p2 c)", p1=patch_size, p2=patch_size)
        self.embed = nn.Linear(patch_size * patch_size * c_in, channels)
        self.token_mlps = nn.ModuleList(
            nn.ModuleList([nn.Linear(self.tokens, self.tokens), nn.Linear(self.tokens, self.tokens)]) for _ in range(depth)
        )
        self.channel_mlps = nn.ModuleList(
            nn.ModuleList([nn.Linear(channels, channels), nn.Linear(channels, channels)]) for _ in range(depth)
        )
        self.head = nn.Linear(channels, num_classes)
        # The per-token LNs: after the embedding, then after each token and each channel MLP. ``s-mlp`` drops
        # the last (the last hidden layer feeds the head linearly; it has no GELU in Table 3 either).
        self.normalized = normalized_layers(1 + 2 * depth, block)
        self.affine = affine
        self.norms = nn.ModuleList(nn.LayerNorm(channels) if affine and n else nn.Identity() for n in self.normalized)

    def layer_norm(self, h: Tensor, i: int) -> Tensor:
        """The i-th per-token LN (over C), with gamma, beta when affine; the identity where the block has none."""
        if not self.normalized[i]:
            return h
        return self.norms[i](h) if self.affine else F.layer_norm(h, h.shape[-1:])

    def forward(self, x: Tensor) -> Tensor:
        h = self.layer_norm(self.embed(self.patchify(x)), 0)  # (N, S, C)
        for i, ((token_1, token_2), (channel_1, channel_2)) in enumerate(zip(self.token_mlps, self.channel_mlps)):
            t = token_2(F.gelu(token_1(h.transpose(1, 2))))  # mixes along S, on (N, C, S)
            h = self.layer_norm(t.transpose(1, 2), 1 + 2 * i)
            h = self.layer_norm(channel_2(F.gelu(channel_1(h))), 2 + 2 * i)
        return self.head(h.mean(1))

    def mlp_spec(self) -> MLPSpec:
        depth = len(self.token_mlps)
        width = self.tokens * self.channels
        # Layer-1, then per Mixer layer: token 1 (GELU), token 2 (LN), channel 1 (GELU), channel 2 (LN).
        norm_groups = tuple(self.tokens if n else None for n in self.normalized_hidden_layers())
        gelu = (False,) + (True, False) * (2 * depth)
        widths = (prod(IMAGE_SHAPE),) + (width,) * (1 + 4 * depth)
        return MLPSpec(widths, norm_groups, gelu, head_tokens=self.tokens, num_classes=self.head.out_features,
                       affine=self.affine)

    def normalized_hidden_layers(self) -> list[bool]:
        """Whether each of the I-MLP's hidden layers (embedding, then 4 per Mixer layer) is followed by an LN."""
        flags = [self.normalized[0]]
        for i in range(len(self.token_mlps)):
            flags += [False, self.normalized[1 + 2 * i], False, self.normalized[2 + 2 * i]]
        return flags

    @torch.no_grad()
    def dense_norms(self) -> list[tuple[Tensor, Tensor] | None]:
        """Each hidden layer's affine LN (gamma, beta) tiled over the S tokens of the row-major (S, C) map (None: none)."""
        norms = iter(self.norms)
        dense = []
        for normalized in self.normalized_hidden_layers():
            norm = next(norms) if normalized else None
            dense.append((norm.weight.repeat(self.tokens), norm.bias.repeat(self.tokens))
                         if isinstance(norm, nn.LayerNorm) else None)
        return dense

    @torch.no_grad()
    def dense_layers(self) -> list[tuple[Tensor, Tensor]]:
        """W_P = W~ L of each layer (Eq. 5, Appendix B): L = P for the patch embedding, T around token mixing."""
        c_in, height, width = IMAGE_SHAPE
        S, C = self.tokens, self.channels
        to_token_major = transpose_permutation(C, S)  # (C, S) -> (S, C)
        to_channel_major = transpose_permutation(S, C)  # (S, C) -> (C, S)
        dense = [shared_linear_to_dense(self.embed, S, in_perm=patchify_permutation(height, width, self.patch_size, c_in))]
        for (token_1, token_2), (channel_1, channel_2) in zip(self.token_mlps, self.channel_mlps):
            dense.append(shared_linear_to_dense(token_1, C, in_perm=to_channel_major))
            dense.append(shared_linear_to_dense(token_2, C, out_perm=to_token_major))
            dense.append(shared_linear_to_dense(channel_1, S))
            dense.append(shared_linear_to_dense(channel_2, S))
        return [*dense, (self.head.weight, self.head.bias)]


class Table5MLP1Prior(CNNPrior):
    """MLP-1's CNN prior (Table 5, Appendix H): interpolation spread over its first six layers.

    The paper gives only totals (16,922,724 parameters, 9,440,256 interpolated); no constant-width
    network meets both exactly, so the six interpolated layers are chosen near-constant width,
    1,024 -> 1,152 -> 1,136 -> 1,152 -> 1,120 -> 1,072 features, whose weights and biases total exactly
    9,440,256, followed by six 1,120-wide layers that are trained but not interpolated. Its I-MLP has
    16,930,826 parameters (+8,102, +0.05 % against the paper).
    """

    key = "table5-mlp1"
    display_name = "MLP-1"
    legend_name = "MLP-1 (six layers)"
    interpolated = (0, 1, 2, 3, 4, 5)
    CHANNELS = (4, 18, 71, 288, 280, 268) + (280,) * 6
    STRIDES = (2, 2, 2, 2, 1, 1) + (1,) * 6

    def __init__(self, num_classes: int = 10, block: str = "every-layer", affine: bool = False) -> None:
        super().__init__(self.CHANNELS, self.STRIDES, num_classes, block, affine)


class Table5MLP2Prior(CNNPrior):
    """MLP-2's CNN prior (Table 5, Appendix H): one wide 3,072 -> 3,072 first layer holds the whole budget.

    Its first convolution (3 -> 3 channels, stride 1) has a 3,072 x 3,072 dense form: 9,440,256 weights
    and biases, the paper's budget exactly. Five 1,024-wide convolutions follow (4 channels of 16 x 16: one of
    stride 2, then four of stride 1), trained but not interpolated: six layers and the head in all, where MLP-1
    has twelve. Its I-MLP has 16,795,658 parameters (-16,366, -0.10 % against the paper's 16,812,024).
    """

    key = "table5-mlp2"
    display_name = "MLP-2"
    legend_name = "MLP-2 (wide first layer)"
    interpolated = (0,)
    CHANNELS = (3, 4, 4, 4, 4, 4)
    STRIDES = (1, 2, 1, 1, 1, 1)

    def __init__(self, num_classes: int = 10, block: str = "every-layer", affine: bool = False) -> None:
        super().__init__(self.CHANNELS, self.STRIDES, num_classes, block, affine)


PRIORS: dict[str, type[Prior]] = {cls.key: cls for cls in (SCNN, MLPMixer, Table5MLP1Prior, Table5MLP2Prior)}


def build_prior(name: str, num_classes: int = 10, block: str = "every-layer", affine: bool = False) -> Prior:
    """The prior called ``name`` ("cnn": S-CNN, "mixer": MLP-Mixer, or a Table 5 pair), with notebook 08's block and LN."""
    if name not in PRIORS:
        raise ValueError(f"unknown prior {name!r}; choose one of {sorted(PRIORS)}")
    return PRIORS[name](num_classes=num_classes, block=block, affine=affine)


def count_parameters(model: nn.Module) -> int:
    """Trainable parameters of one model (for a stacked I-MLP: of each of its K models)."""
    num_models = getattr(model, "num_models", 1)
    return sum(p.numel() for p in model.parameters() if p.requires_grad) // num_models


def parameter_counts(name: str) -> dict[str, str | int]:
    """Table 5's parameter columns for prior ``name``, computed from our models: its I-MLP's total parameters, the
    weights + biases of the layers it interpolates, and how many layers those are."""
    prior = build_prior(name)
    mlp = IMLP.matching(prior)
    layers = mlp.interpolated_layers()
    interpolated = select_layers(prior.interpolated, len(layers))
    return {"model": PRIORS[name].display_name, "total_params": count_parameters(mlp),
            "interpolated_params": sum(p.numel() for i in interpolated for p in layers[i].parameters()),
            "interpolated_layers": len(interpolated)}
