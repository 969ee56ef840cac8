"""Tune `union_army`'s one free lever, `combat_intensity` (a calibration aid, not a test).

    uv run python docs/design/union_tuning.py 0.075 0.08 [seeds=100-109]

For each value, runs `union_army` (its parameters from configs/scenarios/union_army.toml, with
`combat_intensity` overridden) for its 1,095 days on each seed (two worker processes) and prints
the mean `desertion_rate` (the share of soldiers ever assigned who deserted, as the test reads
it), per seed, and the killed share of those who served (`killed_cumulative / soldiers_ever`;
Fox 1889: about 4.7%). Design seeds 100-109 by default;
`seeds=0-19` measures held-out seeds. The tuning runs in docs/validation.md come from it.
"""

import sys
from concurrent.futures import ProcessPoolExecutor

import numpy as np

from experiments.runs import fresh_run
from model.scenarios import resolve


def one_seed(args: tuple[int, float]) -> tuple[float, float]:
    seed, intensity = args
    scenario = resolve("union_army")
    overrides = {**scenario.overrides, "combat_intensity": intensity}
    metrics = fresh_run(seed, scenario.days, **overrides).metrics
    killed = metrics["killed_cumulative"] / max(metrics["soldiers_ever"], 1)
    return float(metrics["desertion_rate"]), float(killed)


if __name__ == "__main__":
    values, seeds = [], range(100, 110)
    for argument in sys.argv[1:]:
        if argument.startswith("seeds="):
            first, last = argument.split("=")[1].split("-")
            seeds = range(int(first), int(last) + 1)
        else:
            values.append(float(argument))
    with ProcessPoolExecutor(2) as pool:
        for value in values:
            results = list(pool.map(one_seed, [(seed, value) for seed in seeds]))
            rates = np.array([r[0] for r in results])
            killed = np.array([r[1] for r in results])
            print(f"combat_intensity {value}: seeds {seeds.start}-{seeds.stop - 1}: mean "
                  f"{rates.mean():.1%}, per seed", " ".join(f"{r:.1%}" for r in rates),
                  f"| killed {killed.mean():.1%} ({killed.min():.1%}-{killed.max():.1%})", flush=True)
