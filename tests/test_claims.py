"""The claims registry (imlp_core.claims): every claim is data, at the paper's α, with the paper's effect."""

import pytest

from imlp_core import claims as c
from imlp_core.profiles import EXPERIMENTS


def test_ids_are_unique_and_found():
    ids = [claim.id for claim in c.CLAIMS]
    assert len(ids) == len(set(ids))
    assert c.claim("t1a-v-c10").source == "Table 1(a)"
    with pytest.raises(KeyError, match="registered: t1a-v-c10"):
        c.claim("nonsense")


def test_every_arm_names_an_experiment_the_profiles_train():
    for claim in c.CLAIMS:
        for contrast in claim.contrasts:
            for arm in c.arms(contrast.value):
                assert arm.experiment in EXPERIMENTS, (claim.id, arm)


def test_table1_effects_are_the_printed_differences():
    v = c.claim("t1a-v-c10")
    assert [k.effect.mean for k in v.contrasts] == [pytest.approx(58.36 - 51.50), pytest.approx(62.14 - 51.50)]
    assert v.contrasts[0].effect.std == pytest.approx((0.44 ** 2 + 0.86 ** 2) ** 0.5, abs=0.01)
    assert c.Effect(6.86, 0.3).tolerance == 1.0 and c.Effect(6.86, 0.97).tolerance == pytest.approx(1.94)


def test_the_v_is_tested_at_the_papers_alpha_never_an_argmin():
    alphas = {arm.alpha for arm in c.arms(c.claim("f2-cnn-min").contrasts[0].value)}
    assert alphas == {0.0, 1.0, 5e-3}
    assert {arm.alpha for arm in c.arms(c.claim("t1b-v-c10").contrasts[0].value)} == {0.0, 0.01}


def test_roles_per_scale():
    assert c.claim("t1a-prior-c10").role("laptop") is c.Role.PREMISE
    assert c.claim("t1a-prior-c10").role("paper") is c.Role.CONFIRMATORY
    assert c.claim("f2-cnn-turn").role("paper") is c.Role.EXPLORATORY
    assert all(f.role("paper") is None and f.registered is c.Registered.BEFORE_DATA for f in c.FINDINGS)
    assert set(c.claims_at("laptop", c.Role.PREMISE)) >= {c.claim("identity-cnn"), c.claim("t1a-prior-c10")}
    with pytest.raises(ValueError, match="choose one of laptop, paper"):
        c.claims_at("gpu")


def test_held_out_findings_never_read_the_seeds_they_were_found_on():
    for finding in c.FINDINGS:
        assert finding.seeds and not set(finding.seeds) & {0, 1, 2}, finding.id
