"""Where fact 9's officer effect comes from (a design aid on design seeds, not a test).

    uv run python docs/design/officer_effect.py [seeds=N] [first=S] [name=value ...]

Runs seeds S..S+N-1 (100-139 by default) for 180 days with `officer_competence` 0.8 and 0.2, as
fact 9 does (`experiments/facts.py: measure_officers`), with the given parameter overrides
(``n_units=130 threshold_mean=0.535`` for the division), and prints both mean rates and the
geometric mean of the paired ratios (rates floored at fact 9's `RATE_FLOOR`), against fact 9's
band. Switching one of the officers' channels off (``leadership_span=0``,
``officer_protection=0``) shows how much of the ratio each carries.
"""

from concurrent.futures import ProcessPoolExecutor

import numpy as np
from arguments import read_options  # the script beside this one

from experiments.facts import LEADERSHIP_BAND, RATE_FLOOR, ratio_estimate
from model.model import MoraleModel


def one_run(args: tuple[int, float, dict]) -> float:
    seed, competence, overrides = args
    army = MoraleModel(rng=seed, **{**overrides, "officer_competence": competence})
    army.run(180)
    return army.metrics["desertion_rate"]


if __name__ == "__main__":
    own, fixed = read_options({"seeds": "40", "first": "100"})
    seeds = range(int(own["first"]), int(own["first"]) + int(own["seeds"]))
    with ProcessPoolExecutor(2) as pool:
        rates = {c: np.array(list(pool.map(one_run, [(s, c, fixed) for s in seeds]))) for c in (0.8, 0.2)}
    ratio = ratio_estimate(np.maximum(rates[0.2], RATE_FLOOR) / np.maximum(rates[0.8], RATE_FLOOR)).mean
    print(f"seeds {seeds.start}-{seeds.stop - 1}, overrides {fixed}: competence 0.8 {rates[0.8].mean():.2%}, "
          f"0.2 {rates[0.2].mean():.2%}; ratio x{ratio:.1f} (fact 9's band {LEADERSHIP_BAND[0]:g}x-"
          f"{LEADERSHIP_BAND[1]:g}x)")
