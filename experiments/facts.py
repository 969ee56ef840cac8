"""The stylized facts of MODEL_BRIEF section 5, each an experiment over several seeds.

Every fact is a ``Fact``: its number, a short statement, its source (MODEL_BRIEF section 4),
the experiment in one line, and two functions:

- ``measure(seed, run)``: a pure function of the seed (and of a ``run(seed, days, **overrides)``
  that returns a finished model; by default a fresh run): the numbers one seed gives. The same
  seed is used on every arm of a comparison (common random numbers), so differences and ratios
  are paired.
- ``judge(per_seed)``: the model's figure with a 95% interval over seeds (a t-interval of the
  mean of per-seed values, or of a paired difference or ratio) and whether the fact holds, by
  the criterion written next to it.

``run_facts`` runs the experiments over seeds, in worker processes if asked (one task per
fact and seed; each worker caches the runs its tasks share). ``morale facts`` prints the
table; ``tests/test_facts.py`` checks the same experiments; ``docs/validation.md`` holds the
table as measured.

Row ``G`` is not a fact of the model's army but a check of its contagion rule: Granovetter's
(1978) threshold model reproduced with the model's own functions (``experiments/granovetter.py``).
"""

from __future__ import annotations

import math
import os
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from experiments.runs import DAYS, cached_run, play
from experiments.stats import interval
from model.model import MoraleModel

Runner = Callable[..., MoraleModel]
PerSeed = dict[str, Any]

DEFAULT_SEEDS = 10


# --------------------------------------------------------------------------- #
# Runs
# --------------------------------------------------------------------------- #


def shocked_run(
    seed: int, lever: str, value: float, start: int, length: int, days: int = DAYS, **overrides: Any
) -> MoraleModel:
    """A run where ``lever`` is set to ``value`` on day ``start`` and set back ``length`` days later."""
    model = MoraleModel(rng=seed, **overrides)
    before = getattr(model.params, lever)
    return play(model, days, changes=[(start, {lever: value}), (start + length, {lever: before})])


# --------------------------------------------------------------------------- #
# Statistics
# --------------------------------------------------------------------------- #


@dataclass(frozen=True)
class Estimate:
    """A mean over seeds with its 95% t-interval."""

    mean: float
    low: float
    high: float
    n: int

    @classmethod
    def of(cls, values: Iterable[float]) -> Estimate:
        v = np.asarray(list(values), dtype=float)
        mean, _sd, low, high = interval(v)
        if v.size == 1:
            low = high = mean
        return cls(mean, low, high, int(v.size))

    def fmt(self, style: str = "pct", digits: int = 1) -> str:
        def f(x: float) -> str:
            if style == "pct":
                return f"{100 * x:.{digits}f}"
            if style == "pp":
                return f"{100 * x:+.{digits}f}"
            return f"{x:.{digits}f}"

        unit = {"pct": "%", "pp": " pp"}.get(style, "")
        return f"{f(self.mean)}{unit} [{f(self.low)}, {f(self.high)}]"

    def above(self, bound: float) -> Check:
        return Check(self.mean > bound, self.low > bound)

    def below(self, bound: float) -> Check:
        return Check(self.mean < bound, self.high < bound)

    def within(self, low: float, high: float) -> Check:
        return Check(low <= self.mean <= high, low <= self.low and self.high <= high)


@dataclass(frozen=True)
class Check:
    """One part of a criterion: met by the mean over seeds, and by its whole 95% interval."""

    on_mean: bool
    with_interval: bool

    @classmethod
    def exact(cls, ok: bool) -> Check:
        return cls(bool(ok), bool(ok))


def _verdict(figure: str, criterion: str, checks: Iterable[Check], details: dict[str, Any]) -> Verdict:
    checks = list(checks)
    return Verdict(
        figure=figure,
        holds=all(c.with_interval for c in checks),
        criterion=criterion,
        holds_on_means=all(c.on_mean for c in checks),
        details=details,
    )


def ratio_estimate(values: Iterable[float]) -> Estimate:
    """The geometric mean of per-seed ratios, with the t-interval of their logs, back-transformed."""
    logs = Estimate.of(np.log(np.asarray(list(values), dtype=float)))
    return Estimate(math.exp(logs.mean), math.exp(logs.low), math.exp(logs.high), logs.n)


def _column(per_seed: list[PerSeed], key: str) -> np.ndarray:
    return np.array([row[key] for row in per_seed], dtype=float)


# --------------------------------------------------------------------------- #
# Facts
# --------------------------------------------------------------------------- #


@dataclass(frozen=True)
class Verdict:
    """The figure, the criterion, and whether it holds with the 95% intervals (``holds``, the
    verdict) or with the means over seeds only (``holds_on_means``: the same bounds, for checks
    over fewer seeds, as in the tests)."""

    figure: str
    holds: bool
    criterion: str
    holds_on_means: bool
    details: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class Fact:
    number: str
    statement: str
    source: str
    experiment: str
    measure: Callable[[int, Runner], PerSeed]
    judge: Callable[[list[PerSeed]], Verdict]


@dataclass(frozen=True)
class FactResult:
    fact: Fact
    verdict: Verdict
    seeds: tuple[int, ...]
    per_seed: list[PerSeed]

    @property
    def holds(self) -> bool:
        return self.verdict.holds


# ---- fact 1: baseline level and spread across units ------------------------ #


def measure_baseline_spread(seed: int, run: Runner = cached_run) -> PerSeed:
    from model.metrics import unit_table, units_over_10pct

    model = run(seed)
    units = unit_table(model)["desertion_rate"].to_numpy()
    return {
        "rate": model.metrics["desertion_rate"],
        "units_over_10": units_over_10pct(units) / units.size,
        "median_unit": float(np.median(units)),
        "worst_unit": float(units.max()),
    }


def judge_baseline_spread(per_seed: list[PerSeed]) -> Verdict:
    rate = Estimate.of(_column(per_seed, "rate"))
    over = Estimate.of(_column(per_seed, "units_over_10"))
    median = float(np.mean(_column(per_seed, "median_unit")))
    worst = float(np.mean(_column(per_seed, "worst_unit")))
    checks = [rate.within(0.02, 0.10), Check.exact(over.mean >= 0.05), Check.exact(median < 0.05)]
    return _verdict(
        figure=f"army {rate.fmt()}; units >= 10%: {over.fmt(digits=0)} of units (worst "
        f"{100 * worst:.0f}% on average), median unit {100 * median:.1f}%",
        checks=checks,
        criterion="army-wide interval within 2-10%; at least 5% of units at 10% or more; "
        "median unit below 5%",
        details={"rate": rate, "units_over_10": over, "median_unit": median, "worst_unit": worst},
    )


# ---- fact 2: frontline above rear ------------------------------------------ #

RATE_FLOOR = 0.001  # a rear rate of 0 counts as 0.1% in the ratio (one soldier in a thousand)


def measure_frontline(seed: int, run: Runner = cached_run) -> PerSeed:
    m = run(seed).metrics
    return {"front": m["desertion_rate_frontline"], "rear": m["desertion_rate_rear"]}


def judge_frontline(per_seed: list[PerSeed]) -> Verdict:
    front, rear = _column(per_seed, "front"), _column(per_seed, "rear")
    ratio = ratio_estimate(front / np.maximum(rear, RATE_FLOOR))
    return _verdict(
        figure=f"frontline {Estimate.of(front).fmt()}, rear {Estimate.of(rear).fmt()}; "
        f"ratio x{ratio.fmt('x')}",
        checks=[ratio.above(3.0)],
        criterion="frontline / rear (geometric mean of per-seed ratios): interval above 3",
        details={"ratio": ratio},
    )


# ---- fact 3: cascades heavy-tailed; peer influence makes the large ones ---- #

LARGE_CASCADE = 5  # deserters linked along ties within days (half a squad)
TAIL_SIZE = 10


def _cascade_sizes(model: MoraleModel) -> np.ndarray:
    return model.cascades.table()["size"].to_numpy()


def measure_cascades(seed: int, run: Runner = cached_run) -> PerSeed:
    sizes = _cascade_sizes(run(seed))
    without = _cascade_sizes(run(seed, peer_influence=0.0))
    return {
        "large": int((sizes >= LARGE_CASCADE).sum()),
        "large_without_peers": int((without >= LARGE_CASCADE).sum()),
        "cascades": int(sizes.size),
        "at_least_2": int((sizes >= 2).sum()),
        "at_least_tail": int((sizes >= TAIL_SIZE).sum()),
        "largest": int(sizes.max()) if sizes.size else 0,
    }


def judge_cascades(per_seed: list[PerSeed]) -> Verdict:
    large = _column(per_seed, "large")
    without = _column(per_seed, "large_without_peers")
    removed = Estimate.of(large - without)
    share_kept = without.sum() / max(large.sum(), 1)
    # Heavy tail: pooled P(size >= 10) against a geometric (exponential) tail with the same P(size >= 2).
    n = _column(per_seed, "cascades").sum()
    p2 = _column(per_seed, "at_least_2").sum() / n
    p_tail = _column(per_seed, "at_least_tail").sum() / n
    geometric = p2 ** (TAIL_SIZE - 1)
    tail_ratio = p_tail / geometric if geometric > 0 else math.inf
    checks = [removed.above(0), Check.exact(share_kept <= 0.5), Check.exact(tail_ratio >= 10)]
    return _verdict(
        figure=f"cascades >= {LARGE_CASCADE}: {Estimate.of(large).fmt('x')} per run with peers, "
        f"{Estimate.of(without).fmt('x')} without ({100 * (1 - share_kept):.0f}% removed); "
        f"P(size >= {TAIL_SIZE}) = {100 * p_tail:.2f}% (a geometric tail with the same P(size >= 2) = "
        f"{100 * p2:.1f}% gives {100 * geometric:.1g}%)",
        checks=checks,
        criterion=f"switching peer_influence off removes at least half the cascades of {LARGE_CASCADE}+ "
        f"(paired interval of the removed count above 0); P(size >= {TAIL_SIZE}) at least 10x a "
        "geometric tail with the same P(size >= 2)",
        details={"removed": removed, "share_kept": share_kept, "tail_ratio": tail_ratio},
    )


# ---- fact 4: a tipping point ------------------------------------------------ #

TIPPING_LEVER = "combat_intensity"
TIPPING_VALUES = tuple(round(0.30 + 0.05 * i, 2) for i in range(13))  # 0.30 .. 0.90
TIPPING_CASCADE = 10  # a cascade of a tenth of a company
TIPPING_FACTOR = 3.0


def tipping_run(seed: int, value: float, run: Runner = cached_run) -> tuple[MoraleModel, Any]:
    """One point of the tipping sweep: the run at ``TIPPING_LEVER = value`` and its frontline units."""
    from model.metrics import unit_table

    model = run(seed, **{TIPPING_LEVER: value})
    units = unit_table(model)
    return model, units[units["posture"] == "frontline"]


def measure_tipping(seed: int, run: Runner = cached_run) -> PerSeed:
    share, rate = [], []
    for value in TIPPING_VALUES:
        model, front = tipping_run(seed, value, run)
        share.append(float((front["largest_cascade"] >= TIPPING_CASCADE).mean()))
        rate.append(model.metrics["desertion_rate"])
    return {"share": share, "rate": rate}


def _steepest_step(curves: np.ndarray) -> tuple[int, Estimate, float, Estimate]:
    """The neighbouring pair with the largest mean rise (seeds x values in ``curves``).

    Returns its index, its paired jump, the concentration (mean jump / mean step over the whole
    range: 1 for a straight line, the number of steps for a single jump) and the per-seed
    excess of the jump over ``TIPPING_FACTOR`` mean steps (above 0: a tipping point).
    """
    steps = np.diff(curves, axis=1)  # seeds x steps
    at = int(np.argmax(steps.mean(axis=0)))
    mean_step = (curves[:, -1] - curves[:, 0]) / steps.shape[1]
    jump = Estimate.of(steps[:, at])
    concentration = jump.mean / mean_step.mean() if mean_step.mean() > 0 else math.nan
    excess = Estimate.of(steps[:, at] - TIPPING_FACTOR * mean_step)
    return at, jump, concentration, excess


def judge_tipping(per_seed: list[PerSeed]) -> Verdict:
    share = np.array([row["share"] for row in per_seed], dtype=float)
    rate = np.array([row["rate"] for row in per_seed], dtype=float)
    at, jump, concentration, excess = _steepest_step(share)
    rate_at, _, rate_concentration, _ = _steepest_step(rate)
    a, b = TIPPING_VALUES[at], TIPPING_VALUES[at + 1]
    mean = share.mean(axis=0)
    lo, hi = mean[at], mean[at + 1]
    checks = [jump.above(0), excess.above(0)]
    return _verdict(
        figure=f"frontline companies with a cascade of {TIPPING_CASCADE}+: {100 * mean[0]:.0f}% "
        f"at {TIPPING_VALUES[0]:.2f} to {100 * mean[-1]:.0f}% at {TIPPING_VALUES[-1]:.2f}; "
        f"steepest step {a:.2f}->{b:.2f}: {100 * lo:.0f}% -> {100 * hi:.0f}% "
        f"({jump.fmt('pp', 0)}), {concentration:.1f}x the mean step (excess over {TIPPING_FACTOR:g}x: "
        f"{excess.fmt('pp', 0)})",
        checks=checks,
        criterion=f"the steepest 0.05 step of {TIPPING_LEVER} carries at least {TIPPING_FACTOR:g}x the "
        "mean step over the range (a straight line gives 1): paired interval of jump - "
        f"{TIPPING_FACTOR:g} x mean step above 0",
        details={
            "values": TIPPING_VALUES,
            "share": share.mean(axis=0).tolist(),
            "rate": rate.mean(axis=0).tolist(),
            "steepest": (a, b),
            "jump": jump,
            "concentration": concentration,
            "excess": excess,
            "rate_concentration": rate_concentration,
            "rate_steepest": (TIPPING_VALUES[rate_at], TIPPING_VALUES[rate_at + 1]),
        },
    )


# ---- fact 5: root causes beat severity; certainty beats severity ------------ #

STEP = 0.3  # the same step, up and down from the defaults, for severity and for certainty


def _steps() -> dict[str, dict[str, float]]:
    from model.parameters import Parameters

    d = Parameters()
    return {
        "severity_up": {"penalty_severity": round(d.penalty_severity + STEP, 2)},
        "certainty_up": {"enforcement": round(d.enforcement + STEP, 2)},
        "severity_down": {"penalty_severity": round(d.penalty_severity - STEP, 2)},
        "certainty_down": {"enforcement": round(d.enforcement - STEP, 2)},
    }


def measure_deterrence(seed: int, run: Runner = cached_run) -> PerSeed:
    from model.scenarios import resolve

    out = {"base": run(seed).metrics["desertion_rate"]}
    for arm, overrides in _steps().items():
        out[arm] = run(seed, **overrides).metrics["desertion_rate"]
    out["reform"] = run(seed, **resolve("root_causes_reform").overrides).metrics["desertion_rate"]
    out["penalties"] = run(seed, **resolve("harsh_penalties").overrides).metrics["desertion_rate"]
    return out


def judge_deterrence(per_seed: list[PerSeed]) -> Verdict:
    c = {key: _column(per_seed, key) for key in per_seed[0]}
    reform_ratio = ratio_estimate(c["reform"] / c["penalties"])
    # Effect of a step = desertion it removes (up) or adds (down); certainty minus severity, paired.
    up = Estimate.of((c["base"] - c["certainty_up"]) - (c["base"] - c["severity_up"]))
    down = Estimate.of((c["certainty_down"] - c["base"]) - (c["severity_down"] - c["base"]))
    effects = {arm: Estimate.of(np.abs(c[arm] - c["base"])) for arm in _steps()}
    checks = [reform_ratio.below(0.5), up.above(0), down.above(0)]
    return _verdict(
        figure=f"reform / harsh penalties x{reform_ratio.fmt('x', 2)}; a {STEP:g} step up removes "
        f"{Estimate.of(c['base'] - c['certainty_up']).fmt('pp')} (certainty) vs "
        f"{Estimate.of(c['base'] - c['severity_up']).fmt('pp')} (severity), a step down adds "
        f"{Estimate.of(c['certainty_down'] - c['base']).fmt('pp')} vs "
        f"{Estimate.of(c['severity_down'] - c['base']).fmt('pp')}",
        checks=checks,
        criterion="root_causes_reform / harsh_penalties interval below 0.5; for the same step "
        f"(+-{STEP:g} from the defaults) certainty moves desertion more than severity, up and down "
        "(paired intervals of the difference above 0)",
        details={"reform_ratio": reform_ratio, "up": up, "down": down, "effects": effects},
    )


# ---- fact 6: propaganda: short, decaying, weakest where fear is high --------- #

PROPAGANDA = 0.9


def measure_propaganda(seed: int, run: Runner = cached_run) -> PerSeed:
    lift = run(seed, days=90, propaganda=PROPAGANDA).timeseries()["mean_propaganda_lift"]
    early = run(seed, days=10, propaganda=PROPAGANDA)
    s, here = early.soldier_table, early.present_mask()
    frightened = here & (s.fear > np.median(s.fear[here]))
    calm = here & ~frightened
    return {
        "day5": float(lift[5]),
        "day90": float(lift[90]),
        "frightened": float(s.propaganda_lift[frightened].mean()),
        "calm": float(s.propaganda_lift[calm].mean()),
    }


def judge_propaganda(per_seed: list[PerSeed]) -> Verdict:
    c = {key: _column(per_seed, key) for key in per_seed[0]}
    kept = ratio_estimate(c["day90"] / c["day5"])
    fear = ratio_estimate(c["frightened"] / c["calm"])
    checks = [kept.below(1 / 3), kept.above(0), fear.below(1)]
    return _verdict(
        figure=f"lift on day 90 / day 5 x{kept.fmt('x', 2)}; frightened / calm half x{fear.fmt('x', 2)}",
        checks=checks,
        criterion="on day 90 under a third of the day-5 lift (but above 0), interval included; "
        "the more frightened half gets less lift (interval below 1)",
        details={"kept": kept, "fear": fear},
    )


# ---- fact 7: hysteresis ----------------------------------------------------- #

SHOCKS = {"bloody_month": ("combat_intensity", 1.0), "supply_collapse": ("supply_level", 0.1)}
SHOCK_START, SHOCK_DAYS = 60, 30
LATE_WINDOW = 30  # the last 30 days: 60 to 90 days after the shock ended


def _late(model: MoraleModel) -> dict[str, float]:
    events = model.timeseries()["desertions_cumulative"].to_numpy()
    return {
        "late_desertions": float(events[-1] - events[-1 - LATE_WINDOW]) / LATE_WINDOW,
        "motivation": model.metrics["mean_motivation"],
        "grievance": model.metrics["mean_grievance"],
        "fear": model.metrics["mean_fear"],
    }


def measure_hysteresis(seed: int, run: Runner = cached_run) -> PerSeed:
    out = {f"base_{k}": v for k, v in _late(run(seed)).items()}
    for name, (lever, value) in SHOCKS.items():
        shocked = shocked_run(seed, lever, value, SHOCK_START, SHOCK_DAYS)
        out.update({f"{name}_{k}": v for k, v in _late(shocked).items()})
    return out


def judge_hysteresis(per_seed: list[PerSeed]) -> Verdict:
    c = {key: _column(per_seed, key) for key in per_seed[0]}
    parts, checks, details = [], [], {}
    for name in SHOCKS:
        desert = Estimate.of(c[f"{name}_late_desertions"] - c["base_late_desertions"])
        motivation = Estimate.of(c[f"{name}_motivation"] - c["base_motivation"])
        details[name] = {"late_desertions": desert, "motivation": motivation}
        checks += [desert.above(0), motivation.below(0)]
        parts.append(f"{name.replace('_', ' ')}: {desert.fmt('x', 2)} desertions/day, "
                     f"motivation {motivation.fmt('x', 3)}")
    return _verdict(
        figure="vs no shock, days 150-180: " + "; ".join(parts),
        checks=checks,
        criterion="60-90 days after each shock ended, paired intervals: more desertions per day "
        "(above 0) and lower mean motivation (below 0) than the unshocked run of the same seed",
        details=details,
    )


# ---- fact 8: conscripts desert more ---------------------------------------- #


def measure_conscripts(seed: int, run: Runner = cached_run) -> PerSeed:
    from model.state import Service

    s = run(seed).soldier_table
    rates = {}
    for kind in (Service.CONSCRIPT, Service.CONTRACT):
        mine = s.service == kind
        rates[kind.name.lower()] = float((mine & (s.times_deserted > 0)).sum() / max(mine.sum(), 1))
    rates["all_conscripts"] = run(seed, conscript_share=1.0).metrics["desertion_rate"]
    rates["few_conscripts"] = run(seed, conscript_share=0.2).metrics["desertion_rate"]
    return rates


def judge_conscripts(per_seed: list[PerSeed]) -> Verdict:
    c = {key: _column(per_seed, key) for key in per_seed[0]}
    ratio = ratio_estimate(c["conscript"] / np.maximum(c["contract"], RATE_FLOOR))
    composition = Estimate.of(c["all_conscripts"] - c["few_conscripts"])
    checks = [ratio.above(1.5), composition.above(0)]
    return _verdict(
        figure=f"conscript / contract rate x{ratio.fmt('x', 2)}; army of conscripts vs 20% "
        f"conscripts {composition.fmt('pp')}",
        checks=checks,
        criterion="conscript / contract interval above 1.5; conscript_share 1.0 vs 0.2 paired "
        "interval above 0",
        details={"ratio": ratio, "composition": composition},
    )


# ---- fact 9: officers -------------------------------------------------------- #

HARSH_DAYS = 60


def measure_officers(seed: int, run: Runner = cached_run) -> PerSeed:
    out = {
        "competent": run(seed, officer_competence=0.8).metrics["desertion_rate"],
        "incompetent": run(seed, officer_competence=0.2).metrics["desertion_rate"],
    }
    for label, value in (("harsh", 0.8), ("fair", 0.2)):
        m = run(seed, days=HARSH_DAYS, officer_harshness=value).metrics
        out[f"{label}_deterrence"] = m["mean_deterrence"]
        out[f"{label}_grievance"] = m["mean_grievance"]
    return out


def judge_officers(per_seed: list[PerSeed]) -> Verdict:
    c = {key: _column(per_seed, key) for key in per_seed[0]}
    ratio = ratio_estimate(c["competent"] / np.maximum(c["incompetent"], RATE_FLOOR))
    deter = Estimate.of(c["harsh_deterrence"] - c["fair_deterrence"])
    griev = Estimate.of(c["harsh_grievance"] - c["fair_grievance"])
    checks = [ratio.below(0.5), deter.above(0), griev.above(0)]
    return _verdict(
        figure=f"competence 0.8 / 0.2 rate x{ratio.fmt('x', 2)}; harshness 0.8 vs 0.2 (day 60): "
        f"deterrence {deter.fmt('x', 3)}, grievance {griev.fmt('x', 3)}",
        checks=checks,
        criterion="competent / incompetent interval below 0.5; harsh officers raise both deterrence "
        "and grievance (paired intervals above 0)",
        details={"ratio": ratio, "deterrence": deter, "grievance": griev},
    )


# ---- G: Granovetter (1978) reproduced with the model's contagion rule -------- #

GRANOVETTER_DRAWS = 200  # groups of 100 per spread and seed
LOW_SIGMA, HIGH_SIGMA = 0.10, 0.16


def measure_granovetter(seed: int, run: Runner = cached_run) -> PerSeed:
    from experiments import granovetter as g

    return {
        "uniform": int(g.final_participation(g.uniform_thresholds())[0]),
        "without_the_one": int(g.final_participation(g.uniform_without_the_one())[0]),
        "curve": g.normal_curve(seed, GRANOVETTER_DRAWS),
    }


def judge_granovetter(per_seed: list[PerSeed]) -> Verdict:
    from experiments import granovetter as g

    uniform = {row["uniform"] for row in per_seed}
    stopped = {row["without_the_one"] for row in per_seed}
    curve = {s: Estimate.of([row["curve"][s] for row in per_seed]) for s in g.SIGMAS}
    means = np.array([curve[s].mean for s in g.SIGMAS])
    at = int(np.argmax(np.diff(means)))
    low, high = curve[LOW_SIGMA], curve[HIGH_SIGMA]
    checks = [Check.exact(uniform == {g.GROUP}), Check.exact(stopped == {1}), low.below(0.10),
              high.above(0.85)]
    return _verdict(
        figure=f"0..99: {min(uniform)} of 100 join; 1 -> 2: {max(stopped)} joins; normal(0.25, s): "
        f"{low.fmt()} at s = {LOW_SIGMA:.2f}, {high.fmt()} at s = {HIGH_SIGMA:.2f}; steepest "
        f"{g.SIGMAS[at]:.2f}->{g.SIGMAS[at + 1]:.2f}",
        checks=checks,
        criterion="exactly 100 and 1; mean participation below 10% at s = 0.10 and above 85% at "
        "s = 0.16 (intervals included)",
        details={"curve": curve, "steepest": (g.SIGMAS[at], g.SIGMAS[at + 1])},
    )


FACTS: dict[str, Fact] = {
    f.number: f
    for f in (
        Fact("1", "Baseline: a few % up to ~10% desert in 180 days; wide spread across units",
             "Costa & Kahn 2003 (9 in 100); Lyall 2020 (mass desertion = 10%+)",
             "baseline, 180 days: army-wide rate; share of units at 10%+; median unit",
             measure_baseline_spread, judge_baseline_spread),
        Fact("2", "Frontline units desert far more than rear and reserve units",
             "WWII: ~80% of US and British deserters were frontline infantry",
             "baseline: rate of those who served at the front vs in the rear",
             measure_frontline, judge_frontline),
        Fact("3", "Desertions cluster along ties; heavy-tailed cascades; no peers, few large ones",
             "Bearman 1991; Granovetter 1978",
             f"baseline vs peer_influence = 0: cascades of {LARGE_CASCADE}+; the size distribution's tail",
             measure_cascades, judge_cascades),
        Fact("4", "Tipping point: a small lever change flips units from isolated desertions to cascades",
             "Granovetter 1978",
             f"{TIPPING_LEVER} 0.30..0.90 in 0.05 steps: share of frontline companies with a cascade "
             f"of {TIPPING_CASCADE}+",
             measure_tipping, judge_tipping),
        Fact("5", "Penalties alone buy less than fixing root causes; certainty deters more than severity",
             "Costa & Kahn 2003 (punishment explained little); Epstein 2002",
             f"root_causes_reform vs harsh_penalties; penalty_severity vs enforcement +-{STEP:g} "
             "from the defaults",
             measure_deterrence, judge_deterrence),
        Fact("6", "Propaganda gives a short, decaying lift, weakest where fear is highest",
             "the article ('limited success in the face of the harsh realities')",
             f"propaganda = {PROPAGANDA}: mean lift on day 90 vs day 5; day 10, above vs below median fear",
             measure_propaganda, judge_propaganda),
        Fact("7", "Hysteresis: after a shock is removed, desertion and morale do not return",
             "the article ('a self-perpetuating cycle')",
             f"combat_intensity 1.0 or supply_level 0.1 on days {SHOCK_START}-{SHOCK_START + SHOCK_DAYS}, "
             "then back; days 150-180 vs the same seed unshocked",
             measure_hysteresis, judge_hysteresis),
        Fact("8", "Mobilised conscripts desert more than contract soldiers",
             "McLauchlin 2015; Costa & Kahn 2003 (company make-up)",
             "baseline: conscripts' vs volunteers' rate; conscript_share 1.0 vs 0.2",
             measure_conscripts, judge_conscripts),
        Fact("9", "Competent officers lower desertion; harsh ones trade deterrence for grievance",
             "Costa 2014 (leading from the front)",
             f"officer_competence 0.8 vs 0.2 (180 days); officer_harshness 0.8 vs 0.2 ({HARSH_DAYS} days)",
             measure_officers, judge_officers),
        Fact("G", "Granovetter's threshold model, run by the model's own contagion functions",
             "Granovetter 1978",
             "groups of 100, pure threshold process: thresholds 0..99; 1 raised to 2; "
             f"Normal(0.25, s), {GRANOVETTER_DRAWS} groups per s and seed",
             measure_granovetter, judge_granovetter),
    )
}


# --------------------------------------------------------------------------- #
# Running
# --------------------------------------------------------------------------- #


def measure(number: str, seed: int, run: Runner = cached_run) -> PerSeed:
    """The numbers one seed gives for one fact: a pure, deterministic function of (fact, seed)."""
    return FACTS[number].measure(seed, run)


def _task(number: str, seed: int) -> tuple[str, int, PerSeed]:
    return number, seed, measure(number, seed)


def run_facts(
    numbers: Iterable[str] | None = None,
    seeds: Iterable[int] = range(DEFAULT_SEEDS),
    workers: int = 1,
    progress: Callable[[str, int], None] | None = None,
) -> list[FactResult]:
    """Measure and judge the facts over the seeds; ``workers`` > 1 runs tasks in processes."""
    chosen = list(numbers) if numbers is not None else list(FACTS)
    seeds = tuple(seeds)
    # Seed-major order: the tasks of one seed share runs (the baseline, ...) in a worker's cache.
    tasks = [(n, s) for s in seeds for n in chosen]
    results: dict[tuple[str, int], PerSeed] = {}
    if workers <= 1:
        for n, s in tasks:
            results[(n, s)] = measure(n, s)
            if progress:
                progress(n, s)
    else:
        from concurrent.futures import as_completed

        from experiments.sweeps import new_worker_pool

        pool = new_worker_pool(min(workers, len(tasks)))
        try:
            futures = [pool.submit(_task, n, s) for n, s in tasks]
            for future in as_completed(futures):
                n, s, numbers_ = future.result()
                results[(n, s)] = numbers_
                if progress:
                    progress(n, s)
        finally:
            pool.shutdown(wait=False, cancel_futures=True)
    return [judge(FACTS[n], seeds, [results[(n, s)] for s in seeds]) for n in chosen]


def judge(fact: Fact, seeds: Iterable[int], per_seed: list[PerSeed]) -> FactResult:
    return FactResult(fact, fact.judge(per_seed), tuple(seeds), per_seed)


def default_workers() -> int:
    return max(1, min(os.cpu_count() or 1, 4))
