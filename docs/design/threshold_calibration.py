"""Choose `threshold_mean` on the design seeds (100-109; a calibration aid, not a test).

    uv run python docs/design/threshold_calibration.py threshold_mean=0.585 [seeds=N] [name=value ...]

Runs `baseline` for 180 days on design seeds 100-109 (`seeds=N`: 100 to 100+N-1; two worker
processes) with the given parameters and prints: the mean 180-day desertion rate with its
standard error over seeds, and each seed's; the frontline share of
deserters; the day of the first tenth of desertions; the frontline companies (those that fought)
by their rate (<10%, 10-30%, >=30%); and the largest cascade by day 90 in a frontline company.
The calibration tables of revisions 5-9 in docs/validation_plan.md come from this command.
"""

from concurrent.futures import ProcessPoolExecutor

import numpy as np
from arguments import read_options  # the script beside this one

from model.metrics import unit_table
from model.model import MoraleModel
from model.state import Posture

DESIGN_SEEDS = range(100, 110)


def one_seed(args: tuple[int, dict]) -> tuple:
    seed, overrides = args
    return measure(MoraleModel(rng=seed, **overrides))


def measure(model: MoraleModel, early_in_fought: bool = False) -> tuple:
    """Run 180 days; the rate, frontline share, first tenth's day, company bins and largest early
    cascade (in a frontline company on day 90, or in any company that had fought by then)."""
    model.run(90)
    units = unit_table(model)
    early_units = units.days_frontline > 0 if early_in_fought else units.posture == "frontline"
    early = units[early_units].largest_cascade.max()
    model.run(90)
    s = model.soldier_table
    left = s.times_deserted > 0
    front = (s.deserted_posture[left] == int(Posture.FRONTLINE)).mean() if left.any() else float("nan")
    days = np.sort(s.deserted_day[left])
    first_tenth = int(days[len(days) // 10]) if len(days) else -1
    units = unit_table(model)
    rates = units[units.days_frontline > 0].desertion_rate.to_numpy()
    bins = ((rates < 0.1).sum(), ((rates >= 0.1) & (rates < 0.3)).sum(), (rates >= 0.3).sum())
    return left.sum() / s.n, front, first_tenth, bins, 0 if early != early else int(early)


def _measure_prototype(args: tuple) -> tuple:
    build, seed, value, overrides = args
    return measure(build(seed, value, **overrides))


def run_prototype(build, option: str, convert) -> None:
    """The command line of a prototype (`company_makeup.py`, `leave_together.py`):
    ``option=V [seeds=N] [name=value ...]``. Runs ``build(seed, convert(V), **overrides)`` for 180
    days on design seeds 100 to 100+N-1 (20 by default; two worker processes) and prints one line:
    the army's mean rate, its range, the armies at 30% or more, the companies by their rate, the
    seeds with a frontline cascade of 10+ by day 90 and the frontline share of deserters."""
    own, overrides = read_options({option: "", "seeds": "20"})
    value = convert(own[option])
    seeds = range(100, 100 + int(own["seeds"]))
    with ProcessPoolExecutor(2) as pool:
        results = list(pool.map(_measure_prototype, [(build, seed, value, overrides) for seed in seeds]))
    rates = [r[0] for r in results]
    se = np.std(rates, ddof=1) / np.sqrt(len(rates))
    print(f"{option} {value} {overrides} seeds {seeds.start}-{seeds.stop - 1}: "
          f"mean {np.mean(rates):.2%} (se {se:.2%}), {min(rates):.1%}-{max(rates):.1%}, "
          f"{sum(r >= 0.3 for r in rates)} at 30%+; companies <10/10-30/>=30:",
          *np.sum([r[3] for r in results], axis=0),
          f"| frontline cascade of 10+ by day 90 in {sum(r[4] >= 10 for r in results)} seeds"
          f" | front share {np.nanmean([r[1] for r in results]):.2f}")


if __name__ == "__main__":
    own, overrides = read_options({"seeds": str(len(DESIGN_SEEDS))})
    seeds = range(DESIGN_SEEDS.start, DESIGN_SEEDS.start + int(own["seeds"]))
    with ProcessPoolExecutor(2) as pool:
        results = list(pool.map(one_seed, [(seed, overrides) for seed in seeds]))
    rates = [r[0] for r in results]
    se = np.std(rates, ddof=1) / np.sqrt(len(rates))
    print(overrides, f"seeds {seeds.start}-{seeds.stop - 1}: mean {np.mean(rates):.2%} (se {se:.2%})",
          " ".join(f"{r:.3f}" for r in rates))
    print("  front share", " ".join(f"{r[1]:.2f}" for r in results), "| first tenth",
          [r[2] for r in results])
    bins = np.sum([r[3] for r in results], axis=0)
    print("  companies <10/10-30/>=30:", *bins, "| largest frontline cascade by day 90:",
          [r[4] for r in results])
