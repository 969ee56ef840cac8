"""Prototype, not the model: casualties in engagements, before revision 8 was written (design seeds
100-109; a design aid, not a test).

    uv run python docs/design/engagements_prototype.py share=0.8 D=10 q=0.3 sig=1.5 [name=value ...]

Each day a unit is engaged with chance 1/D; the engagement's severity is exponential (sig=0) or
lognormal of mean 1 and log-sd sig; each squad is in contact with chance q; a share `share` of the
unit's hazard falls on the engaged squads in contact (mean kept), the rest every day. The draws
come from a stream of their own (seed + 10,000), unlike revision 8's `todays_engagements`, so the
figures differ from the model's with the same values. Other `name=value` pairs are model
parameters. The exploration table of revision 8 in docs/validation_plan.md comes from this command.
"""

import sys
from concurrent.futures import ProcessPoolExecutor

import numpy as np

from model import processes as proc
from model.metrics import unit_table
from model.model import MoraleModel
from model.state import OfficerStatus, Posture, Status


class Prototype(MoraleModel):
    def engage(self, seed: int, days: float, share: float, contact: float, spread: float) -> None:
        self.draws = np.random.default_rng(seed + 10_000)
        self.days, self.share, self.contact, self.spread = days, share, contact, spread

    def fight(self) -> np.ndarray:
        p, s, u, o, rng = self.params, self.soldier_table, self.unit_table, self.officer_table, self.rng
        n_units, n_squads = p.n_units, self.squad_capacity.size
        engaged = self.draws.random(n_units) < 1 / self.days
        if self.spread == 0:
            severity = self.draws.exponential(1.0, n_units)
        else:
            severity = self.draws.lognormal(-self.spread**2 / 2, self.spread, n_units)
        in_contact = self.draws.random(n_squads) < self.contact
        action = engaged * severity * self.days
        squad_unit = np.arange(n_squads) * n_units // n_squads
        squad_factor = (1 - self.share) + self.share * action[squad_unit] * in_contact / self.contact
        self.unit_hazard = proc.casualty_hazard(p, u.posture, self.unit_stretch, self.unit_competence)
        present = np.flatnonzero(self.present_mask())
        hazard = np.clip(self.unit_hazard[s.unit[present]] * squad_factor[s.squad[present]], 0, 1)
        hit_rows = present[rng.random(present.size) < hazard]
        dies = rng.random(hit_rows.size) < proc.killed_share(p, self.medical)
        killed, wounded = hit_rows[dies], hit_rows[~dies]
        self._set_status(killed, Status.KILLED)
        self._set_status(wounded, Status.WOUNDED)
        s.wound_days_left[wounded] = proc.wound_days(p, self.medical, rng, wounded.size)
        s.combat_days[hit_rows] = 0
        self.unit_hit = proc.per_unit_sum(s.unit[hit_rows], None, p.n_units)
        near = proc.personal_events(proc.close_call_chance(p), present, rng)
        near = near[self._still_present(near) & (u.posture[s.unit[near]] == Posture.FRONTLINE)]
        s.fear[near] = proc.fear_after_close_call(p, s.fear[near])
        self.counts["close_calls"] += near.size
        self.present_rows = present
        self.counts["killed"] += killed.size
        self.counts["wounded"] += wounded.size
        self.today["hit"] = hit_rows.size
        serving = np.flatnonzero(o.status == OfficerStatus.SERVING)
        unit_hazard = np.clip(self.unit_hazard * ((1 - self.share) + self.share * action), 0, 1)
        killed_chance = proc.officer_killed_chance(p, unit_hazard[o.unit[serving]], self.medical)
        lost = serving[rng.random(serving.size) < killed_chance]
        o.status[lost] = OfficerStatus.KILLED
        o.killed_day[lost] = self.day
        self.counts["officers_killed"] += lost.size
        hit = np.zeros(s.n, dtype=bool)
        hit[hit_rows] = True
        return hit


def one_seed(args: tuple) -> tuple:
    seed, engagement, overrides = args
    model = Prototype(rng=seed, **overrides)
    model.engage(seed, *engagement)
    model.run(90)
    units = unit_table(model)
    early = units[units.posture == "frontline"].largest_cascade.max()
    model.run(90)
    s = model.soldier_table
    return (s.times_deserted > 0).sum() / s.n, 0 if early != early else int(early)


if __name__ == "__main__":
    overrides, engagement = {}, {"D": 10.0, "share": 0.0, "q": 1.0, "sig": 0.0}
    for argument in sys.argv[1:]:
        name, value = argument.split("=")
        (engagement if name in engagement else overrides)[name] = float(value)
    values = (engagement["D"], engagement["share"], engagement["q"], engagement["sig"])
    with ProcessPoolExecutor(2) as pool:
        results = list(pool.map(one_seed, [(seed, values, overrides) for seed in range(100, 110)]))
    rates = [r[0] for r in results]
    print(engagement, overrides, f"mean {np.mean(rates):.1%}", " ".join(f"{r:.3f}" for r in rates))
    print("  largest frontline cascade by day 90:", [r[1] for r in results])
