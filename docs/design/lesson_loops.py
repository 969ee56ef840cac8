"""Each feedback loop's strength, day by day, in a lesson as the dashboard plays it.

    uv run python docs/design/lesson_loops.py [LESSON] [seed=S] [days=90,180]

Plays the lesson (default `morale_cycle_tipping`, at its own seed unless `seed=`), applying
its intervention on its day as the dashboard does, reads `dashboards.views.loop_strengths`
every day, and prints the day the strongest loop changes and every loop's figure on the chosen
days. The figures of the morale-cycle view in docs/dashboard.md come from it.
"""

import sys

from dashboards import views
from experiments import lessons
from experiments.runs import play
from model.model import MoraleModel

if __name__ == "__main__":
    args = [a for a in sys.argv[1:] if "=" not in a]
    options = dict(a.split("=", 1) for a in sys.argv[1:] if "=" in a)
    lesson = lessons.resolve(args[0] if args else "morale_cycle_tipping")
    seed = int(options.get("seed", lesson.seed))
    shown = {int(d) for d in options.get("days", "90,180").split(",")}
    model = MoraleModel(rng=seed, events=lesson.events, **lesson.overrides)
    changes = ((lesson.intervention.day, lesson.intervention.levers),)
    strongest = None
    for day in range(1, lesson.days + 1):
        play(model, day, changes)
        loops = views.loop_strengths(model)
        balance = views.loop_balance(loops)
        now = balance.dominant.key if balance.dominant else None
        if now != strongest or day in shown:
            print(f"day {day}: strongest {now}; reinforcing {balance.reinforcing:.3f} in all, "
                  f"balancing {balance.balancing:.3f} (B1 and B4)")
            if day in shown:
                figures = (f"{lp.key} {lp.strength:.3f}{'*' if lp.unit else ''}" for lp in loops)
                print("   " + ", ".join(figures))
        strongest = now
