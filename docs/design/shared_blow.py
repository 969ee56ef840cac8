"""What follows a bad action: 3 or more of a frontline squad hit on one day (design seeds 100-109,
days 1-90; a diagnosis, not a test).

    uv run python docs/design/shared_blow.py engagement_share=0.8 threshold_mean=0.62

For every such action: how many were hit, how many of the squad are still present, the share of
them within the peers' reach of leaving (margin above -`peer_influence` x `peer_gain`) and their
mean margin just after the blow, and the desertions in the next 14 days from the squad and from
the rest of its company. Recorded in docs/validation_plan.md (revision 9's diagnosis).
"""

import sys
from concurrent.futures import ProcessPoolExecutor

import numpy as np

from model.model import MoraleModel
from model.state import Posture


class Watched(MoraleModel):
    def fight(self) -> np.ndarray:
        hit = super().fight()
        self.hit_today = hit.copy()
        return hit


def one_seed(args: tuple) -> list[tuple]:
    seed, overrides = args
    model = Watched(rng=seed, **overrides)
    p = model.params
    reach = p.peer_influence * p.peer_gain
    squads_per_unit = model.squad_capacity.size // p.n_units
    actions, squad_days, unit_days = [], {}, {}
    for day in range(1, 91):
        model.step()
        s, u = model.soldier_table, model.unit_table
        for row in model.yesterday_deserters:  # today's, once the day is over
            squad_days.setdefault(int(s.squad[row]), []).append(day)
            unit_days.setdefault(int(s.unit[row]), []).append(day)
        hit = np.flatnonzero(model.hit_today[: s.n])
        present = model.present_mask()
        squads, counts = np.unique(s.squad[hit], return_counts=True)
        for squad, count in zip(squads, counts, strict=True):
            unit = squad // squads_per_unit
            if count >= 3 and u.posture[unit] == Posture.FRONTLINE:
                mates = np.flatnonzero(present & (s.squad == squad))
                margin = (s.push - s.deterrence - s.threshold)[mates]
                within = float((margin > -reach).mean()) if mates.size else 0.0
                actions.append((day, unit, squad, int(count), mates.size, within,
                                float(margin.mean()) if mates.size else 0.0))
    rows = []
    for day, unit, squad, count, mates, within, mean_margin in actions:
        from_squad = sum(day <= d < day + 14 for d in squad_days.get(squad, []))
        from_unit = sum(day <= d < day + 14 for d in unit_days.get(unit, []))
        rows.append((count, mates, within, mean_margin, from_squad, from_unit - from_squad))
    return rows


if __name__ == "__main__":
    overrides = {name: float(value) for name, value in (a.split("=") for a in sys.argv[1:])}
    with ProcessPoolExecutor(2) as pool:
        rows = [r for seed_rows in pool.map(one_seed, [(s, overrides) for s in range(100, 110)])
                for r in seed_rows]
    print(overrides, f"{len(rows)} bad actions (>=3 of a frontline squad hit) by day 90 on seeds 100-109")
    if rows:
        a = np.array(rows, dtype=float)
        print(f"  hit {a[:, 0].mean():.1f} on average, survivors present {a[:, 1].mean():.1f}, within "
              f"reach after the blow {100 * a[:, 2].mean():.1f}% (mean margin {a[:, 3].mean():.2f})")
        print(f"  next 14 days: deserters from the squad {a[:, 4].mean():.2f} (at most {a[:, 4].max():.0f}), "
              f"from the rest of the company {a[:, 5].mean():.2f} (at most {a[:, 5].max():.0f})")
