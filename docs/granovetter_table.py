"""Print the Granovetter (1978) table of docs/validation.md: groups of 100 run by the model's rule.

    uv run python docs/granovetter_table.py

Mean final participation over 200 groups per spread and seed, seeds 0-9 (mean [95% interval]),
next to the infinite-group equilibrium of the same threshold rule (r <- P(theta <= r) from 0).
"""

from __future__ import annotations

import math

import numpy as np

from experiments import granovetter as g
from experiments.stats import interval

SEEDS = range(10)


def infinite_group(sigma: float, mean: float = g.NORMAL_MEAN) -> float:
    """Granovetter's equilibrium: iterate r <- P(theta <= r) from r = 0."""
    if sigma == 0:
        return 0.0 if mean > 0 else 1.0
    r = 0.0
    for _ in range(10_000):
        nxt = 0.5 * (1 + math.erf((r - mean) / (sigma * math.sqrt(2))))
        if abs(nxt - r) < 1e-12:
            break
        r = nxt
    return r


def main() -> None:
    curves = [g.normal_curve(seed) for seed in SEEDS]
    print("| sigma | groups of 100 (the model's functions) | infinite group |")
    print("|---|---|---|")
    for sigma in g.SIGMAS:
        values = np.array([c[sigma] for c in curves])
        mean, _sd, low, high = interval(values)
        print(f"| {sigma:.2f} | {100 * mean:.1f}% [{100 * low:.1f}, {100 * high:.1f}] | "
              f"{100 * infinite_group(sigma):.1f}% |")


if __name__ == "__main__":
    main()
