"""The figures docs/dashboard.md gives for the Start card's collapse and the hysteresis chart.

    uv run python docs/design/dashboard_figures.py

1. *Watch a company collapse*: the `meat_grinder` preset, seed 42, played day by day; each
   front-line company's `desertion_rate` (`model.metrics.unit_table`) every 10 days to day 120.
2. The `hysteresis` lesson (seed 42) as the dashboard plays it: the chart's points
   (`views.hysteresis_points` of `combat_intensity`), their mean before day 60 and after day 90,
   and their minimum after day 90.
"""

import numpy as np
from company_timing import first_days_over  # the script beside this one

from dashboards import views
from experiments import lessons
from experiments.runs import play
from model.model import MoraleModel
from model.scenarios import resolve

if __name__ == "__main__":
    model = MoraleModel(rng=42, **resolve("meat_grinder").overrides)
    print("meat_grinder, seed 42: front-line companies' desertion_rate (% of those who served)")

    def print_every_ten_days(day, front):
        if day % 10 == 0:
            print(f"  day {day:3d}: " + " ".join(f"U{u} {100 * r:.0f}%" for u, r in
                                                 zip(front["unit_id"], front["desertion_rate"], strict=True)))

    passed, _ = first_days_over(model, 120, (0.10, 0.50), print_every_ten_days)
    for mark, first in passed.items():
        print(f"  first day at {100 * mark:.0f}% or more: "
              + " ".join(f"U{u} {d}" for u, d in sorted(first.items(), key=lambda x: x[1])))

    lesson = lessons.resolve("hysteresis")
    model = MoraleModel(rng=lesson.seed, events=lesson.events, **lesson.overrides)
    play(model, lesson.days, ((lesson.intervention.day, lesson.intervention.levers),))
    ts = model.datacollector.model_vars
    points = views.hysteresis_points(ts["desertions_today"], ts["present"],
                                     views.lever_history(model, "combat_intensity"))
    before = [rate for day, _lever, rate in points if day < 60]
    after = [rate for day, _lever, rate in points if day > lesson.intervention.day]
    print(f"hysteresis lesson, seed {lesson.seed}: desertions per 1000 a day (7-day mean): before "
          f"day 60 {np.mean(before):.2f} on average; after day {lesson.intervention.day} "
          f"{np.mean(after):.1f} on average, never below {min(after):.1f}")
