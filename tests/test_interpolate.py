"""imlp_core.interpolate: Algorithm 1's update W <- (1 - alpha) W + alpha W_P, layer selection, schedules."""

from __future__ import annotations

import pytest
import torch
from hypothesis import given, settings
from hypothesis import strategies as st

from imlp_core.interpolate import AlphaSchedule, interpolate_, select_layers
from imlp_core.models import IMLP
from conftest import TinyCNN


def stacked_pair(num_models: int = 4, dtype=torch.float64, seed: int = 0):
    """A tiny CNN prior and a K-model I-MLP whose K models all hold different random weights."""
    torch.manual_seed(seed)
    prior = TinyCNN().to(dtype)
    mlp = IMLP.matching(prior, num_models).to(dtype)
    with torch.no_grad():
        for p in mlp.parameters():
            p.normal_()
    return prior, mlp


def snapshot(mlp: IMLP) -> list[tuple[torch.Tensor, torch.Tensor]]:
    return [(layer.weight.detach().clone(), layer.bias.detach().clone()) for layer in mlp.interpolated_layers()]


def test_interpolation_follows_the_formula_for_a_vector_of_alphas():
    prior, mlp = stacked_pair(num_models=4)
    alphas = torch.rand(4, dtype=torch.float64, generator=torch.Generator().manual_seed(1))
    before = snapshot(mlp)
    interpolate_(mlp, prior, alphas)
    for (w, b), (w_p, b_p), layer in zip(before, prior.dense_layers(), mlp.interpolated_layers()):
        a = alphas[:, None, None]
        expected_w = (1 - a) * w + a * w_p
        expected_b = (1 - alphas[:, None]) * b + alphas[:, None] * b_p
        # lerp and the formula differ only in float64 rounding of one operation
        torch.testing.assert_close(layer.weight, expected_w, rtol=1e-14, atol=1e-14)
        torch.testing.assert_close(layer.bias, expected_b, rtol=1e-14, atol=1e-14)


def test_alpha_zero_leaves_the_mlp_bit_identical():
    prior, mlp = stacked_pair(dtype=torch.float32)
    before = snapshot(mlp)
    interpolate_(mlp, prior, 0.0)
    for (w, b), layer in zip(before, mlp.interpolated_layers()):
        assert torch.equal(layer.weight, w) and torch.equal(layer.bias, b)


def test_alpha_one_gives_the_priors_dense_weights_exactly():
    prior, mlp = stacked_pair(dtype=torch.float32)
    interpolate_(mlp, prior, 1.0)
    for (w_p, b_p), layer in zip(prior.dense_layers(), mlp.interpolated_layers()):
        assert torch.equal(layer.weight, w_p.expand_as(layer.weight))
        assert torch.equal(layer.bias, b_p.expand_as(layer.bias))


def test_alpha_vector_with_zero_and_one_entries_treats_each_model_separately():
    prior, mlp = stacked_pair(num_models=3, dtype=torch.float32)
    before = snapshot(mlp)
    interpolate_(mlp, prior, [0.0, 1.0, 0.0])
    for (w, b), (w_p, b_p), layer in zip(before, prior.dense_layers(), mlp.interpolated_layers()):
        assert torch.equal(layer.weight[0], w[0]) and torch.equal(layer.weight[2], w[2])
        assert torch.equal(layer.weight[1], w_p) and torch.equal(layer.bias[1], b_p)


@pytest.mark.parametrize("layers, changed", [("first", {0}), ([1], {1}), ([0, -1], {0, 2}), ("all", {0, 1, 2})])
def test_layer_selection_interpolates_only_the_selected_layers(layers, changed):
    prior, mlp = stacked_pair(num_models=2, dtype=torch.float32)
    before = snapshot(mlp)
    interpolate_(mlp, prior, 0.5, layers=layers)
    for i, ((w, b), layer) in enumerate(zip(before, mlp.interpolated_layers())):
        same = torch.equal(layer.weight, w) and torch.equal(layer.bias, b)
        assert same == (i not in changed), f"layer {i}"


def test_select_layers_resolves_names_and_negative_indices():
    assert select_layers("all", 7) == list(range(7))
    assert select_layers("first", 7) == [0]
    assert select_layers([-1, 0, 0], 7) == [0, 6]


def test_interpolation_uses_the_priors_current_weights():
    prior, mlp = stacked_pair(num_models=1, dtype=torch.float32)
    with torch.no_grad():
        prior.head.weight.add_(1.0)
    interpolate_(mlp, prior, 1.0, layers=[-1])
    assert torch.equal(mlp.head.weight[0], prior.head.weight)


# -- schedules ---------------------------------------------------------------------------------------
def test_constant_schedule_is_alpha_after_every_epoch_and_nothing_at_test_time():
    schedule = AlphaSchedule("constant", 0.3)
    assert [schedule.during_training(t, 5) for t in range(5)] == [0.3] * 5
    assert schedule.at_test_time() == 0.0


@settings(max_examples=50, deadline=None)
@given(a=st.floats(0, 1), k=st.floats(0, 8), t_max=st.integers(1, 200))
def test_decay_schedule_is_a_times_one_minus_t_over_tmax_to_the_k(a, k, t_max):
    """Appendix G: alpha[t] = a (1 - t / t_max)^k; t = 0 is the first interpolation, so it uses a."""
    schedule = AlphaSchedule("decay", a, k)
    values = [schedule.during_training(t, t_max) for t in range(t_max)]
    assert values == [a * (1 - t / t_max) ** k for t in range(t_max)]
    assert values[0] == a
    assert all(0 <= v <= a for v in values)
    assert schedule.at_test_time() == 0.0


def test_decay_with_k_zero_equals_the_constant_schedule():
    decay, constant = AlphaSchedule("decay", 0.5, 0.0), AlphaSchedule("constant", 0.5)
    assert [decay.during_training(t, 10) for t in range(10)] == [constant.during_training(t, 10) for t in range(10)]


def test_decay_values_at_known_points():
    schedule = AlphaSchedule("decay", 0.5, 2.0)
    assert [schedule.during_training(t, 4) for t in range(4)] == [0.5, 0.5 * 0.75**2, 0.5 * 0.5**2, 0.5 * 0.25**2]


def test_test_time_schedule_is_zero_while_training_and_alpha_test_at_test_time():
    schedule = AlphaSchedule("test-time", 0.4)
    assert [schedule.during_training(t, 6) for t in range(6)] == [0.0] * 6
    assert schedule.at_test_time() == 0.4
