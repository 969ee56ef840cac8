"""Is there a region where facts 1, 2 and 3 hold together? A map on design seeds (a design aid).

    uv run python docs/design/feasibility.py [seeds=N] [first=S] [target=R] \
        [grid="name:v1,v2;name:v1,v2"] [name=value ...]

For every combination of the values in ``grid`` (the parameters that have no measured value:
by default `peer_threshold_mean`, `fatigue_days` and `start_grievance`), `threshold_mean` is
chosen by bisection on 0.45-0.70 (six steps, about 0.004 apart at the end) so that the army's
mean 180-day rate is nearest ``target`` (5.5%, the calibration target of revisions 11-15) on
design seeds S to S+N-1 (100-139 by default); at that value the same seeds run again with
`peer_influence` 0. Other ``name=value`` are fixed overrides for every run (for the division:
``n_units=130``); a given ``threshold_mean=V`` skips the bisection. Prints one line per
combination with fact 3's figures (`experiments/facts.py`: share of desertions in cascades of
5+, cascades of 5+ removed without peers, the rate without peers over the rate, seeds with a
frontline cascade of 10+ by day 90, with and without peers), fact 2's standardised frontline
share (mean over seeds) and fact 1's (seeds at 30% or more, armies that tip whole; the mean
share of units at 10%+; the frontline companies' variance over the binomial, geometric mean).
Not a judgement: design seeds only.
"""

import itertools
from concurrent.futures import ProcessPoolExecutor

import numpy as np
from arguments import read_options  # the script beside this one

from experiments.facts import LARGE_CASCADE, RATE_FLOOR, TAIL_SIZE, dispersion_index, standardised_front_share
from model.metrics import unit_table, units_over_10pct
from model.model import MoraleModel

DEFAULT_GRID = "peer_threshold_mean:0.25,0.15,0.1;fatigue_days:60,220,1000;start_grievance:0.1,0.3"


def one_run(args: tuple[int, dict]) -> dict:
    seed, overrides = args
    model = MoraleModel(rng=seed, **overrides)
    model.run(90)
    units = unit_table(model)
    early = units[units.posture == "frontline"].largest_cascade.max()
    model.run(90)
    sizes = model.cascades.table()["size"].to_numpy()
    m = model.metrics
    units = unit_table(model)
    front = units[units.posture == "frontline"]
    return {
        "units_over_10": units_over_10pct(units.desertion_rate.to_numpy()) / len(units),
        "dispersion": dispersion_index(front.deserted.to_numpy(), front.soldiers_ever.to_numpy()),
        "rate": m["desertion_rate"],
        "standardised": standardised_front_share(m["desertion_rate_frontline"], m["desertion_rate_rear"]),
        "in_large": sizes[sizes >= LARGE_CASCADE].sum() / max(sizes.sum(), 1),
        "large": int((sizes >= LARGE_CASCADE).sum()),
        "early": 0 if early != early else int(early),
    }


def runs(pool, seeds: range, overrides: dict) -> list[dict]:
    return list(pool.map(one_run, [(seed, overrides) for seed in seeds]))


def mean_rate(results: list[dict]) -> float:
    return float(np.mean([r["rate"] for r in results]))


def calibrate(pool, seeds: range, overrides: dict, target: float) -> tuple[float, list[dict]]:
    """Bisection on threshold_mean (the rate falls as it rises); the tried value nearest target."""
    low, high, tried = 0.45, 0.70, []
    for _ in range(6):
        middle = round((low + high) / 2, 4)
        results = runs(pool, seeds, {**overrides, "threshold_mean": middle})
        tried.append((abs(mean_rate(results) - target), middle, results))
        low, high = (middle, high) if mean_rate(results) > target else (low, middle)
    _, value, results = min(tried, key=lambda t: t[0])
    return value, results


def line(values: dict, threshold: float, on: list[dict], off: list[dict]) -> str:
    rates = np.array([r["rate"] for r in on])
    large, large_off = np.array([r["large"] for r in on]), np.array([r["large"] for r in off])
    some = large > 0
    removed = float(np.mean(1 - large_off[some] / large[some])) if some.any() else float("nan")
    rates_off = np.array([r["rate"] for r in off])
    peers_off = float(np.mean(np.maximum(rates_off, RATE_FLOOR) / np.maximum(rates, RATE_FLOOR)))
    early = sum(r["early"] >= TAIL_SIZE for r in on)
    early_off = sum(r["early"] >= TAIL_SIZE for r in off)
    dispersion = np.exp(np.mean(np.log([max(r["dispersion"], 1e-9) for r in on])))
    return (f"{values} threshold_mean {threshold}: rate {rates.mean():.2%} (se "
            f"{rates.std(ddof=1) / np.sqrt(rates.size):.2%}), {(rates >= 0.3).sum()} at 30%+, units at 10%+ "
            f"{np.mean([r['units_over_10'] for r in on]):.0%}, frontline variance x{dispersion:.1f} | "
            f"in 5+ {np.mean([r['in_large'] for r in on]):.1%}, removed {removed:.0%}, peers off "
            f"x{peers_off:.2f}, early 10+ in {early} of {len(on)} ({early_off} with peers off) | "
            f"standardised front {np.nanmean([r['standardised'] for r in on]):.1%}")


if __name__ == "__main__":
    own, fixed = read_options({"seeds": "40", "first": "100", "target": "0.055", "grid": DEFAULT_GRID})
    seeds = range(int(own["first"]), int(own["first"]) + int(own["seeds"]))
    axes = [(name, values.split(",")) for name, values in
            (axis.split(":") for axis in own["grid"].split(";"))]
    print(f"seeds {seeds.start}-{seeds.stop - 1}, fixed {fixed}, target {float(own['target']):.1%}")
    with ProcessPoolExecutor(2) as pool:
        for combination in itertools.product(*(values for _, values in axes)):
            values = {name: float(value) for (name, _), value in zip(axes, combination, strict=True)}
            if "threshold_mean" in fixed:  # given: no bisection
                threshold = fixed["threshold_mean"]
                on = runs(pool, seeds, {**fixed, **values})
            else:
                threshold, on = calibrate(pool, seeds, {**fixed, **values}, float(own["target"]))
            off = runs(pool, seeds, {**fixed, **values, "threshold_mean": threshold, "peer_influence": 0.0})
            print(line(values, threshold, on, off), flush=True)
