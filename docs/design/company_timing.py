"""When frontline companies pass 10% desertion, and how much of a collapse is one cascade.

    uv run python docs/design/company_timing.py [seeds=100-139] [name=value ...]

Runs `baseline` (plus any parameter overrides) for 180 days on each seed (two worker
processes), reading each frontline company's `desertion_rate` (`model.metrics.unit_table`)
every day. Prints, over all frontline companies: how many passed 10% by day 90 and by day 180
(with the median first day), how many end at 10-30% and at 30% or more, the share of a
collapsed company's desertions in its largest cascade, and the seeds with a frontline
cascade of 10+ by day 90 (fact 3's early count), and the army's mean rate. A design aid:
design seeds by default.
"""

from concurrent.futures import ProcessPoolExecutor

import numpy as np
from arguments import read_options, seed_range  # the script beside this one

from experiments.runs import play
from model.metrics import unit_table
from model.model import MoraleModel

EARLY_DAY = 90


def first_days_over(model: MoraleModel, days: int, marks: tuple[float, ...], on_day=None):
    """Play ``model`` day by day to ``days``: for each mark, the first day each frontline company's
    `desertion_rate` reached it ({mark: {unit: day}}), and its frontline rows on the last day.
    ``on_day(day, front)`` is called every day with that day's frontline rows."""
    first: dict[float, dict[int, int]] = {mark: {} for mark in marks}
    for day in range(1, days + 1):
        play(model, day)
        table = unit_table(model)
        front = table[table["posture"] == "frontline"]
        for mark, reached in first.items():
            for unit in front["unit_id"][front["desertion_rate"] >= mark]:
                reached.setdefault(int(unit), day)
        if on_day is not None:
            on_day(day, front)
    return first, front


def one_seed(args: tuple[int, dict]) -> dict:
    seed, overrides = args
    model = MoraleModel(rng=seed, **overrides)
    early = {}

    def note_early_tail(day, front):
        if day == EARLY_DAY:
            early["tail"] = bool((front["largest_cascade"] >= 10).any())

    first, front = first_days_over(model, 180, (0.10,), note_early_tail)
    collapsed = front[front["desertion_rate"] >= 0.30]
    return {
        "first_days": list(first[0.10].values()),
        "early_tail": early["tail"],
        "partial": int(((front["desertion_rate"] >= 0.10) & (front["desertion_rate"] < 0.30)).sum()),
        "collapsed": len(collapsed),
        "in_largest": list(collapsed["largest_cascade"] / collapsed["deserted"].clip(lower=1)),
        "companies": len(front),
        "army_rate": float(model.metrics["desertion_rate"]),
    }


if __name__ == "__main__":
    own, overrides = read_options({"seeds": "100-139"})
    seeds = seed_range(own["seeds"])
    low, high = seeds[0], seeds[-1]
    with ProcessPoolExecutor(2) as pool:
        results = list(pool.map(one_seed, [(seed, overrides) for seed in seeds]))
    days = [d for r in results for d in r["first_days"]]
    shares = [s for r in results for s in r["in_largest"]]
    print(f"seeds {low}-{high}{' ' + str(overrides) if overrides else ''}: "
          f"{sum(r['companies'] for r in results)} frontline companies; the army's 180-day rate "
          f"{np.mean([r['army_rate'] for r in results]):.2%} on average")
    print(f"  passed 10% by day {EARLY_DAY}: {sum(d <= EARLY_DAY for d in days)}; by day 180: {len(days)}"
          + (f" (first day: median {np.median(days):.0f}, {min(days)}-{max(days)})" if days else ""))
    print(f"  on day 180: {sum(r['partial'] for r in results)} at 10-30%, "
          f"{sum(r['collapsed'] for r in results)} at 30% or more"
          + (f"; their largest cascade holds {np.median(shares):.0%} of their desertions (median; "
             f"least {min(shares):.0%})" if shares else ""))
    print(f"  seeds with a frontline cascade of 10+ by day {EARLY_DAY}: "
          f"{sum(r['early_tail'] for r in results)} of {len(results)}")
