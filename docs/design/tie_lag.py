"""How long after his comrades does a deserter leave? (a design aid on design seeds)

    uv run python docs/design/tie_lag.py [seeds=N] [first=S] [name=value ...]

For every desertion over 180 days on seeds S..S+N-1 (100-119 by default): the days between the
day he last heard that a tie of his had deserted (the day his count of ties gone, `ties_gone`,
last rose; he hears a day after they leave) and the day he left, in bins; "none" when no tie of
his had deserted since he joined. Fact 3 links two tied desertions at most 3 days apart
(`model/cascades.py`), which a desertion heard of the day after and acted on within two more
days meets. ``name=value`` are parameter overrides (``n_units=130`` for the division).
"""

from concurrent.futures import ProcessPoolExecutor

import numpy as np
from arguments import read_options  # the script beside this one

from model.model import MoraleModel

BINS = (("heard 0-2 days before", 0, 2), ("3-6", 3, 6), ("7-13", 7, 13), ("14-29", 14, 29),
        ("30+", 30, 10**6))


def one_run(args: tuple[int, dict]) -> np.ndarray:
    """Counts of desertions per bin, then those with no tie gone."""
    seed, overrides = args
    army = MoraleModel(rng=seed, **overrides)
    counts = np.zeros(len(BINS) + 1, dtype=int)
    last_heard = np.full(0, -1, dtype=np.int64)
    for _ in range(180):
        before = army.soldier_table.ties_gone.copy()
        army.step()
        s, day = army.soldier_table, army.day
        if last_heard.size < len(s.ties_gone):  # replacements join as new rows
            last_heard = np.concatenate([last_heard, np.full(len(s.ties_gone) - last_heard.size, -1)])
        rose = np.zeros(len(s.ties_gone), dtype=bool)
        rose[: before.size] = s.ties_gone[: before.size] > before
        last_heard[rose] = day
        left = np.flatnonzero(s.deserted_day == day)
        heard = last_heard[left]
        gaps = day - heard[heard >= 0]
        for index, (_, low, high) in enumerate(BINS):
            counts[index] += int(((gaps >= low) & (gaps <= high)).sum())
        counts[-1] += int((heard < 0).sum())
    return counts


if __name__ == "__main__":
    own, fixed = read_options({"seeds": "20", "first": "100"})
    seeds = range(int(own["first"]), int(own["first"]) + int(own["seeds"]))
    with ProcessPoolExecutor(2) as pool:
        total = sum(pool.map(one_run, [(seed, fixed) for seed in seeds]))
    shares = total / max(total.sum(), 1)
    names = [name for name, _, _ in BINS] + ["no tie gone"]
    print(f"seeds {seeds.start}-{seeds.stop - 1}, overrides {fixed}: {total.sum()} desertions; "
          + ", ".join(f"{name} {share:.0%}" for name, share in zip(names, shares, strict=True)))
