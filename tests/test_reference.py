"""The vectorised model and the plain-Mesa reference implement the same rules.

`model/reference.py` (the plain-Mesa reference) writes the ODD's rules again, soldier by soldier, in
ordinary Python. Their random draws differ, so the two agree in distribution: over the
same seeds, each aggregate's means must lie within a few standard errors.
"""

from __future__ import annotations

from functools import cache

import numpy as np
import pytest

from model import processes as proc
from model.model import MoraleModel
from model.reference import ReferenceModel
from model.state import Status

# Enough desertion to compare, short of collapse (revision 6: at 0.8 the army melts, and the fear
# of those left says more about who stayed than about the rules).
ARMY = {"n_units": 8, "unit_size": 50, "combat_intensity": 0.6}
DAYS = 90
SEEDS = range(16)
METRICS = ("desertion_rate", "killed_cumulative", "present", "mean_fear", "mean_grievance",
           "mean_motivation", "soldiers_ever", "caught_cumulative")


@cache
def outcomes(kind: str, overrides: tuple = ()) -> dict[str, np.ndarray]:
    rows = []
    for seed in SEEDS:
        if kind == "model":
            model = MoraleModel(rng=seed, **ARMY, **dict(overrides))
            model.run(DAYS)
            rows.append(model.metrics)
        else:
            reference = ReferenceModel(rng=seed, **ARMY, **dict(overrides))
            for _ in range(DAYS):
                reference.step()
            rows.append(reference.metrics())
    return {k: np.array([r[k] for r in rows], dtype=float) for k in METRICS}


def gap_in_standard_errors(a: np.ndarray, b: np.ndarray) -> float:
    se = np.sqrt(a.var(ddof=1) / a.size + b.var(ddof=1) / b.size)
    return abs(a.mean() - b.mean()) / max(se, 1e-12)


@pytest.mark.parametrize("metric", METRICS)
def test_vectorised_model_matches_the_reference(metric):
    gap = gap_in_standard_errors(outcomes("model")[metric], outcomes("reference")[metric])
    assert gap < 3.5, f"{metric}: means differ by {gap:.1f} standard errors"


def test_the_comparison_would_catch_a_different_rule():
    """A reference that lets fear fade twice as fast is told apart: the check has power."""
    altered = outcomes("reference", (("fear_recovery", 0.08),))
    assert gap_in_standard_errors(outcomes("model")["mean_fear"], altered["mean_fear"]) > 3.5


ENGAGEMENTS = (("engagement_share", 0.8),)  # revision 8's engagements, off by default


@cache
def worst_unit_days(kind: str, overrides: tuple = ()) -> np.ndarray:
    """Per seed, the most soldiers of one unit hit on one day: what engagements concentrate."""
    worst = []
    for seed in SEEDS:
        if kind == "model":
            model = MoraleModel(rng=seed, **ARMY, **dict(overrides))
            most = 0
            for _ in range(DAYS):
                model.step()
                most = max(most, int(model.unit_hit.max()))
        else:
            reference = ReferenceModel(rng=seed, **ARMY, **dict(overrides))
            most = 0
            for _ in range(DAYS):
                reference.step()
                most = max(most, max(unit.hit_today for unit in reference.units))
        worst.append(most)
    return np.array(worst, dtype=float)


def test_the_two_concentrate_losses_alike_in_engagements_and_the_check_has_power():
    model = worst_unit_days("model", ENGAGEMENTS)
    assert gap_in_standard_errors(model, worst_unit_days("reference", ENGAGEMENTS)) < 3.5
    # a reference that ignored engagements (the same mean hazard, spread every day) is told apart
    assert gap_in_standard_errors(model, worst_unit_days("reference")) > 3.5


@pytest.mark.parametrize("metric", ("killed_cumulative", "mean_fear", "desertion_rate"))
def test_the_two_agree_when_losses_come_in_engagements(metric):
    """Both spread a unit's losses over actions and squads in contact the same way."""
    gap = gap_in_standard_errors(
        outcomes("model", ENGAGEMENTS)[metric], outcomes("reference", ENGAGEMENTS)[metric]
    )
    assert gap < 3.5, f"{metric}: means differ by {gap:.1f} standard errors"


LOCAL = (("local_arrest_estimate", 1.0),)  # revision 10's local estimate, Epstein's vision
# Without punishments seen and harsh officers a company's certainty is the belief times its own
# factor, so what the local estimate does is seen plainly (revision 7: a ratio of exactly 1).
PLAIN = (("salience_certainty", 0.0), ("harsh_certainty", 0.0))


@cache
def certainty_where_deserters_are_at_large(kind: str, overrides: tuple = ()) -> np.ndarray:
    """Per seed, the mean over days of: certainty in companies with 2+ of their own deserters
    pursued, over that in the others (deserters of earlier days, as each morning counts them)."""
    ratios = []
    for seed in SEEDS:
        model = (MoraleModel if kind == "model" else ReferenceModel)(rng=seed, **ARMY, **dict(overrides))
        days = []
        for _ in range(DAYS):
            model.step()
            if kind == "model":
                s, certainty = model.soldier_table, model.unit_certainty
                since = model.day - s.deserted_day
                gone = (s.status == Status.DESERTED) & (since >= 1) & proc.pursued(model.params, since)
                at_large = np.bincount(s.unit[gone], minlength=certainty.size)
            else:
                certainty = np.array([unit.certainty for unit in model.units])
                at_large = np.array([sum(1 for s in model.soldiers if s.status == Status.DESERTED
                                         and s.unit is unit and 1 <= model.day - s.deserted_day
                                         <= model.p.pursuit_days) for unit in model.units])
            if (at_large >= 2).any() and (at_large <= 1).any():
                days.append(certainty[at_large >= 2].mean() / certainty[at_large <= 1].mean())
        ratios.append(np.mean(days) if days else 1.0)
    return np.array(ratios)


def test_both_lower_the_certainty_of_companies_whose_deserters_are_at_large_alike():
    model = certainty_where_deserters_are_at_large("model", LOCAL + PLAIN)
    assert model.mean() < 0.9
    same_rule = certainty_where_deserters_are_at_large("reference", LOCAL + PLAIN)
    assert gap_in_standard_errors(model, same_rule) < 3.5
    # a reference that kept the army's figure everywhere is told apart
    assert gap_in_standard_errors(model, certainty_where_deserters_are_at_large("reference", PLAIN)) > 3.5


@pytest.mark.parametrize("metric", ("desertion_rate", "caught_cumulative", "mean_motivation"))
def test_the_two_agree_when_each_company_sees_its_own_deserters(metric):
    gap = gap_in_standard_errors(outcomes("model", LOCAL)[metric], outcomes("reference", LOCAL)[metric])
    assert gap < 3.5, f"{metric}: means differ by {gap:.1f} standard errors"


@pytest.mark.parametrize("discount_factor", [1.0, 0.95, 0.74, 0.3])
def test_the_reference_weighs_sentences_as_the_model_does(discount_factor):
    """Revision 15's perceived severity, written twice (the model's integral, the reference's
    ratio in which it cancels): the same weight for every sentence."""
    from model.parameters import validate
    from model.reference import sentence_as_weighed

    for severity in (0.0, 0.2, 0.5, 0.8, 1.0):
        p = validate({"penalty_severity": severity, "discount_factor": discount_factor})
        assert sentence_as_weighed(p) == pytest.approx(proc.perceived_severity(p), abs=1e-12)
