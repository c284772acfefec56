"""imlp_core.models: the paper's parameter counts, and the I-MLP at alpha = 1 computing the prior's logits.

The equivalence checks run in float64 so that a mismatch of the architecture (a wrong normalisation, a
missing bias, a permuted layout) shows as an error many orders above rounding (<= 1e-10 is asserted;
the measured errors are ~1e-15).
"""

from __future__ import annotations

import dataclasses

import pytest
import torch

from imlp_core.interpolate import interpolate_
from imlp_core.models import (
    IMLP, PRIORS, MLPMixer, Prior, SCNN, Table5MLP1Prior, Table5MLP2Prior, build_prior, count_parameters,
)

PRIOR_CLASSES = list(PRIORS.values())  # every prior keeps the contract: a new one is tested here unasked


def images(n: int = 4, seed: int = 0) -> torch.Tensor:
    return torch.randn(n, 3, 32, 32, dtype=torch.float64, generator=torch.Generator().manual_seed(seed))


def prior_and_mlp_at_alpha_one(cls, num_classes: int = 10):
    torch.manual_seed(0)
    prior = cls(num_classes=num_classes).double()
    mlp = IMLP.matching(prior).double()
    interpolate_(mlp, prior, 1.0)
    return prior, mlp


@pytest.mark.parametrize("cls, prior_count, mlp_count", [
    (SCNN, 757_982, 8_405_002),  # Table 2
    (MLPMixer, 93_130, 39_865_610),  # Table 3
])
def test_parameter_counts_equal_the_papers(cls, prior_count, mlp_count):
    prior = cls()
    assert count_parameters(prior) == prior_count
    assert count_parameters(IMLP.matching(prior)) == mlp_count
    assert count_parameters(IMLP.matching(prior, num_models=3)) == mlp_count  # per model of a stacked sweep


@pytest.mark.parametrize("cls, mlp_total", [(Table5MLP1Prior, 16_930_826), (Table5MLP2Prior, 16_795_658)])
def test_table5_pairs_interpolate_the_same_budget_and_have_the_documented_totals(cls, mlp_total):
    """Table 5: 9,440,256 interpolated parameters each; totals as documented in models.py (paper: 16.9 M / 16.8 M)."""
    mlp = IMLP.matching(cls())
    layers = mlp.interpolated_layers()
    budget = sum(layers[i].weight[0].numel() + layers[i].bias[0].numel() for i in cls.interpolated)
    assert budget == 9_440_256
    assert count_parameters(mlp) == mlp_total


def test_table5_mlp2_first_layer_is_3072_wide():
    first = IMLP.matching(Table5MLP2Prior()).interpolated_layers()[0]
    assert tuple(first.weight.shape[1:]) == (3072, 3072)


@pytest.mark.parametrize("cls", PRIOR_CLASSES, ids=lambda c: c.__name__)
def test_alpha_one_reproduces_prior_logits(cls):
    prior, mlp = prior_and_mlp_at_alpha_one(cls)
    x = images()
    logits = mlp(x)
    assert logits.shape == (1, 4, 10)
    assert (logits[0] - prior(x)).abs().max().item() <= 1e-10


@pytest.mark.parametrize("cls", [SCNN, MLPMixer], ids=lambda c: c.__name__)
def test_alpha_one_reproduces_prior_logits_with_100_classes(cls):
    prior, mlp = prior_and_mlp_at_alpha_one(cls, num_classes=100)
    x = images(3)
    assert prior(x).shape == (3, 100)
    assert (mlp(x)[0] - prior(x)).abs().max().item() <= 1e-10


def test_alpha_one_reproduces_prior_logits_for_every_stacked_model():
    torch.manual_seed(0)
    prior = SCNN().double()
    mlp = IMLP.matching(prior, num_models=3).double()
    interpolate_(mlp, prior, 1.0)
    x = images(2)
    assert (mlp(x) - prior(x)).abs().max().item() <= 1e-10


def test_mixer_needs_per_token_layernorm_not_one_over_all_2048_features():
    """models.py's claim: a LayerNorm over all 2,048 features would not reproduce the Mixer's per-token LN."""
    prior, per_token = prior_and_mlp_at_alpha_one(MLPMixer)
    spec = prior.mlp_spec()
    whole_vector = dataclasses.replace(spec, norm_groups=tuple(None if g is None else 1 for g in spec.norm_groups))
    global_ln = IMLP(whole_vector).double()
    interpolate_(global_ln, prior, 1.0)
    x = images()
    assert (per_token(x)[0] - prior(x)).abs().max().item() <= 1e-10
    assert (global_ln(x)[0] - prior(x)).abs().max().item() > 1e-2  # measured ~0.3


def test_scnn_layernorm_has_no_affine_parameters():
    """Affine LN parameters would change every count; the S-CNN has only convolution and head parameters."""
    prior = SCNN()
    names = {name.split(".")[0] for name, _ in prior.named_parameters()}
    assert names == {"convs", "head"}


def test_unknown_prior_is_refused_with_the_known_names():
    with pytest.raises(ValueError, match=r"unknown prior 'resnet'.*cnn.*mixer"):
        build_prior("resnet")


def test_every_registered_prior_keeps_the_prior_contract():
    """PRIORS is keyed by each class's ``key``; names and interpolated layers are the class's own."""
    assert list(PRIORS) == ["cnn", "mixer", "table5-mlp1", "table5-mlp2"]
    assert all(issubclass(cls, Prior) and cls.key == key for key, cls in PRIORS.items())
    assert {key: (cls.display_name, cls.legend_name, cls.interpolated) for key, cls in PRIORS.items()} == {
        "cnn": ("S-CNN", "S-CNN", "all"), "mixer": ("MLP-Mixer", "Mixer", "all"),
        "table5-mlp1": ("MLP-1", "MLP-1 (six layers)", (0, 1, 2, 3, 4, 5)),
        "table5-mlp2": ("MLP-2", "MLP-2 (wide first layer)", (0,))}
    with pytest.raises(TypeError, match="abstract"):
        Prior()
