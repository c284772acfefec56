"""The claims registry (imlp_core.reading.claims): every claim is data, at the paper's α, with the paper's effect."""

import sys
from pathlib import Path

import pytest

from imlp_core.reading import claims as c
from imlp_core.profiles import EXPERIMENTS

REGISTERED = Path(__file__).with_name("registered_claims.txt")


def registry_lines() -> list[str]:
    """Everything the registry defines, one value per line: every claim with all its fields (contrasts, the paper's
    effects, roles, family, seeds, when registered), the law's declaration and the prediction's numbers."""
    values = {name: value for name, value in sorted(vars(c).items())
              if name.isupper() and not callable(value) and not name.startswith("_")}
    lines = [f"{name} = {value!r}" for name, value in values.items() if name not in ("CLAIMS", "PAPER_CLAIMS",
                                                                                     "FINDINGS", "PREDICTIONS")]
    return lines + [f"{claim.id}: {claim!r} | {' ; '.join(str(k.value) for k in claim.contrasts)}" for claim in c.CLAIMS]


def test_the_registry_is_the_one_registered():
    """Claims are fixed before the records that judge them: a change to any field of any claim, or to the law's
    declaration, fails here until ``tests/registered_claims.txt`` is rewritten on purpose (``python
    tests/test_claims.py --write``), which git then shows beside the records it came before or after."""
    registered = REGISTERED.read_text().splitlines()
    now = registry_lines()
    changed = [line for line in now if line not in registered] + [f"(gone) {line}" for line in registered if line not in now]
    assert not changed, ("the claims registry differs from tests/registered_claims.txt; a claim changed after its "
                         "registration must say so (Registered.AFTER_DATA) and be rewritten on purpose: "
                         + "\n".join(changed[:5]))


def test_ids_are_unique_and_found():
    ids = [claim.id for claim in c.CLAIMS]
    assert len(ids) == len(set(ids))
    assert c.claim("t1a-v-c10").source == "Table 1(a)"
    with pytest.raises(KeyError, match="registered: t1a-v-c10") as error:
        c.claim("nonsense")
    assert ", ".join(ids) in str(error.value)  # every id, as written


def test_an_arm_says_which_run_it_reads():
    assert str(c.Arm("cnn", "cnn", alpha=0.01)) == "α = 0.01"
    assert str(c.Arm("schedules", "cnn", schedule="test-time", alpha=0.5)) == "α_test = 0.5"
    assert str(c.Arm("schedules", "cnn", schedule="decay", alpha=0.5, k=2.0)) == "k = 2"
    assert str(c.Arm("cnn", "cnn", alpha=1.0, metric="prior_test_acc")) == "prior"
    assert str(c.Arm("open_choices", "cnn", alpha=0.3, option="interpolate_every = 1")) == "α = 0.3 (interpolate_every = 1)"
    assert str(c.Arm("open_choices", "cnn", alpha=0.3, option="default")) == "α = 0.3"
    assert str(c.Arm("intervals", "cnn", alpha=0.07, every=1)) == "α = 0.07 (every 1 steps)"
    assert str(c.Arm("intervals", "cnn", alpha=0.07, every="epoch")) == "α = 0.07"  # once per epoch: the default


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



def test_the_law_is_called_a_descriptive_fit_chosen_after_the_data():
    """Issue 36, defect 2: the law was written beside its fitted numbers, after two fits of the same settings."""
    import inspect

    assert c.LAW.chosen.startswith("after the data") and "df19ec1" in c.LAW.chosen
    assert "descriptive fit, chosen after the data" in " ".join(c.LawDeclaration.__doc__.split())
    assert "before fitting" not in inspect.getsource(c) and "declared in advance" not in inspect.getsource(c)


def test_the_paper_scale_test_counts_a_contrast_that_tells_the_law_from_a_constant():
    """Issue 36, defect 3: a counted contrast reads only tested α inside one prediction interval and not the other."""
    from imlp_core.profiles import PAPER_TEST_ALPHAS

    inside = lambda alpha, interval: interval[0] <= alpha <= interval[1]
    for alpha in c.LAW_ONLY_ALPHAS:
        assert inside(alpha, c.PREDICTED_RANGE) and not inside(alpha, c.CONSTANT_RANGE) and alpha in PAPER_TEST_ALPHAS
    for alpha in c.CONSTANT_ONLY_ALPHAS:
        assert inside(alpha, c.CONSTANT_RANGE) and not inside(alpha, c.PREDICTED_RANGE) and alpha in PAPER_TEST_ALPHAS
    side = c.claim("paper-per-step-side")
    assert side.role("paper") is c.Role.CONFIRMATORY and side.registered is c.Registered.BEFORE_DATA
    (contrast,) = side.contrasts
    assert [a.alpha for a in c.arms(contrast.value)] == [*c.CONSTANT_ONLY_ALPHAS, *c.LAW_ONLY_ALPHAS]
    assert all(a.every == 1 and a.experiment == "intervals" for a in c.arms(contrast.value))
    depth = c.claim("paper-per-step-depth")
    assert {a.alpha for a in c.arms(depth.contrasts[0].value)} == {0.0, c.PREDICTED_ALPHA, 1.0}
    assert depth.contrasts[0].effect == c.PREDICTED_DEPTH and depth.role("paper") is c.Role.CONFIRMATORY


def test_only_a_counted_claim_of_the_prediction_says_it_refutes():
    """Issue 36, defect 3: the location scan is shown, never counted, so it refutes nothing."""
    for claim in c.PREDICTIONS:
        if claim.role("paper") is not c.Role.CONFIRMATORY:
            assert "refute" not in claim.note.lower().replace("refutes nothing", ""), claim.id


def test_the_superseded_registrations_stay_readable_and_are_judged_nowhere():
    import subprocess

    ids = {s.claim.id for s in c.SUPERSEDED}
    assert ids == {"paper-per-step-v", "paper-per-step-turn"}
    assert not {claim for claim in c.CLAIMS if claim.id == "paper-per-step-v"}
    old = next(s for s in c.SUPERSEDED if s.claim.id == "paper-per-step-v").claim
    assert old.contrasts[0].effect == c.Effect(5.6, 1.8) and old.registered is c.Registered.BEFORE_DATA
    for superseded in c.SUPERSEDED:  # the commit that registered it is in the history (claims.py sat at the top then)
        shown = subprocess.run(["git", "show", f"{superseded.commit}:imlp_core/claims.py"], capture_output=True,
                               text=True, cwd=REGISTERED.parent, check=False)
        assert shown.returncode == 0 and f'"{superseded.claim.id}"' in shown.stdout


if __name__ == "__main__" and sys.argv[1:] == ["--write"]:
    REGISTERED.write_text("\n".join(registry_lines()) + "\n")
    print(f"wrote {REGISTERED}")
