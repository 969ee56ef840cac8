"""Do the model's cascades fall apart in the counting? The share of desertions in cascades of 5+
when two tied desertions count as linked up to W days apart (a design aid on design seeds).

    uv run python docs/design/cascade_window.py [seeds=N] [first=S] [windows=3,7,14,30] [name=value ...]

Fact 3 links two desertions when the soldiers are tied and the later one leaves at most
`CASCADE_WINDOW_DAYS` (3) days after the earlier (`model/cascades.py`), while peer influence
answers the share of a soldier's ties gone *so far* (Granovetter), which can pull him weeks after
his comrade left. Each run here sets the window to W before it starts (the window only counts;
nothing the soldiers do reads it, which the identical rates across windows show) and prints, over
seeds S..S+N-1 (100-119 by default): the mean rate, the share of desertions in cascades of 5+,
and the seeds with a frontline cascade of 10+ by day 90. ``name=value`` are parameter overrides
(``n_units=130`` for the division). Not a judgement: fact 3 keeps its 3-day window.
"""

from concurrent.futures import ProcessPoolExecutor

import numpy as np
from arguments import read_options  # the script beside this one
from feasibility import one_run as fact_three_figures  # the script beside this one

import model.cascades
from experiments.facts import TAIL_SIZE


def one_run(args: tuple[int, int, dict]) -> tuple[float, float, int]:
    window, seed, overrides = args
    model.cascades.CASCADE_WINDOW_DAYS = window  # read by the tracker on every day's record
    figures = fact_three_figures((seed, overrides))
    return figures["rate"], figures["in_large"], figures["early"]


if __name__ == "__main__":
    own, fixed = read_options({"seeds": "20", "first": "100", "windows": "3,7,14,30"})
    seeds = range(int(own["first"]), int(own["first"]) + int(own["seeds"]))
    print(f"seeds {seeds.start}-{seeds.stop - 1}, overrides {fixed}")
    with ProcessPoolExecutor(2) as pool:
        for window in (int(w) for w in own["windows"].split(",")):
            results = list(pool.map(one_run, [(window, seed, fixed) for seed in seeds]))
            rates, shares, early = (np.array(column) for column in zip(*results, strict=True))
            print(f"window {window:2d} days: rate {rates.mean():.2%}, in cascades of 5+ {shares.mean():.1%}, "
                  f"frontline cascade of 10+ by day 90 in {(early >= TAIL_SIZE).sum()} of {len(seeds)}",
                  flush=True)
