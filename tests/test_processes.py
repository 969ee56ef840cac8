"""Each rule of model/processes.py does what its docstring claims, on a handful of soldiers.

Fast (no model, no runs): plain numpy arrays and numbers in, a direction or a value out.
The per-soldier rules (``@soldier_rule``) are numba-compiled functions called here from
Python for one soldier, with ``p = kernel_parameters(params)[0]``; the army- and
unit-level processes take the ``Parameters`` themselves. How the rules add up to the
mechanisms of MODEL_BRIEF over whole runs is tests/test_mechanisms.py.
"""

from __future__ import annotations

import numpy as np
import pytest

from model import processes as proc
from model.parameters import Parameters, validate
from model.state import Posture
from model.ties import Ties

FRONT, SECOND, RESERVE = Posture.FRONTLINE, Posture.SECOND_LINE, Posture.RESERVE


def params(**overrides) -> Parameters:
    """The default parameters with ``overrides`` (validated, as a lever change would be)."""
    return validate({**Parameters().model_dump(), **overrides})


def rules(**overrides):
    """What a compiled rule reads as ``p``: the parameters as one record."""
    return proc.kernel_parameters(params(**overrides))[0]


# --------------------------------------------------------------------------- #
# Fear, grievance, motivation, propaganda (per soldier)
# --------------------------------------------------------------------------- #


def fear(p=None, *, fear=0.2, unit_hit_share=0.0, ties_hit=0.0, at_front=False, combat_days=0,
         stretch=0.0, competence=0.5, medical=0.0):
    return proc.fear_after_combat(p if p is not None else rules(), fear, unit_hit_share, ties_hit,
                                  at_front, combat_days, stretch, competence, medical)


def test_fear_rises_after_a_casualty_among_ties_and_more_for_each():
    calm, one, two = fear(ties_hit=0.0), fear(ties_hit=1.0), fear(ties_hit=2.0)
    assert calm < one < two
    assert two - one == pytest.approx(rules().friend_fear_per_casualty)  # no medical care


def test_fear_rises_with_the_share_of_the_unit_hit_and_medical_care_softens_the_shock():
    assert fear(unit_hit_share=0.05) > fear(unit_hit_share=0.0)
    assert fear(ties_hit=1.0, medical=1.0) < fear(ties_hit=1.0, medical=0.0)


def test_constant_combat_wears_soldiers_down_the_longer_it_lasts():
    rear = fear(at_front=False, combat_days=0)
    assert fear(at_front=True, combat_days=10) > rear
    assert fear(at_front=True, combat_days=100) > fear(at_front=True, combat_days=10)


def test_fear_fades_faster_under_competent_officers_and_rises_with_overstretch():
    calm_on = rules(officer_calm=1.0)  # 0 by default since revision 12: set it to see the rule
    assert fear(calm_on, fear=0.6, competence=1.0) < fear(calm_on, fear=0.6, competence=0.0) < 0.6
    assert fear(stretch=1.0) > fear(stretch=0.0)


def test_officer_calm_sets_how_much_competence_speeds_the_fading_of_fear():
    calm_off = rules(officer_calm=0.0)
    assert fear(calm_off, fear=0.6, competence=1.0) == fear(calm_off, fear=0.6, competence=0.0) < 0.6
    assert fear(calm_off, fear=0.6) == pytest.approx(0.6 * (1 - rules().fear_recovery))
    # at 1, the rule of revisions 1-11: fear_recovery x (0.5 + competence)
    calm_on = rules(officer_calm=1.0)
    assert fear(calm_on, fear=0.6, competence=0.9) == pytest.approx(
        0.6 * (1 - rules().fear_recovery * 1.4))


def test_fear_stays_within_0_and_1():
    assert fear(fear=0.99, ties_hit=50.0, unit_hit_share=1.0) == 1.0
    assert fear(fear=0.0) == 0.0


def grievance(p=None, *, grievance=0.2, supply=1.0, harshness=0.0, stretch=0.0, backlash=0.0):
    return proc.grievance_after_conditions(p if p is not None else rules(), grievance, supply,
                                           harshness, stretch, backlash)


def test_grievance_rises_with_worse_supply():
    assert grievance(supply=0.3) > grievance(supply=0.7) > grievance(supply=1.0)
    assert grievance(supply=0.0) - grievance(supply=1.0) == pytest.approx(
        rules().grievance_per_shortfall
    )


def test_grievance_rises_under_harsh_officers_with_overstretch_and_backlash_and_fades_otherwise():
    assert grievance(harshness=1.0) > grievance(harshness=0.0)
    assert grievance(stretch=1.0) > grievance(stretch=0.0)
    assert grievance(backlash=0.01) == pytest.approx(grievance() + 0.01)
    assert grievance(grievance=0.5) < 0.5  # full supply, mild officers: resentment fades


def motivation(p=None, *, motivation=0.5, commitment=0.5, competence=0.5, led=True, signal=0.0,
               grievance=0.0):
    return proc.motivation_after_day(p if p is not None else rules(), motivation, commitment,
                                     competence, led, signal, grievance)


def test_competent_officers_lift_motivation_incompetent_ones_and_none_at_all_erode_it():
    assert motivation(competence=0.9) > 0.5 > motivation(competence=0.1)
    assert motivation(led=False) == pytest.approx(motivation(competence=0.0))  # as bad as the worst
    assert motivation(competence=0.5) == pytest.approx(0.5)


def test_leadership_pulls_motivation_towards_a_bounded_target_around_commitment():
    p = rules(leadership_span=0.3, leadership_days=30.0)
    assert proc.leadership_target(p, 0.4, 1.0, True) == pytest.approx(0.55)
    assert proc.leadership_target(p, 0.4, 0.0, True) == pytest.approx(0.25)
    assert proc.leadership_target(p, 0.4, 0.9, False) == pytest.approx(0.25)  # unled: span / 2 down
    assert proc.leadership_target(p, 0.95, 1.0, True) == 1.0  # within 0..1
    # a first-order pull: 1/30 of the gap a day, and none once at the target
    assert motivation(p, motivation=0.4, commitment=0.4, competence=1.0) == pytest.approx(0.4 + 0.15 / 30)
    assert motivation(p, motivation=0.55, commitment=0.4, competence=1.0) == pytest.approx(0.55)
    # bounded: however long a competent officer leads, motivation settles at the target
    m = 0.4
    for _ in range(2000):
        m = motivation(p, motivation=m, commitment=0.4, competence=1.0)
    assert m == pytest.approx(0.55, abs=1e-4)


def test_comrades_leaving_and_grievance_erode_motivation():
    assert motivation(signal=0.5) < motivation(signal=0.0)
    assert motivation(grievance=0.8) < motivation(grievance=0.0)


def test_habituation_follows_the_campaign_with_a_delay():
    p = params(propaganda=0.8, propaganda_habituation_days=20.0)
    assert proc.propaganda_habituation(p, 0.0) == pytest.approx(0.8 / 20.0)
    assert proc.propaganda_habituation(p, 0.8) == pytest.approx(0.8)


def test_propaganda_lifts_most_when_fresh_and_least_where_fear_and_grievance_are_high():
    p = rules(propaganda=0.8)
    fresh = proc.propaganda_lift(p, 0.0, 0.3, 0.1, 0.1)
    habituated = proc.propaganda_lift(p, 0.8, 0.3, 0.1, 0.1)
    assert fresh > habituated > 0.0  # the residual never fades
    assert proc.propaganda_lift(p, 0.0, 0.3, 0.8, 0.1) < fresh
    assert proc.propaganda_lift(p, 0.0, 0.3, 0.1, 0.8) < fresh
    assert proc.propaganda_lift(rules(propaganda=0.0), 0.0, 0.3, 0.1, 0.1) == 0.0


# --------------------------------------------------------------------------- #
# Peers
# --------------------------------------------------------------------------- #


def test_peer_signal_tips_when_the_share_of_ties_gone_passes_the_personal_threshold():
    p = rules(peer_width=0.04)
    below, at, above = (proc.peer_signal(p, gone, 10, 0.25) for gone in (1.0, 2.5, 4.0))
    assert below == 0.0 and at == pytest.approx(0.5) and above == 1.0  # a step, smoothed
    near = proc.peer_signal(p, 2.2, 10, 0.25)  # just below his threshold: the step has begun
    assert proc.peer_signal(p, 0.0, 10, 0.25) == 0.0 and 0.0 < near < at
    assert proc.peer_signal(p, 0.0, 10, 0.02) == 0.0  # none gone: nothing to respond to, whoever he is
    # a lower threshold tips earlier; the share is over his ties
    assert proc.peer_signal(p, 2.0, 10, 0.1) > proc.peer_signal(p, 2.0, 10, 0.3)
    assert proc.peer_signal(p, 2.0, 20, 0.15) < proc.peer_signal(p, 2.0, 10, 0.15)
    # a wider response is less of a step
    assert proc.peer_signal(rules(peer_width=0.2), 1.0, 10, 0.25) > below


def test_ties_gone_accumulate_since_joining():
    gone = 0.0
    for yesterday in (1.0, 0.0, 2.0):
        gone = proc.ties_gone_after_day(gone, yesterday)
    assert gone == 3.0  # nothing fades: participation so far (Granovetter 1978)


def test_a_deserter_brought_back_no_longer_counts_as_gone():
    assert proc.ties_gone_after_day(3.0, 1.0 - 2.0) == 2.0  # one more gone, two brought back
    # a newcomer sees the capture of a man who left before he came: never below none
    assert proc.ties_gone_after_day(0.0, -1.0) == 0.0


def test_sums_over_ties_count_squad_mates_and_cross_ties_but_not_oneself():
    squad = np.array([0, 0, 0, 1, 1])
    ties = Ties(5)
    ties.add(np.array([0]), np.array([3]), 5)  # soldier 0 is also tied to soldier 3 of squad 1
    rows, values = np.array([0]), np.array([1.0])  # soldier 0 was hit
    per_squad, cross = proc.tie_sums(rows, values, squad, ties, 2, 5)
    totals = [proc.ties_total(per_squad[squad[i]], float(i == 0), cross[i]) for i in range(5)]
    assert totals == [0.0, 1.0, 1.0, 1.0, 0.0]
    assert proc.n_ties(10, 2) == 11


# --------------------------------------------------------------------------- #
# The unit's memory: cohesion and the desertion norm
# --------------------------------------------------------------------------- #


def test_cohesion_grows_towards_1_over_weeks_and_losses_cut_it():
    p = params(cohesion_days=60.0, cohesion_loss=1.0)
    calm = proc.cohesion_after_day(p, np.array([0.4]), np.zeros(1), np.array([100.0]))
    assert calm[0] == pytest.approx(0.4 + 0.6 / 60)
    lost = proc.cohesion_after_day(p, np.array([0.4, 0.4]), np.array([5.0, 20.0]), np.array([100.0, 100.0]))
    assert calm[0] > lost[0] > lost[1]  # more losses, lower cohesion
    assert lost[0] == pytest.approx(0.4 + 0.6 / 60 - 0.05)
    assert proc.cohesion_after_day(p, np.array([0.1]), np.array([50.0]), np.array([100.0]))[0] == 0.0
    assert proc.cohesion_after_day(p, np.array([1.0]), np.zeros(1), np.array([100.0]))[0] == 1.0


def test_newcomers_dilute_cohesion():
    after = proc.cohesion_after_reinforcement(
        np.array([0.8, 0.8, 0.8]), np.array([80.0, 50.0, 0.0]), np.array([20.0, 50.0, 0.0])
    )
    np.testing.assert_allclose(after, [0.64, 0.4, 0.8])  # an empty unit with no newcomers keeps it


def test_desertion_norm_rises_with_desertions_and_fades():
    p = params(norm_memory_days=60.0)
    none_back = np.zeros(3)
    norm = proc.desertion_norm_after_day(p, np.array([0.0, 0.0, 0.1]), np.array([5.0, 10.0, 0.0]),
                                         none_back, np.array([100, 100, 100]))
    assert norm[1] > norm[0] > 0.0
    assert norm[0] == pytest.approx(0.05)
    assert norm[2] == pytest.approx(0.1 * np.exp(-1 / 60))


def test_a_deserter_caught_takes_back_what_he_still_weighs_in_the_norm():
    p = params(norm_memory_days=60.0)
    # one deserter, 30 days gone, in a unit of 100: his desertion has faded to exp(-30/60)
    weight = proc.captured_norm_weight(p, np.array([30.0]))
    np.testing.assert_allclose(weight, [np.exp(-0.5)])
    norm_before = 0.01 * np.exp(-30 / 60) * np.exp(1 / 60)  # yesterday's norm with him alone in it
    after = proc.desertion_norm_after_day(p, np.array([norm_before]), np.zeros(1), weight,
                                          np.array([100]))
    assert after[0] == pytest.approx(0.0, abs=1e-12)  # the norm is as if he never left
    # never below 0 (a capture larger than what is left)
    assert proc.desertion_norm_after_day(p, np.zeros(1), np.zeros(1), np.ones(1), np.array([100]))[0] == 0.0


def test_close_calls_and_bad_news_are_personal_events():
    p = params(close_call_rate=0.01, combat_intensity=0.5, close_call_fear=0.3)
    assert proc.close_call_chance(p) == pytest.approx(0.005)  # more fighting, more close calls
    assert proc.close_call_chance(params(combat_intensity=0.0)) == 0.0
    np.testing.assert_allclose(proc.fear_after_close_call(p, np.array([0.1, 0.9])), [0.4, 1.0])
    np.testing.assert_allclose(proc.worry_after_home_news(np.array([0.0, 0.4])), [1.0, 1.0])
    rng = np.random.default_rng(0)
    candidates = np.arange(100_000) * 3  # rows, not positions
    rows = proc.personal_events(0.02, candidates, rng)
    assert np.isin(rows, candidates).all() and np.unique(rows).size == rows.size
    assert 1_800 < rows.size < 2_200  # about one in fifty
    assert proc.personal_events(0.0, candidates, rng).size == 0
    assert proc.personal_events(0.5, candidates[:0], rng).size == 0


def test_worry_for_home_pulls_by_its_weight_and_fades_over_its_days():
    p = rules(weight_home=0.5, home_worry_days=30.0)
    assert push(p, home_worry=1.0) - push(p) == pytest.approx(0.5)  # fresh news: the whole weight
    worry = 1.0
    for _ in range(30):
        worry = proc.home_worry_after_day(p, worry)
    assert worry == pytest.approx((1 - 1 / 30) ** 30)  # about 1/e after home_worry_days
    assert proc.home_worry_after_day(p, 0.0) == 0.0  # no news, nothing to fade


# --------------------------------------------------------------------------- #
# The decision
# --------------------------------------------------------------------------- #


def push(p, *, fear=0.2, grievance=0.2, motivation=0.5, lift=0.0, signal=0.0, deploying=False,
         norm=0.0, cohesion=0.0, home_worry=0.0):
    return proc.total_push(
        proc.push_terms(p, fear, grievance, motivation, lift, signal, deploying, norm, cohesion,
                        home_worry)
    )


def test_push_rises_with_fear_grievance_peers_and_deployment_and_falls_with_motivation():
    p = rules()
    base = push(p)
    assert push(p, fear=0.8) > base
    assert push(p, grievance=0.8) > base
    assert push(p, signal=0.5) > base
    assert push(p, deploying=True) - base == pytest.approx(p.deployment_dread * p.combat_intensity)
    assert push(p, motivation=0.9) < base
    assert push(p, lift=0.2) < base  # propaganda acts through motivation
    terms = proc.push_terms(p, 0.2, 0.2, 0.5, 0.0, 0.0, False, 0.1, 0.5, 0.3)
    assert len(terms) == len(proc.PUSH_TERMS) and proc.total_push(terms) == pytest.approx(sum(terms))


def test_the_units_norm_pushes_saturating_and_its_cohesion_holds():
    p = rules(peer_influence=0.5, norm_weight=0.2, norm_half=0.2, cohesion_weight=0.15)
    base = push(p)
    assert push(p, norm=0.2) - base == pytest.approx(0.05)  # half the weight at norm_half
    assert push(p, norm=0.1) > base
    assert push(p, norm=10.0) - base < 0.1  # saturates below norm_weight
    assert (push(p, norm=0.4) - push(p, norm=0.2)) < (push(p, norm=0.2) - base)  # diminishing
    assert push(p, cohesion=1.0) - base == pytest.approx(-0.15)
    assert push(p, cohesion=0.8) < push(p, cohesion=0.2)


def test_peer_influence_off_silences_the_units_norm_as_well_as_the_ties_not_cohesion():
    # Brief section 2: desertions among a soldier's ties *and unit* push him; cohesion is bonds.
    off = rules(peer_influence=0.0, norm_weight=0.2, cohesion_weight=0.15)
    assert push(off, norm=0.5, signal=1.0) == pytest.approx(push(off))
    assert push(off, cohesion=1.0) - push(off) == pytest.approx(-0.15)
    full = rules(peer_influence=1.0, norm_weight=0.2, norm_half=0.2)
    assert push(full, norm=0.2) - push(full) == pytest.approx(0.1)


def test_newcomers_to_the_front_are_deploying_for_dread_days_only():
    p = rules(dread_days=5)
    assert proc.is_deploying(p, True, 0) and proc.is_deploying(p, True, 5)
    assert not proc.is_deploying(p, True, 6)
    assert not proc.is_deploying(p, False, 0)


def test_a_company_with_its_own_deserters_at_large_believes_less_in_capture():
    """Epstein's local estimate: one at large changes nothing, more lower the belief as his
    ratio falls (c = 0.8: x0.72 with 2, x0.37 with 5); 0 keeps the army's figure."""
    police, at_large = np.full(6, 0.8), np.array([0, 1, 2, 3, 5, 20])
    local = proc.local_arrest_factor(params(local_arrest_estimate=1.0), police, at_large)
    assert local[0] == local[1] == pytest.approx(1.0)
    assert local[2] == pytest.approx(0.72, abs=0.01) and local[4] == pytest.approx(0.37, abs=0.01)
    assert np.all(np.diff(local[1:]) < 0)
    half = proc.local_arrest_factor(params(local_arrest_estimate=0.5), police, at_large)
    assert half == pytest.approx(1 - 0.5 * (1 - local))
    assert np.all(proc.local_arrest_factor(params(), police, at_large) == 1.0)
    assert proc.local_arrest_factor(params(local_arrest_estimate=1.0), np.zeros(1), np.ones(1))[0] == 1.0


def test_deterrence_rises_with_belief_certainty_severity_and_risk_aversion():
    harsh, p0 = np.array([0.5]), params()
    assert proc.perceived_certainty(p0, 0.6, harsh, np.zeros(1)) > proc.perceived_certainty(
        p0, 0.2, harsh, np.zeros(1)
    )
    assert proc.perceived_certainty(p0, 0.2, harsh, np.ones(1)) > proc.perceived_certainty(
        p0, 0.2, harsh, np.zeros(1)
    )
    assert proc.perceived_certainty(p0, 0.2, np.ones(1), np.zeros(1)) > proc.perceived_certainty(
        p0, 0.2, np.zeros(1), np.zeros(1)
    )
    assert proc.perceived_certainty(p0, 0.9, np.ones(1), np.ones(1))[0] == 1.0
    p = rules()
    assert proc.deterrence(p, 0.8, 0.5, 0.5) > proc.deterrence(p, 0.2, 0.5, 0.5)
    assert proc.deterrence(p, 0.5, 0.5, 0.9) > proc.deterrence(p, 0.5, 0.5, 0.1)
    assert proc.deterrence(p, 0.5, 0.5, 0.5) == pytest.approx(p.deterrence_weight * 0.125)


def test_perceived_severity_is_the_lever_itself_when_nothing_is_discounted():
    for severity in (0.0, 0.3, 0.4, 0.8, 1.0):
        undiscounted = params(penalty_severity=severity, discount_factor=1.0)
        assert proc.perceived_severity(undiscounted) == severity  # exactly


def test_discounted_sentences_weigh_their_first_years_most():
    """Revision 15: offenders discount later years (0.74 a year, Mastrobuoni and Rivers 2016)."""
    weigh = {s: proc.perceived_severity(params(penalty_severity=s, discount_factor=0.74))
             for s in (0.0, 0.2, 0.5, 0.8, 1.0)}
    assert weigh[0.5] == pytest.approx(0.5)  # Epstein's scale kept at the default sentence
    assert weigh[0.0] == 0.0
    assert weigh[0.2] == pytest.approx(0.291, abs=1e-3)  # worked out in docs/validation_plan.md
    assert weigh[0.8] == pytest.approx(0.585, abs=1e-3)
    assert weigh[1.0] == pytest.approx(0.611, abs=1e-3)  # ten years weigh little more than five
    # the more impatient, the less the sentence's tail adds
    patient = proc.perceived_severity(params(penalty_severity=1.0, discount_factor=0.95))
    assert weigh[1.0] < patient < 1.0
    assert proc.discounted_years(10, 1.0) == 10
    # each year weighed at its middle: the integral, to within the years' curvature
    midyears = sum(0.74 ** (t + 0.5) for t in range(10))
    assert proc.discounted_years(10, 0.74) == pytest.approx(midyears, rel=0.01)


def test_decide_to_desert_is_more_likely_with_higher_fear():
    p, threshold, deter = rules(daily_noise=0.3), 0.4, 0.05  # a moody army: some of each desert
    noise = np.random.default_rng(0).standard_normal(200)
    afraid, calm = (
        [proc.decide_to_desert(push(p, fear=f), deter, threshold, proc.mood_noise(p, z)) for z in noise]
        for f in (0.9, 0.1)
    )
    assert sum(calm) > 0 and sum(afraid) < noise.size  # neither side saturated
    assert sum(afraid) > sum(calm)
    assert all(a or not c for a, c in zip(afraid, calm, strict=True))  # same mood: fear only adds


def test_decision_compares_push_minus_deterrence_plus_mood_with_the_threshold():
    assert proc.decide_to_desert(0.7, 0.1, 0.5, 0.0)
    assert not proc.decide_to_desert(0.7, 0.3, 0.5, 0.0)
    assert proc.decide_to_desert(0.7, 0.3, 0.5, 0.2)
    assert proc.mood_noise(rules(daily_noise=0.04), 2.0) == pytest.approx(0.08)


# --------------------------------------------------------------------------- #
# Enforcement and punishment
# --------------------------------------------------------------------------- #


def test_deserters_are_pursued_only_within_the_pursuit_window_and_caught_with_the_chance():
    p = params(pursuit_days=30)
    assert proc.pursued(p, np.array([1, 30, 31])).tolist() == [True, True, False]
    assert proc.capture(0.1, np.array([0.05, 0.5])).tolist() == [True, False]
    assert not proc.capture(0.0, np.array([0.0, 0.5])).any()


def test_police_are_police_per_100_of_authorised_strength_whatever_the_effort():
    assert proc.police_strength(params(enforcement=0.5, police_per_100=2.0), 2000) == pytest.approx(40.0)
    assert proc.police_strength(params(enforcement=0.0, police_per_100=2.0), 2000) == pytest.approx(40.0)
    assert proc.police_strength(params(police_per_100=0.0), 2000) == 0.0


def test_capture_chance_saturates_as_deserters_at_large_outnumber_the_police():
    p = params(capture_k=2.3, max_capture_rate=0.1, enforcement=0.5)
    few, many, flood = (proc.arrest_probability(p, 10.0, n) for n in (2, 20, 200))
    assert few > many > flood > 0.0
    assert many == pytest.approx(1 - np.exp(-2.3 * 0.5))  # Epstein's rule, k = 2.3
    assert proc.arrest_probability(p, 10.0, 0) == proc.arrest_probability(p, 10.0, 1)  # max(., 1)
    assert proc.arrest_probability(p, 0.0, 5) == 0.0
    assert proc.capture_chance(p, many) == pytest.approx(0.5 * 0.1 * many)  # effort x rate x arrest
    assert proc.capture_chance(params(enforcement=0.0), 1.0) == 0.0  # nobody looks for deserters


def test_more_enforcement_raises_the_chance_of_being_caught_even_with_police_to_spare():
    low, high = params(enforcement=0.4), params(enforcement=0.7)
    assert proc.capture_chance(high, 1.0) > proc.capture_chance(low, 1.0)
    caught_low = proc.caught_before_escape(low, proc.capture_chance(low, 1.0))
    caught_high = proc.caught_before_escape(high, proc.capture_chance(high, 1.0))
    assert 0.0 < caught_low < caught_high < 1.0


def test_the_chance_of_being_caught_compounds_the_daily_chance_over_the_pursuit():
    p = params(pursuit_days=30)
    assert proc.caught_before_escape(p, 0.0) == 0.0
    assert proc.caught_before_escape(p, 1.0) == 1.0
    assert proc.caught_before_escape(p, 0.1) == pytest.approx(1 - 0.9**30)
    # the default: half of the deserters caught at the default enforcement (source of max_capture_rate)
    d = params()
    assert proc.caught_before_escape(d, proc.capture_chance(d, 1.0)) == pytest.approx(0.5, abs=0.01)


def test_soldiers_belief_follows_the_chance_of_being_caught_with_a_delay():
    p = params(certainty_days=14.0)
    assert proc.certainty_belief(p, 0.9, 0.2) == pytest.approx(0.9 - 0.7 / 14)
    assert proc.certainty_belief(p, 0.3, 0.3) == pytest.approx(0.3)


def test_the_prison_share_jails_the_caught_not_the_severity():
    draws = np.linspace(0.0, 0.99, 100)
    assert proc.imprisoned(params(prison_share=0.6), draws).sum() == 60
    assert proc.imprisoned(params(prison_share=0.25), draws).sum() == 25
    assert proc.imprisoned(params(prison_share=0.25, penalty_severity=1.0), draws).sum() == 25


def test_returned_deserters_gain_grievance():
    p = params(returned_grievance=0.2)
    after = proc.grievance_on_return(p, np.array([0.1, 0.9], dtype=np.float32))
    np.testing.assert_allclose(after, [0.3, 1.0], rtol=1e-6)
    assert after.dtype == np.float32  # stays a soldier column's type


def test_punishment_salience_rises_per_punishment_per_100_soldiers_and_decays():
    raised = proc.salience_after_punishments(np.zeros(2), np.array([2.0, 0.0]), np.array([100, 50]))
    np.testing.assert_allclose(raised, [2.0, 0.0])
    faded = proc.fade_salience(params(salience_days=10.0), raised)
    np.testing.assert_allclose(faded, [2.0 * np.exp(-0.1), 0.0])
    assert proc.fade_salience(params(salience_days=10.0), faded)[0] < faded[0]


def test_punishment_angers_only_under_harsh_officers():
    p = params()
    backlash = proc.punishment_backlash(p, np.array([1.0, 1.0, 0.0]), np.array([0.0, 0.8, 0.8]))
    assert backlash[0] == 0.0 and backlash[2] == 0.0 and backlash[1] > 0.0


# --------------------------------------------------------------------------- #
# Combat, wounds, leadership, logistics
# --------------------------------------------------------------------------- #


def test_without_engagements_every_squad_takes_the_units_usual_hazard_and_nothing_is_drawn():
    rng = np.random.default_rng(0)
    squad_unit = np.repeat(np.arange(4), 10)
    p = params(engagement_share=0.0, n_units=4)
    unit_factor, squad_factor = proc.todays_engagements(p, rng, squad_unit)
    assert (unit_factor == 1).all() and (squad_factor == 1).all()
    assert rng.random() == np.random.default_rng(0).random()  # the stream is untouched


def test_engagements_keep_the_mean_hazard_but_put_it_on_few_days_and_squads():
    n_units, per_unit = 20_000, 10
    p = params(engagement_share=0.8, engagement_days=10, contact_share=0.3, engagement_spread=1.5,
               n_units=n_units)
    squad_unit = np.repeat(np.arange(n_units), per_unit)
    unit_factor, squad_factor = proc.todays_engagements(p, np.random.default_rng(1), squad_unit)
    assert unit_factor.mean() == pytest.approx(1.0, rel=0.1)
    assert squad_factor.mean() == pytest.approx(1.0, rel=0.1)
    quiet = np.isclose(squad_factor, 0.2)  # only the steady fifth: not engaged or not in contact
    assert quiet.mean() > 0.9
    assert squad_factor.max() > 50  # a bad action: many times a quiet day
    # a squad in contact belongs to an engaged unit, squads numbered unit by unit
    engaged_units = unit_factor > 0.2 + 1e-9
    hot_units = np.unique(np.flatnonzero(squad_factor > 0.2 + 1e-9) // per_unit)
    assert engaged_units[hot_units].all()


def test_the_front_is_most_dangerous_and_competent_officers_and_full_strength_protect():
    p = params()
    posture = np.array([FRONT, SECOND, RESERVE, FRONT, FRONT])
    stretch = np.array([0.0, 0.0, 0.0, 1.0, 0.0])
    competence = np.array([0.5, 0.5, 0.5, 0.5, 1.0])
    h = proc.casualty_hazard(p, posture, stretch, competence)
    assert h[0] > h[1] > h[2] == 0.0
    assert h[3] == pytest.approx(2 * h[0])
    assert h[4] < h[0]


def test_medical_care_saves_lives_and_shortens_wounds():
    p = params(killed_share=0.4, recovery_days=30.0)
    assert proc.killed_share(p, 1.0) == pytest.approx(0.2) and proc.killed_share(p, 0.0) == pytest.approx(0.4)
    without = proc.wound_days(p, 0.0, np.random.default_rng(1), 500)
    with_care = proc.wound_days(p, 1.0, np.random.default_rng(1), 500)
    np.testing.assert_allclose(with_care, 0.5 * without)  # same draws, half the mean
    assert 25 < without.mean() < 35


def test_the_wounded_heal_one_day_at_a_time():
    left, healed = proc.heal_one_day(np.array([3.0, 1.0, 0.4]))
    np.testing.assert_allclose(left, [2.0, 0.0, -0.6])
    assert healed.tolist() == [False, True, True]


def test_officers_die_more_often_than_their_soldiers():
    p = params(officer_risk=1.5)
    hazard = np.array([0.01, 0.0])
    chance = proc.officer_killed_chance(p, hazard, 0.0)
    assert chance[0] == pytest.approx(0.01 * 1.5 * p.killed_share) and chance[1] == 0.0


def test_share_of_the_unit_hit_and_days_in_combat():
    np.testing.assert_allclose(
        proc.unit_hit_share(np.array([0, 0, 1]), np.array([10.0, 50.0, 0.0]), 3), [0.2, 0.02, 0.0]
    )
    assert proc.combat_days_after_day(True, 7) == 8
    assert proc.combat_days_after_day(False, 7) == 0


def test_understrength_units_are_overstretched():
    stretch = proc.overstretch(np.array([100.0, 50.0, 10.0, 0.0]), np.array([100, 100, 100, 100]))
    np.testing.assert_allclose(stretch, [0.0, 1.0, 2.0, 2.0])


def test_a_unit_without_officers_is_unled():
    p = params(officer_competence=0.7, officer_harshness=0.3)
    competence, harshness, led = proc.unit_leadership(
        p, np.array([0, 1]), np.array([True, False]), np.zeros(2), np.zeros(2), 2
    )
    np.testing.assert_allclose(competence, [0.7, 0.0])
    np.testing.assert_allclose(harshness, [0.3, 0.0])
    assert led.tolist() == [True, False]


def test_absences_and_the_front_cut_supply_which_arrives_with_a_delay():
    p = params(supply_level=0.8, logistics_strain=1.0, frontline_supply_loss=0.25, supply_delay_days=10.0)
    assert proc.absent_share(np.array([40.0, 50.0]), np.array([50, 50])) == pytest.approx(0.1)
    target = proc.supply_reaching_units(p, 0.1, np.array([FRONT, RESERVE]))
    np.testing.assert_allclose(target, [0.8 * 0.9 * 0.75, 0.8 * 0.9])
    supply = proc.supply_after_delivery(p, np.array([1.0, 1.0]), np.array([0.0, 2.0]))
    np.testing.assert_allclose(supply, [0.9, 1.0])  # a tenth of the way, within 0..1
    medical = proc.medical_care_reaching(params(medical_care=1.0, supply_delay_days=10.0), 0.0)
    assert medical == pytest.approx(0.1)


# --------------------------------------------------------------------------- #
# Replacements and rotation
# --------------------------------------------------------------------------- #


def test_vacancies_are_filled_at_the_reinforcement_rate():
    vacancies = proc.vacancies(np.array([10, 10, 10]), np.array([10, 4, 12]))
    assert vacancies.tolist() == [0, 6, 0]
    rng = np.random.default_rng(0)
    assert proc.replacements(params(reinforcement_rate=0.0), np.full(50, 6), rng).sum() == 0
    assert (proc.replacements(params(reinforcement_rate=1.0), np.full(50, 6), rng) == 6).all()


def test_rotation_relieves_the_longest_serving_front_by_the_longest_rested_rear():
    posture = np.array([FRONT, FRONT, RESERVE, SECOND])
    days = np.array([40, 10, 5, 30])
    relieved, relieving = proc.rotation_orders(params(rotation_days=30), posture, days)
    assert relieved.tolist() == [0] and relieving.tolist() == [3]
    relieved, _ = proc.rotation_orders(params(rotation_days=0), posture, days)
    assert relieved.size == 0
