"""Each mechanism moves desertion the way MODEL_BRIEF says, over several seeds (not one lucky seed).

Comparisons use the same seeds on both sides (common random numbers).
"""

from __future__ import annotations

import numpy as np
import pytest
from conftest import SEEDS, mean_over_seeds, run_model

from model.metrics import unit_table
from model.scenarios import resolve
from model.state import Service


def rate(**overrides) -> float:
    return mean_over_seeds("desertion_rate", **overrides)


def test_baseline_desertion_is_a_few_percent_with_wide_spread_across_units():
    """Fact 1: a few percent up to about 10% army-wide; some units 10-15%, others low."""
    rates = [run_model(s).metrics["desertion_rate"] for s in SEEDS]
    assert 0.02 <= np.mean(rates) <= 0.10, rates
    assert all(0.005 <= r <= 0.15 for r in rates), rates
    units = np.concatenate([unit_table(run_model(s))["desertion_rate"].to_numpy() for s in SEEDS])
    assert np.mean(units >= 0.10) >= 0.05  # some units reach 10% or more
    assert np.median(units) < 0.05  # while most stay low


def test_frontline_units_desert_far_more_than_rear_units():
    """Fact 2."""
    for s in SEEDS:
        m = run_model(s).metrics
        assert m["desertion_rate_frontline"] > 3 * m["desertion_rate_rear"], s


def test_more_fighting_means_more_fear_and_more_desertion():
    assert mean_over_seeds("mean_fear", combat_intensity=0.7) > mean_over_seeds(
        "mean_fear", combat_intensity=0.3
    )
    assert rate(combat_intensity=0.7) > 2 * rate(combat_intensity=0.3)


def test_supply_shortfall_breeds_grievance_and_desertion():
    assert mean_over_seeds("mean_grievance", supply_level=0.4) > mean_over_seeds(
        "mean_grievance", supply_level=0.95
    )
    assert rate(supply_level=0.4) > 1.5 * rate(supply_level=0.95)


def test_medical_care_softens_fear_and_desertion():
    assert mean_over_seeds("mean_fear", medical_care=0.9) < mean_over_seeds(
        "mean_fear", medical_care=0.1
    )
    assert rate(medical_care=0.9) < rate(medical_care=0.1)


def test_competent_officers_lower_desertion():
    """Fact 9, first half."""
    assert rate(officer_competence=0.8) < 0.5 * rate(officer_competence=0.2)


def test_harsh_officers_trade_deterrence_for_grievance():
    """Fact 9, second half: harshness raises deterrence and grievance together."""
    for metric in ("mean_deterrence", "mean_grievance"):
        assert mean_over_seeds(metric, days=60, officer_harshness=0.8) > mean_over_seeds(
            metric, days=60, officer_harshness=0.2
        ), metric


def test_certainty_of_capture_deters_more_than_severity():
    """Fact 5: the same step up in certainty beats the step up in severity."""
    base = rate()
    assert rate(enforcement=0.8) < rate(penalty_severity=0.9) < base


def test_fixing_root_causes_beats_harsher_penalties():
    """Fact 5: the root_causes_reform preset beats the harsh_penalties preset."""
    reform = resolve("root_causes_reform").overrides
    penalties = resolve("harsh_penalties").overrides
    assert rate(**reform) < 0.5 * rate(**penalties)


def test_peer_influence_makes_large_cascades():
    """Fact 3: switching peer influence off removes most large cascades."""

    def large_cascades(**overrides) -> int:
        return sum(
            int((run_model(s, **overrides).cascades.table()["size"] >= 5).sum()) for s in SEEDS
        )

    with_peers, without = large_cascades(), large_cascades(peer_influence=0.0)
    assert with_peers >= 5
    assert without <= 0.5 * with_peers
    assert rate(peer_influence=0.0) < rate()


def test_conscripts_desert_more_than_contract_soldiers():
    """Fact 8 (McLauchlin 2015)."""
    deserted = {Service.CONSCRIPT: 0, Service.CONTRACT: 0}
    ever = dict(deserted)
    for s in SEEDS:
        soldiers = run_model(s).soldiers
        for kind in deserted:
            mine = soldiers.service == kind
            ever[kind] += int(mine.sum())
            deserted[kind] += int((mine & (soldiers.times_deserted > 0)).sum())
    conscript = deserted[Service.CONSCRIPT] / ever[Service.CONSCRIPT]
    contract = deserted[Service.CONTRACT] / ever[Service.CONTRACT]
    assert conscript > 1.5 * contract, (conscript, contract)
    assert rate(conscript_share=1.0) > rate(conscript_share=0.2)


def test_propaganda_lift_is_short_and_weakest_where_fear_is_high():
    """Fact 6."""
    model = run_model(0, days=90, propaganda=0.9)
    lift = model.timeseries()["mean_propaganda_lift"]
    assert lift[5] > 3 * lift[90] > 0
    early = run_model(0, days=10, propaganda=0.9)
    s, here = early.soldiers, early.present_mask()
    frightened = here & (s.fear > np.median(s.fear[here]))
    calm = here & ~frightened
    assert s.propaganda_lift[frightened].mean() < s.propaganda_lift[calm].mean()


def test_understrength_units_feel_the_strain_and_replacements_refill_them():
    """Stretched thin (R2) and reinforcement (B2)."""
    none = run_model(0, reinforcement_rate=0.0)
    some = run_model(0)
    assert none.metrics["present"] < some.metrics["present"]
    assert rate(reinforcement_rate=0.0) > rate()
    # where units run understrength (no replacements), the strain of overstretch drives desertion
    assert rate(reinforcement_rate=0.0, overstretch_stress=0.0) < 0.8 * rate(reinforcement_rate=0.0)


def test_deployment_dread_drives_desertion_of_newcomers_to_the_front():
    assert rate(deployment_dread=0.4) > rate(deployment_dread=0.0)


def test_rotation_to_the_rear_relieves_the_front():
    """B3."""
    assert rate(rotation_days=45) < rate()


@pytest.mark.parametrize("name", ["baseline", "harsh_penalties", "improved_conditions",
                                  "propaganda_campaign", "competent_officers",
                                  "root_causes_reform", "meat_grinder"])
def test_every_preset_runs(name):
    scenario = resolve(name)
    model = run_model(0, days=30, **scenario.overrides)
    assert model.metrics["day"] == 30


def test_meat_grinder_is_worse_than_baseline():
    assert rate(**resolve("meat_grinder").overrides) > 2 * rate()
