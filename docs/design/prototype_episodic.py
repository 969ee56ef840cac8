"""Prototype (design seeds 100-109 only; scratch, not the model): episodic combat.

    uv run python docs/design/prototype_episodic.py BATTLE_CHANCE BATTLE_SHARE [SCENARIO] [key=value ...]

A frontline unit fights a battle on a day with chance BATTLE_CHANCE, and BATTLE_SHARE of its
casualties fall on battle days (the same mean hazard: a quiet day carries the rest). Prints per
seed the 180-day rate, the share of desertions in cascades of 5+, whether a cascade of 10+
formed by day 90, the 10th percentile of the desertion days and the killed. `0 0` is the model
as it is. Recorded in docs/validation.md ("Why: desertion is a timer").
"""

import sys

import numpy as np

import model.processes as proc
from model.model import MoraleModel
from model.scenarios import resolve

BATTLE_CHANCE, BATTLE_SHARE = float(sys.argv[1]), float(sys.argv[2])


class Episodic(MoraleModel):
    def fight(self):
        released = proc.casualty_hazard

        def hazard(p, posture, stretch, competence):
            base = released(p, posture, stretch, competence)
            if BATTLE_CHANCE <= 0:
                return base
            battle = self.rng.random(base.size) < BATTLE_CHANCE
            factor = np.where(battle, BATTLE_SHARE / BATTLE_CHANCE, (1 - BATTLE_SHARE) / (1 - BATTLE_CHANCE))
            return np.clip(base * factor, 0, 1)

        proc.casualty_hazard = hazard
        try:
            return super().fight()
        finally:
            proc.casualty_hazard = released


scenario = resolve(sys.argv[3] if len(sys.argv) > 3 else "baseline")
overrides = dict(scenario.overrides)
for arg in sys.argv[4:]:
    key, value = arg.split("=")
    overrides[key] = float(value)
rates, early = [], 0
for seed in range(100, 110):
    model, tail_by_90 = Episodic(rng=seed, **overrides), False
    for day in range(scenario.days):
        model.step()
        if day == 89:
            sizes = model.cascades.table()["size"].to_numpy()
            tail_by_90 = bool((sizes >= 10).any())
    sizes = model.cascades.table()["size"].to_numpy()
    in_large = sizes[sizes >= 5].sum() / max(sizes.sum(), 1)
    s = model.soldier_table
    deserters = s.times_deserted > 0
    first = np.percentile(s.deserted_day[deserters], 10) if deserters.any() else np.nan
    rates.append(model.metrics["desertion_rate"])
    early += tail_by_90
    print(f"{seed} rate {100 * rates[-1]:.1f}%  in 5+ cascades {100 * in_large:.0f}%  10+ by day 90 "
          f"{tail_by_90}  first decile day {first:.0f}  killed {model.counts['killed']}", flush=True)
print(f"mean {100 * np.mean(rates):.1f}%  early 10+ in {early}/10")
