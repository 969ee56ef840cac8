"""Fact 4 read per company: does one company flip, even if the army's curve is smooth?

    uv run python docs/calibration/per_company.py [SEEDS]

For each combat_intensity of fact 4's sweep (0.30..0.90) and seeds 0..SEEDS-1 (6 by
default), the 180-day desertion rate of every frontline company, as a histogram. A unit that
flips from isolated desertions to a cascade shows as a gap: at intensities near its tipping
point the companies sit either low or high (two humps), not spread in one hump that slides
up. The last column is the share of companies with a cascade of 10+ (fact 3's ``TAIL_SIZE``; fact 4's
own measure before the facts were re-specified in commit e779982).
"""

from __future__ import annotations

import itertools
import multiprocessing as mp
import sys

import numpy as np

from experiments.facts import TAIL_SIZE, TIPPING_LEVER, TIPPING_VALUES, tipping_run
from experiments.runs import fresh_run

BINS = (0, 0.05, 0.10, 0.15, 0.20, 0.30, 0.40, 0.60, 1.01)


def frontline_companies(args: tuple[int, float]) -> tuple[float, np.ndarray, np.ndarray]:
    seed, value = args
    _, front = tipping_run(seed, value, run=fresh_run)
    return value, front["desertion_rate"].to_numpy(), front["largest_cascade"].to_numpy()


def main() -> None:
    seeds = int(sys.argv[1]) if len(sys.argv) > 1 else 6
    tasks = [(seed, value) for seed in range(seeds) for value in TIPPING_VALUES]
    with mp.get_context("fork").Pool(2) as pool:
        results = pool.map(frontline_companies, tasks)
    labels = " ".join(f"{100 * lo:.0f}-{100 * min(hi, 1):.0f}%" for lo, hi in itertools.pairwise(BINS))
    print(f"frontline companies by 180-day desertion rate, seeds 0-{seeds - 1}")
    print(f"{TIPPING_LEVER}  {labels}  | cascade {TAIL_SIZE}+")
    for value in TIPPING_VALUES:
        rates = np.concatenate([r for v, r, _ in results if v == value])
        cascades = np.concatenate([c for v, _, c in results if v == value])
        counts = " ".join(f"{n:>{len(label)}d}" for n, label in
                          zip(np.histogram(rates, bins=BINS)[0], labels.split(), strict=True))
        print(f"{value:16.3f}  {counts}  | {100 * np.mean(cascades >= TAIL_SIZE):.0f}%")


if __name__ == "__main__":
    main()
