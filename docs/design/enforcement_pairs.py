"""Baseline against +0.3 enforcement and +0.3 severity, paired by seed (design seeds 100-107; a diagnosis).

    uv run python docs/design/enforcement_pairs.py

Per seed: the 180-day rate, the mean over the days of the units' perceived certainty and the
soldiers' belief in capture on day 180, for baseline, `enforcement` 0.7 and `penalty_severity`
0.8. Recorded in docs/validation.md ("Why: desertion is a timer").
"""

import numpy as np

from model.model import MoraleModel


def run(seed: int, **levers) -> tuple[float, float, float]:
    model, certainty = MoraleModel(rng=seed, **levers), []
    for _ in range(180):
        model.step()
        certainty.append(float(np.mean(model.unit_certainty)))
    return model.metrics["desertion_rate"], float(np.mean(certainty)), model.certainty_belief


for seed in range(100, 108):
    arms = (run(seed), run(seed, enforcement=0.7), run(seed, penalty_severity=0.8))
    print(seed, "   ".join(f"{100 * rate:5.1f}% certainty {c:.2f} belief {b:.2f}" for rate, c, b in arms))
