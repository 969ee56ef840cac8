"""The stylized facts of MODEL_BRIEF section 5 and Granovetter (1978), through ``experiments.facts``.

This file is the one place the facts are asserted (``tests/test_mechanisms.py`` keeps the
mechanisms that are not facts). The experiments and criteria are those of ``morale facts``,
fixed in docs/validation_plan.md before the revised model ran, on the army they are judged on
(``facts.JUDGED_ON``, the ``division`` preset: 130 companies sharing one police pool); to keep
time down they run over the first four of its 20 held-out seeds (``FACT_SEEDS``), sharing the
cache of runs (``experiments.runs.cached_run``).

Over 4 seeds the 95% intervals are wide, so these tests check each criterion's bounds on the
means over seeds (``Verdict.holds_on_means``); the verdicts with intervals over 20 seeds are
``morale facts``'s, recorded in docs/validation.md. The criteria themselves are tested on
synthetic data that should pass and data that should not.
"""

from __future__ import annotations

import numpy as np
import pytest
from conftest import SEEDS, run_model

from experiments import facts
from experiments import granovetter as g
from experiments.runs import RunsFrom, fresh_run
from model.scenarios import resolve

FACT_SEEDS = SEEDS[:4]
TIPPING_SEEDS = SEEDS[:4]
COMPANY_SEEDS = SEEDS[:8]
DIVISION = RunsFrom(resolve(facts.JUDGED_ON).overrides)  # runs of the army the facts are judged on


def result(number: str, seeds=FACT_SEEDS) -> facts.FactResult:
    per_seed = [facts.measure(number, s, run=DIVISION) for s in seeds]
    return facts.judge(facts.FACTS[number], seeds, per_seed)


# Revision 14 judged on the division over seeds 1200-1239 and 0-39 (docs/validation.md): facts 1,
# 2, 6, 7 and 8 hold on both; 4 on 1200-1239 only; 3, 5 and 9 fail on both. Revision 15 (sentences
# weighed by their discounted years) judged on 1300-1339 and 1200-1239: fact 5 holds on both (its
# certainty half now assumed). Fact 9 re-specified (2026-12-06: companies compared within one army,
# as its sources compare them) holds on 1400-1439 and 0-39 (x3.5 and x3.9). On the test seeds (the
# means over 0-3, or 0-7 where SEEDS_FOR says; measured 2026-12-05 and, fact 9, 2026-12-06: x4.25)
# 1, 2, 5, 6, 7, 8 and 9 hold and 3 and 4 fail. Fact 4 on the 0.025 grid (2026-12-06) holds on
# all four 40-seed sets (1500-1539, 0-39, 1200-1239, 1400-1439) but not on the test seeds' means.
# The bounds are those fixed before the results (docs/validation_plan.md): a fact that fails is
# reported as failing; facts 4 and 9 were re-specified for reasons written down before their runs.
HOLD = ["1", "2", "5", "6", "7", "8", "9"]
FAIL = {
    "3": "peers off removes nearly all cascades of 5+, but they hold under 30% of desertions "
    "(16-21% on the test seeds) and a frontline cascade of 10+ by day 90 comes in few seeds",
    "4": "at the tipping value (0.525 on the 0.025 grid, 31-34% collapsed) the middle bin is the "
    "smallest, but over the few test seeds' companies the dip test does not show two modes (p 0.44)",
}


# Whole companies hold or collapse, so per-seed figures vary; facts 1, 7 and 8 are judged on the
# means over the eight seeds of the conftest (the division, seeds 0-3: 12% of units at 10%+,
# supply collapse's mark +18.3 [11.4, 25.2] per 1000 a day; seeds 0-7: 13%, +17.8 [12.9, 22.7]).
SEEDS_FOR = {"1": SEEDS[:8], "4": TIPPING_SEEDS, "7": SEEDS[:8], "8": SEEDS[:8]}


@pytest.mark.parametrize("number", HOLD)
def test_fact_holds(number):
    r = result(number, SEEDS_FOR.get(number, FACT_SEEDS))
    assert r.verdict.holds_on_means, f"fact {number}: {r.verdict.figure} ({r.verdict.criterion})"


@pytest.mark.parametrize("number", sorted(FAIL))
def test_fact_fails_as_docs_validation_says(number):
    """The failures recorded in docs/validation.md: when one starts to hold, the document (and
    this list) must change with it."""
    r = result(number, SEEDS_FOR.get(number, FACT_SEEDS))
    assert not r.verdict.holds_on_means, f"fact {number} now holds: {r.verdict.figure}"


def test_fact_4_frontline_companies_go_from_none_to_nearly_all_collapsed_along_the_lever():
    """What holds of fact 4 on the division's test seeds (the bimodal split near the tipping value
    does not: FAIL above): along the lever, the share of collapsed frontline companies rises from
    none to nearly all (seeds 0-7: 0% at 0.30, 87% at 0.55, 100% from 0.60), and the army's
    steepest step exceeds 3x its mean step (+12.3 pp on the means)."""
    r = result("4", COMPANY_SEEDS)
    collapsed_share = np.array(r.verdict.details["collapsed"])
    assert collapsed_share[0] <= 0.1 and collapsed_share[-1] >= 0.9, r.verdict.figure
    assert np.all(np.diff(collapsed_share) >= -0.05), r.verdict.figure  # no lasting fall on the way
    assert r.verdict.details["excess"].mean > 0, r.verdict.figure  # steepest step over 3x the mean


def test_the_labels_say_which_facts_are_assumed():
    """Decided from the formulas before the results (docs/validation_plan.md)."""
    assumed = {n for n, f in facts.FACTS.items() if f.label == facts.ASSUMED}
    assert assumed == {"5", "6", "8", "9"}  # 5 since revision 15 (discounted sentences)
    assert facts.FACTS["G"].label == facts.RULE_CHECK


def test_the_cli_runs_the_held_out_seeds_on_the_division_by_default():
    import inspect

    from cli.main import facts as facts_command

    options = inspect.signature(facts_command).parameters
    assert options["seeds"].default == facts.DEFAULT_SEEDS == 20
    assert options["scenario"].default == facts.JUDGED_ON
    division = resolve(facts.JUDGED_ON)
    assert division.overrides == {"n_units": 130, "threshold_mean": 0.535}  # revision 14
    assert not division.events


# ---- the criteria tell what they claim to tell ------------------------------------------ #


def test_dispersion_index_is_about_1_for_binomial_companies_and_large_for_hold_or_collapse():
    rng = np.random.default_rng(0)
    served = np.full(40, 120)
    binomial = [facts.dispersion_index(rng.binomial(served, 0.08), served) for _ in range(200)]
    assert 0.8 < np.mean(binomial) < 1.2
    split = np.where(np.arange(40) < 30, 0.01, 0.5)
    assert facts.dispersion_index(rng.binomial(served, split), served) > 10
    assert facts.dispersion_index(np.zeros(40), served) == 1.0  # nothing to disperse


def _tipping_rows(companies_at) -> list[dict]:
    """Rows as measure_tipping gives them, with frontline companies drawn by ``companies_at(value, rng)``."""
    rng = np.random.default_rng(1)
    rows = []
    for _ in range(12):
        companies = [list(companies_at(v, rng)) for v in facts.TIPPING_VALUES]
        rows.append({"companies": companies, "rate": [float(np.mean(c)) * 0.4 for c in companies]})
    return rows


def test_the_tipping_criterion_tells_hold_or_collapse_from_a_shift():
    def bimodal(value, rng):  # each company holds (~3%) or collapses (~55%); more collapse as value rises
        p = np.clip((value - 0.58) * 8, 0, 1)
        n = 40
        return np.where(rng.random(n) < p, rng.normal(0.55, 0.08, n), rng.normal(0.03, 0.01, n)).clip(0, 1)

    def shifted(value, rng):  # all companies move together: one mode that slides
        return rng.normal(0.5 * value, 0.03, 40).clip(0, 1)

    assert facts.judge_tipping(_tipping_rows(bimodal)).holds
    assert not facts.judge_tipping(_tipping_rows(shifted)).holds


def test_the_frontline_criterion_reads_rates_not_how_many_companies_are_at_the_front():
    """Fact 2 judges the share an army of WWII's make-up (14% at the front) would have: the
    source's 25x holds whatever the scenario's make-up; equal rates, or a rear that never
    deserts, do not."""
    assert facts.standardised_front_share(0.05, 0.05) == pytest.approx(0.14)
    assert facts.standardised_front_share(0.25, 0.01) == pytest.approx(3.5 / 4.36)
    assert np.isnan(facts.standardised_front_share(0.0, 0.0))

    def rows(front, rear, share):  # share: of deserters in this army, which the verdict ignores
        rng = np.random.default_rng(2)
        return [{"front": f, "rear": r, "front_share": share,
                 "standardised_share": facts.standardised_front_share(f, r)}
                for f, r in zip(rng.normal(front, front / 10, 12).clip(0),
                                rng.normal(rear, rear / 10, 12).clip(0), strict=True)]

    assert facts.judge_frontline(rows(0.075, 0.003, 0.94)).holds  # 25x in a 40%-front army
    assert not facts.judge_frontline(rows(0.05, 0.025, 0.80)).holds  # 2x: 80% here, 25% in WWII's
    assert not facts.judge_frontline(rows(0.06, 0.0, 1.0)).holds  # a rear that never deserts


def test_a_seed_where_no_conscript_deserts_does_not_break_the_conscript_ratio():
    """Revision 10, seeds 0-19: one army's conscripts all stayed, and the ratio printed x0.00
    with no interval (the log of 0); a rate of 0 counts as 0.1%, as in facts 2, 3 and 9."""
    rows = [{"conscript": c, "contract": 0.02, "all_conscripts": 0.05, "few_conscripts": 0.03}
            for c in (0.0, 0.06, 0.05, 0.07, 0.04)]
    ratio = facts.judge_conscripts(rows).details["ratio"]
    assert np.isfinite([ratio.mean, ratio.low, ratio.high]).all() and 0 < ratio.low < ratio.mean


def test_the_poisson_slope_recovers_a_known_rate_ratio_and_refuses_what_it_cannot_fit():
    """Fact 9 reads the officer effect as a Poisson slope of deserters on competence: companies
    whose rate falls 4-fold from competence 0.2 to 0.8 give about x4, equal rates about x1."""
    from experiments.stats import poisson_log_slope

    rng = np.random.default_rng(3)
    competence = rng.uniform(0.1, 0.9, 4000)
    served = rng.integers(100, 200, competence.size)
    rate = 0.05 * np.exp(-np.log(4) / 0.6 * (competence - 0.5))
    deserted = rng.poisson(served * rate)
    assert np.exp(-0.6 * poisson_log_slope(deserted, served, competence)) == pytest.approx(4, rel=0.05)
    flat = rng.poisson(served * 0.05)
    assert np.exp(-0.6 * poisson_log_slope(flat, served, competence)) == pytest.approx(1, abs=0.05)
    assert np.isnan(poisson_log_slope(np.zeros(10), np.full(10, 100), np.linspace(0, 1, 10)))
    assert np.isnan(poisson_log_slope(np.ones(10), np.full(10, 100), np.full(10, 0.5)))


def test_fact_9_weighs_each_company_s_officers_by_the_days_they_led_it():
    """A company whose officer led all 90 days has his competence; if he is killed on day 30 and
    a better one (0.9) is appointed on day 40, (30 x his + 51 x 0.9) / 81: the ten leaderless days
    are left out."""
    from model.state import OfficerStatus

    m = fresh_run(0, 90)
    o, p = m.officer_table, m.params
    changed = np.concatenate([o.unit[o.appointed_day > 0], o.unit[o.killed_day >= 0]])
    untouched = np.setdiff1d(np.arange(m.unit_table.n), changed)
    assert untouched.size > 0
    own = np.clip(p.officer_competence + o.competence_offset, 0, 1)
    served = facts.competence_served(m)
    for unit in untouched:
        assert served[unit] == pytest.approx(own[np.flatnonzero(o.unit == unit)[0]])
    unit = int(untouched[0])
    first = int(np.flatnonzero(o.unit == unit)[0])
    o.status[first], o.killed_day[first] = OfficerStatus.KILLED, 30
    o.append(1, unit=np.array([unit]), competence_offset=np.array([0.9 - p.officer_competence]),
             harshness_offset=np.array([0.0]), appointed_day=40)
    assert facts.competence_served(m)[unit] == pytest.approx((30 * own[first] + 51 * 0.9) / 81)


def test_fact_9_judges_the_companies_within_one_army_not_the_army_wide_lever():
    """A within-army contrast inside 1.5-6x holds even when every officer of the army at 0.2
    tips it (x30, printed, not judged); one of x20 within the army does not."""
    def rows(within):
        rng = np.random.default_rng(4)
        return [{"within_army": w, "competent": 0.02, "incompetent": 0.6, "harsh_deterrence": 0.2,
                 "fair_deterrence": 0.1, "harsh_grievance": 0.2, "fair_grievance": 0.1}
                for w in within * np.exp(rng.normal(0, 0.1, 12))]

    assert facts.judge_officers(rows(3.0)).holds
    assert not facts.judge_officers(rows(20.0)).holds
    assert not facts.judge_officers(rows(1.0)).holds  # no officer effect at all
    with_a_seed_without_slope = [*rows(3.0), {**rows(3.0)[0], "within_army": float("nan")}]
    assert facts.judge_officers(with_a_seed_without_slope).details["ratio"].n == 12


def test_measure_is_deterministic_per_seed_and_differs_between_seeds():
    """The same seed twice gives the same numbers (fresh runs); another seed, other numbers."""
    once, again = facts.measure("1", 3, run=fresh_run), facts.measure("1", 3, run=fresh_run)
    assert once == again
    assert facts.measure("1", 4, run=fresh_run) != once


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

# The mean over the 20 held-out seeds, as docs/validation.md reports it: regiments hold or melt
# (revision 12: per seed 3.5% to 57.3%, mean 10.9%), so a few seeds on their own say little.
UNION_SEEDS = tuple(range(20))
UNION_BAND = (0.07, 0.11)  # about 9 in 100


def test_union_army_scenario_deserts_about_9_percent():
    scenario = resolve("union_army")
    rates = [run_model(s, days=scenario.days, **scenario.overrides).metrics["desertion_rate"]
             for s in UNION_SEEDS]
    assert UNION_BAND[0] <= np.mean(rates) <= UNION_BAND[1], rates
