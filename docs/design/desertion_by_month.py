"""The army's desertions month by month, with mean fear, grievance and cohesion (a design aid).

    uv run python docs/design/desertion_by_month.py [days=180] [seeds=100-139] [name=value ...]

Runs `baseline` (plus any parameter overrides) on each seed (two worker processes) and prints,
for each 30 days, the army's desertions (mean and median over seeds) and the means of fear,
grievance and cohesion on the window's last day: is the war near a steady state, or on its way
somewhere? Design seeds by default.
"""

from concurrent.futures import ProcessPoolExecutor

import numpy as np
from arguments import read_options, seed_range  # the script beside this one

from experiments.runs import fresh_run

WINDOW = 30


def one_seed(args: tuple[int, int, dict]):
    seed, days, overrides = args
    return fresh_run(seed, days, **overrides).datacollector.get_model_vars_dataframe()


if __name__ == "__main__":
    own, overrides = read_options({"days": "180", "seeds": "100-139"})
    days, seeds = int(own["days"]), seed_range(own["seeds"])
    low, high = seeds[0], seeds[-1]
    with ProcessPoolExecutor(2) as pool:
        series = list(pool.map(one_seed, [(s, days, overrides) for s in seeds]))
    print(f"seeds {low}-{high}, {days} days{' ' + str(overrides) if overrides else ''}")
    for start in range(1, days + 1, WINDOW):
        end = min(start + WINDOW - 1, days)
        counts = [ts["desertions_today"].iloc[start:end + 1].sum() for ts in series]

        def mean_on_end(column: str) -> float:
            return float(np.mean([ts[column].iloc[end] for ts in series]))  # noqa: B023

        print(f"  days {start:3d}-{end:3d}: desertions {np.mean(counts):7.1f} (median "
              f"{np.median(counts):5.0f}); day {end}: fear {mean_on_end('mean_fear'):.3f}, grievance "
              f"{mean_on_end('mean_grievance'):.3f}, cohesion {mean_on_end('mean_cohesion'):.3f}")
