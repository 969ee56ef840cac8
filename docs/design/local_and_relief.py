"""Prototype, not the model: Epstein's arrest estimate made local, and the relief of broken units
(design seeds 100-109; a design aid, not a test).

    uv run python docs/design/local_and_relief.py local=1 relief=0.7 threshold_mean=0.66 [name=value ...]

`local` (0..1) blends the army-wide belief in capture with what each company sees (revision 9:
Epstein's ratio of the company's share of the police to its own deserters still pursued;
1 = revision 9 as judged). `relief` (a share of authorised strength; 0 = never) relieves a
frontline company at once when fewer than that share of its soldiers are present, swapping it
with the longest-rested rear company above that strength. Other `name=value` pairs are model
parameters (`engagement_share=0.8` switches revision 8's engagements on). Prints what
`threshold_calibration.py` prints, plus the reliefs per seed. Revision 9's calibration table and
the exploration "Toward revision 10" in docs/validation_plan.md come from this command.
"""

import sys
from concurrent.futures import ProcessPoolExecutor

import numpy as np
from threshold_calibration import measure  # the script beside this one

from model import processes as proc
from model.model import MoraleModel
from model.state import Posture


class Prototype(MoraleModel):
    local, relief, reliefs = 0.0, 0.0, 0

    def assess_enforcement(self, day: int) -> None:
        super().assess_enforcement(day)
        if self.local > 0:
            p, s, u = self.params, self.soldier_table, self.unit_table
            at_large = proc.per_unit_sum(s.unit[self.pursued_rows], None, p.n_units)
            police = self.police * u.authorised / max(float(u.authorised.sum()), 1.0)
            seen = 1 - np.exp(-p.capture_k * police / np.maximum(at_large, 1))
            calm = 1 - np.exp(-p.capture_k * police)
            factor = 1 - self.local * (1 - seen / calm)
            self.unit_certainty = proc.perceived_certainty(
                p, self.certainty_belief * factor, self.unit_harshness, u.punishment_salience
            )

    def rotate_units(self) -> None:
        if self.relief > 0 and self.day > 1:
            u = self.unit_table
            strength = self.unit_present / np.maximum(u.authorised, 1)
            broken = np.flatnonzero((u.posture == Posture.FRONTLINE) & (strength < self.relief))
            rear = np.flatnonzero((u.posture != Posture.FRONTLINE) & (strength >= self.relief))
            rested = rear[np.argsort(-u.days_in_posture[rear], kind="stable")]
            k = min(broken.size, rested.size)
            if k:
                out, into = broken[:k], rested[:k]
                u.posture[out], u.posture[into] = u.posture[into], Posture.FRONTLINE
                u.days_in_posture[out] = 0
                u.days_in_posture[into] = 0
                self.reliefs += k
        super().rotate_units()


def one_seed(args: tuple) -> tuple:
    seed, local, relief, overrides = args
    model = Prototype(rng=seed, **overrides)
    model.local, model.relief = local, relief
    rate, front, _, bins, early = measure(model, early_in_fought=True)
    return rate, front, bins, early, model.reliefs


if __name__ == "__main__":
    overrides, local, relief = {}, 0.0, 0.0
    for argument in sys.argv[1:]:
        name, value = argument.split("=")
        if name == "local":
            local = float(value)
        elif name == "relief":
            relief = float(value)
        else:
            overrides[name] = float(value)
    with ProcessPoolExecutor(2) as pool:
        results = list(pool.map(one_seed, [(seed, local, relief, overrides) for seed in range(100, 110)]))
    rates = [r[0] for r in results]
    print(f"local={local} relief={relief}", overrides, f"mean {np.mean(rates):.1%}",
          " ".join(f"{r:.3f}" for r in rates))
    print("  front share", " ".join(f"{r[1]:.2f}" for r in results), "| reliefs", [r[4] for r in results])
    bins = np.sum([r[2] for r in results], axis=0)
    print("  companies <10/10-30/>=30:", *bins, "| largest cascade by day 90 in a company that fought:",
          [r[3] for r in results])
