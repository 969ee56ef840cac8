"""How long frontline soldiers stay in the line, and how many leave it hit (a design aid).

    uv run python docs/design/front_turnover.py [seeds=100-105] [name=value ...]

Runs `baseline` (plus any parameter overrides) on each seed and prints, on days 60, 120 and 180,
the median and 90th percentile of the present frontline soldiers' days of continuous combat
(`combat_days`) and their mean fear; then, of the soldiers who ever belonged to a company at the
front on day 180, how many were killed and how many deserted. The WWII yardstick: a regiment in
the Mediterranean lost half its original strength in 120 combat days (J. W. Appel, "Fighting
Fear", American Heritage). Design seeds by default.
"""


import numpy as np
from arguments import read_options, seed_range  # the script beside this one

from experiments.runs import play
from model.model import MoraleModel
from model.state import Posture, Status, is_present

if __name__ == "__main__":
    own, overrides = read_options({"seeds": "100-105"})
    for seed in seed_range(own["seeds"]):
        model = MoraleModel(rng=seed, **overrides)
        soldiers, units = model.soldier_table, model.unit_table
        marks = []
        for day in (60, 120, 180):
            play(model, day)
            n = len(soldiers)
            at_front = units.posture[soldiers.unit[:n]] == Posture.FRONTLINE
            in_line = at_front & is_present(soldiers.status[:n])
            days_in_line = soldiers.combat_days[:n][in_line]
            marks.append(
                f"day {day}: combat days median {np.median(days_in_line):.0f}, "
                f"90th pct {np.percentile(days_in_line, 90):.0f}, "
                f"fear {soldiers.fear[:n][in_line].mean():.2f}"
            )
        n = len(soldiers)
        front = units.posture[soldiers.unit[:n]] == Posture.FRONTLINE
        killed = int(((soldiers.status[:n] == Status.KILLED) & front).sum())
        deserted = int(((soldiers.status[:n] == Status.DESERTED) & front).sum())
        print(f"seed {seed}: " + "; ".join(marks)
              + f" | frontline soldiers {int(front.sum())}: killed {killed}, deserted {deserted}")
