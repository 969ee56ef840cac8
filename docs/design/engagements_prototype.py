"""Prototype, not the model: casualties in engagements, before revision 8 was written (design seeds
100-109; a design aid, not a test).

    uv run python docs/design/engagements_prototype.py share=0.8 D=10 q=0.3 sig=1.5 [name=value ...]

Each day a unit is engaged with chance 1/D; the engagement's severity is exponential (sig=0) or
lognormal of mean 1 and log-sd sig; each squad is in contact with chance q; a share `share` of the
unit's hazard falls on the engaged squads in contact (mean kept), the rest every day. The draws
come from a stream of their own (seed + 10,000), in place of revision 8's `todays_engagements`
(the model's, which draws from the model's stream), so the figures differ from the model's with
the same values. Other `name=value` pairs are model parameters. The exploration table of revision
8 in docs/validation_plan.md comes from this command.
"""

import sys
from concurrent.futures import ProcessPoolExecutor

import numpy as np
from threshold_calibration import one_seed as calibration_run  # the script beside this one

from model import processes as proc


def prototype_engagements(draws: np.random.Generator, days: float, share: float, contact: float,
                          spread: float):
    """A stand-in for ``processes.todays_engagements`` with its own stream and exponential option."""

    def todays_engagements(p, rng, squad_unit):
        n_units, n_squads = p.n_units, squad_unit.size
        engaged = draws.random(n_units) < 1 / days
        if spread == 0:
            severity = draws.exponential(1.0, n_units)
        else:
            severity = draws.lognormal(-spread**2 / 2, spread, n_units)
        in_contact = draws.random(n_squads) < contact
        action = engaged * severity * days
        unit_factor = (1 - share) + share * action
        squad_factor = (1 - share) + share * action[squad_unit] * in_contact / contact
        return unit_factor, squad_factor

    return todays_engagements


def one_seed(args: tuple) -> tuple:
    seed, engagement, overrides = args
    proc.todays_engagements = prototype_engagements(np.random.default_rng(seed + 10_000), *engagement)
    rate, _, _, _, early = calibration_run((seed, overrides))  # the model's fight calls the stand-in
    return rate, early


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
