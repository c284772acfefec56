"""The torch-free facts (``imlp_core.facts``) agree with what the training side computes from the models and data."""

from __future__ import annotations

import pytest

from conftest import facts_of
from imlp_core import data, facts
from imlp_core.models import PRIORS
from imlp_core.reading.paper import dataset_for_role
from imlp_core.profiles import PROFILES


def test_every_prior_of_the_models_has_its_facts_and_no_other():
    assert set(facts.PRIOR_FACTS) == set(PRIORS)


@pytest.mark.parametrize("prior", sorted(PRIORS))
def test_a_priors_facts_equal_what_its_model_computes(prior):
    assert facts.PRIOR_FACTS[prior] == facts_of(prior)


def test_every_dataset_has_its_sizes_and_its_role():
    assert set(facts.TRAIN_IMAGES) == set(facts.TEST_IMAGES) == set(facts.ROLE_OF_DATASET) == set(data.DATASET_NAMES)
    assert set(facts.ROLE_OF_DATASET.values()) <= set(facts.DATASET_ROLES)


@pytest.mark.parametrize("name", sorted(PROFILES))
def test_a_profiles_datasets_are_found_by_role_in_the_order_the_profile_lists_them(name):
    profile = PROFILES[name]
    found = [dataset_for_role(profile, role) for role in facts.DATASET_ROLES]
    assert [d for d in found if d is not None] == list(profile.datasets)


def test_an_unknown_prior_or_role_is_named_in_the_error():
    with pytest.raises(ValueError, match="unknown prior 'resnet'.*facts.PRIOR_FACTS"):
        facts.prior_facts("resnet")
    with pytest.raises(ValueError, match="unknown dataset role 'SVHN'"):
        dataset_for_role(PROFILES["smoke"], "SVHN")
