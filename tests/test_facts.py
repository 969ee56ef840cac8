"""The stylized facts of MODEL_BRIEF section 5 and Granovetter (1978), through ``experiments.facts``.

This file is the one place the facts are asserted (``tests/test_mechanisms.py`` keeps the
mechanisms that are not facts). The experiments and criteria are those of ``morale facts``;
to keep time down they run over fewer seeds than its 10 (``FACT_SEEDS``), sharing the
conftest cache of model runs. Since the revision of issue 12 (cohesion, norm, tipping peers,
saturating enforcement) facts 4 and 7 hold on the means of these seeds, and facts 1, 3 and 5
do not (nor the Union army's band): their tests assert what the revised model does instead,
pending the facts' re-specification (docs/validation_plan.md), so that they fail, and the
document must be revised, the day the model changes.

Over 4 seeds the 95% intervals are wide, so these tests check each criterion's bounds on the
means over seeds (``Verdict.holds_on_means``); the verdicts with intervals over 10 seeds are
``morale facts``'s, recorded in docs/validation.md.
"""

from __future__ import annotations

import numpy as np
import pytest
from conftest import SEEDS, run_model

from experiments import facts
from experiments import granovetter as g
from experiments.runs import fresh_run
from model.scenarios import resolve

FACT_SEEDS = SEEDS[:4]
TIPPING_SEEDS = SEEDS[:3]


def result(number: str, seeds=FACT_SEEDS) -> facts.FactResult:
    per_seed = [facts.measure(number, s, run=run_model) for s in seeds]
    return facts.judge(facts.FACTS[number], seeds, per_seed)


@pytest.mark.parametrize("number", ["2", "4", "6", "7", "8", "9"])
def test_fact_holds(number):
    r = result(number)
    assert r.verdict.holds_on_means, f"fact {number}: {r.verdict.figure} ({r.verdict.criterion})"


def test_fact_1_the_army_rate_is_too_wide_for_its_band_on_these_seeds():
    """Pending the facts re-specification: the revised model is bimodal per seed (most seeds a
    few percent, some with collapsed companies), so over seeds 0-3 the army-wide mean lies just
    above 10% (10.4%; design seeds 100-109: 5.4%) while the spread across units holds."""
    r = result("1")
    assert not r.verdict.holds_on_means
    assert r.verdict.details["rate"].mean > 0.10
    assert r.verdict.details["units_over_10"].mean >= 0.05


def test_fact_3_peers_off_removes_few_large_cascades():
    """Pending the facts re-specification: with the tipping peer response, switching
    ``peer_influence`` off removes only about a fifth of the cascades of 5+ on seeds 0-3 (the
    unit's norm and cohesion still carry them), not half."""
    r = result("3")
    assert not r.verdict.holds_on_means
    assert r.verdict.details["removed"].mean > 0  # fewer large cascades without peers...
    assert r.verdict.details["share_kept"] > 0.5  # ...but most remain
    assert r.verdict.details["tail_ratio"] >= 10  # the tail is still heavy


def test_fact_5_severity_now_moves_desertion_more_than_certainty():
    """Pending the facts re-specification: without ``severity_exponent`` deterrence is symmetric
    in certainty and severity, and the police saturate, so the same 0.3 step in
    ``penalty_severity`` moves desertion more than one in ``enforcement``, up and down."""
    r = result("5")
    effect = {arm: e.mean for arm, e in r.verdict.details["effects"].items()}
    assert not r.verdict.holds_on_means
    assert effect["severity_up"] > effect["certainty_up"]
    assert effect["severity_down"] > effect["certainty_down"] > 0


def test_tipping_criterion_tells_a_jump_from_a_slope():
    values = np.array(facts.TIPPING_VALUES)
    rng = np.random.default_rng(0)
    jump = [{"share": list((values >= 0.6) * 0.8 + rng.normal(0, 0.02, values.size)),
             "rate": list(values)} for _ in range(5)]
    slope = [{"share": list(values + rng.normal(0, 0.02, values.size)), "rate": list(values)}
             for _ in range(5)]
    assert facts.judge_tipping(jump).holds
    assert facts.judge_tipping(jump).details["steepest"] == (0.55, 0.6)
    assert not facts.judge_tipping(slope).holds


def test_measure_is_deterministic_per_seed_and_the_cache_changes_nothing():
    assert facts.measure("6", 3, run=fresh_run) == facts.measure("6", 3, run=run_model)


def test_estimate_is_a_t_interval():
    e = facts.Estimate.of([1.0, 2.0, 3.0])
    assert e.mean == 2.0
    assert e.high - e.mean == pytest.approx(4.302653 / np.sqrt(3), rel=1e-5)  # t(0.975, 2) x sd / sqrt(n)
    r = facts.ratio_estimate([2.0, 2.0, 2.0])
    assert (r.mean, r.low, r.high) == pytest.approx((2.0, 2.0, 2.0))


# ---- Granovetter (1978) ---------------------------------------------------- #


def test_granovetter_uniform_thresholds_cascade_fully():
    assert g.final_participation(g.uniform_thresholds()).tolist() == [100]


def test_granovetter_raising_the_one_at_1_stops_the_cascade_at_1():
    assert g.final_participation(g.uniform_without_the_one()).tolist() == [1]


@pytest.mark.parametrize("k", [1, 2, 7, 25, 50, 99])
def test_a_count_threshold_k_joins_with_k_others_gone_and_not_with_k_minus_1(k):
    """``>`` against float32 shares: half a member of margin, whatever the rounding of k / 100."""
    instigators_then_him = np.full(g.GROUP, 1000)  # nobody else would ever join
    instigators_then_him[:k] = 0  # k join at once...
    instigators_then_him[k] = k  # ...and he needs k of them
    assert g.final_participation(instigators_then_him).tolist() == [k + 1]
    instigators_then_him[: k] = [0] * (k - 1) + [1000]  # only k - 1 instigators
    assert g.final_participation(instigators_then_him).tolist() == [k - 1]


def test_share_thresholds_need_at_least_that_share():
    assert g.share_to_count(np.array([0.0, 0.25, 0.251, -0.03, 0.07])).tolist() == [0, 25, 26, -3, 7]


def test_granovetter_normal_thresholds_jump_as_the_spread_passes_about_0_12():
    curve = g.normal_curve(seed=0, draws=300)
    assert curve[0.0] == 0.0  # all at 25: nobody starts
    assert curve[0.10] < 0.05
    assert curve[0.16] > 0.85 and curve[0.20] > 0.95
    steps = np.diff([curve[s] for s in g.SIGMAS])
    steepest = g.SIGMAS[int(np.argmax(steps))]
    assert 0.11 <= steepest <= 0.14, curve
    assert steps.max() > 0.15


def test_fact_g_row_holds():
    assert result("G").holds


# ---- the Union army scenario (Costa and Kahn 2003) ----------------------- #

UNION_SEEDS = tuple(range(4))
UNION_BAND = (0.07, 0.11)  # about 9 in 100


def test_union_army_scenario_now_deserts_far_less_than_9_percent():
    """Pending the re-calibration of the scenario (validation plan, classroom check): tuned on
    the first version, ``union_army`` deserts about 1.6% on seeds 0-3 under the revised model,
    below Costa and Kahn's band."""
    scenario = resolve("union_army")
    rates = [run_model(s, days=scenario.days, **scenario.overrides).metrics["desertion_rate"]
             for s in UNION_SEEDS]
    assert np.mean(rates) < UNION_BAND[0], rates
