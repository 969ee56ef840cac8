"""How far soldiers are from deserting, day by day (design seeds 100-103; a diagnosis, not a test).

    uv run python docs/design/margins.py

For the soldiers present on days 31, 90 and 180 of `baseline`, at the front and in the rear:
mean fear, grievance, motivation, push, deterrence and threshold, and the mean and largest
margin (push - deterrence - threshold, before the day's mood, whose standard deviation is
`daily_noise`). Then each seed's 180-day rate and the days of the first desertions. Recorded in
docs/validation.md ("Why: desertion is a timer").
"""

import numpy as np

from model.model import MoraleModel
from model.state import Posture

for seed in (100, 101, 102, 103):
    model = MoraleModel(rng=seed)
    for day in range(180):
        model.step()
        s, u = model.soldier_table, model.unit_table
        if day in (30, 89, 179):
            present = model.present_mask()
            front = u.posture[s.unit] == Posture.FRONTLINE
            margin = s.push - s.deterrence - s.threshold
            for name, mask in (("front", present & front), ("rear", present & ~front)):
                print(f"seed {seed} day {day + 1:3d} {name:5s} fear {s.fear[mask].mean():.2f} grievance "
                      f"{s.grievance[mask].mean():.2f} motivation {s.motivation[mask].mean():.2f} push "
                      f"{s.push[mask].mean():.2f} deterrence {s.deterrence[mask].mean():.3f} threshold "
                      f"{s.threshold[mask].mean():.2f}  margin mean {margin[mask].mean():.2f} "
                      f"largest {margin[mask].max():.2f}")
    deserters = model.soldier_table.times_deserted > 0
    days = model.soldier_table.deserted_day[deserters]
    first = ", ".join(f"{q:.0f}" for q in np.percentile(days, [10, 25, 50])) if days.size else "-"
    print(f"seed {seed}: 180-day rate {100 * model.metrics['desertion_rate']:.1f}%; first desertions "
          f"(10th, 25th, 50th percentile of the days): {first}")
