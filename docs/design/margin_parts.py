"""Where the margin's spread lies: within squads or between them (design seeds 100-103, day 60;
a diagnosis, not a test).

    uv run python docs/design/margin_parts.py [name=value ...]

For frontline soldiers present on day 60 of `baseline`: the variance of the margin (push -
deterrence - threshold), the share of it within squads (the mean within-squad variance over the
total), and the variances of its parts. Recorded in docs/validation_plan.md (revision 9's
diagnosis).
"""

import sys

import pandas as pd

from model.model import MoraleModel
from model.state import Posture

overrides = {name: float(value) for name, value in (a.split("=") for a in sys.argv[1:])}
for seed in (100, 101, 102, 103):
    model = MoraleModel(rng=seed, **overrides)
    model.run(60)
    s, u = model.soldier_table, model.unit_table
    front = model.present_mask() & (u.posture[s.unit] == Posture.FRONTLINE)
    soldiers = pd.DataFrame({
        "squad": s.squad[front], "margin": (s.push - s.deterrence - s.threshold)[front],
        "deterrence": s.deterrence[front], "push": s.push[front], "threshold": s.threshold[front],
    })
    total = soldiers.margin.var()
    within = soldiers.groupby("squad").margin.var().mean()
    print(f"seed {seed}: margin variance {total:.4f}, within squads {within / total:.2f}; variance of "
          f"deterrence {soldiers.deterrence.var():.4f}, push {soldiers.push.var():.4f}, threshold "
          f"{soldiers.threshold.var():.4f}")
