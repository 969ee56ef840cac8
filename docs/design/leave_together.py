"""Prototype: friends who hear of a departure weigh leaving the same day (a design aid).

    uv run python docs/design/leave_together.py rounds=R [seeds=N] [name=value ...]

Not a model option yet. In the model a soldier's ties count his desertion the next day. Here,
after the day's decisions, the ties of those who left hear of it at once (their `ties_gone` and
`peer_signal` updated as the morale pass would) and weigh leaving again with the same mood,
for up to R rounds a day; the last round's deserters are heard the next day, as in the model.
Bearman (1991): local groups deserted together; Granovetter (1978): a threshold cascade runs to
its end. Runs `baseline` for 180 days on design seeds 100 to 100+N-1 (20 by default; two worker
processes) and prints what `company_makeup.py` prints.
"""

import sys
from concurrent.futures import ProcessPoolExecutor

import numpy as np

from model import passes
from model import processes as proc
from model.model import MoraleModel
from model.state import Status
from threshold_calibration import measure  # the script beside this one


class LeaveTogether(MoraleModel):
    """The model with up to ``rounds`` same-day rounds of departures along ties."""

    def __init__(self, seed: int, rounds: int, **overrides):
        self.rounds = rounds
        super().__init__(rng=seed, **overrides)

    def decide(self, day: int) -> np.ndarray:
        s, u = self.soldier_table, self.unit_table
        mood = self.rng.standard_normal(s.n, dtype=np.float32)
        kernel = self.kernel_params

        def weigh():
            return np.flatnonzero(passes.decision_pass(
                kernel, self._soldier_state(), self._unit_conditions(), self._army_conditions(), mood
            ))

        newest = weigh()
        rounds = [newest]
        for _ in range(self.rounds):
            if newest.size == 0:
                break
            self._set_status(newest, Status.DESERTED)
            squad_gone, cross_gone = proc.tie_sums(
                newest, np.ones(newest.size), s.squad, self.ties, self.squad_capacity.size, s.n
            )
            heard = squad_gone[s.squad] + cross_gone
            hearers = np.flatnonzero((heard > 0) & self.present_mask())
            s.ties_gone[hearers] += heard[hearers]
            for i in hearers:  # a prototype: the few who heard, in Python
                q = s.squad[i]
                s.peer_signal[i] = proc.peer_signal(
                    kernel[0], float(s.ties_gone[i]),
                    proc.n_ties(float(self.squad_capacity[q]), float(self.ties.degree[i])),
                    float(s.peer_threshold[i]),
                )
            newest = weigh()
            rounds.append(newest)
        deserters = np.concatenate(rounds)
        self.decision_cohesion, self.decision_norm = u.cohesion.copy(), u.desertion_norm.copy()
        self._set_status(deserters, Status.DESERTED)
        s.deserted_day[deserters] = day
        s.deserted_posture[deserters] = u.posture[s.unit[deserters]]
        s.times_deserted[deserters] += 1
        self.yesterday_deserters = newest  # the last round's ties hear tomorrow
        s.cascade[deserters] = self.cascades.record(day, deserters, s.unit, s.squad, s.cascade, self.ties)
        self.counts["desertions"] += deserters.size
        self.today["deserted"] = deserters.size
        return deserters


def one_seed(args: tuple[int, int, dict]) -> tuple:
    seed, rounds, overrides = args
    return measure(LeaveTogether(seed, rounds, **overrides))


if __name__ == "__main__":
    options = dict(a.split("=", 1) for a in sys.argv[1:])
    rounds = int(options.pop("rounds"))
    seeds = range(100, 100 + int(options.pop("seeds", 20)))
    overrides = {name: float(value) for name, value in options.items()}
    with ProcessPoolExecutor(2) as pool:
        results = list(pool.map(one_seed, [(seed, rounds, overrides) for seed in seeds]))
    rates = [r[0] for r in results]
    se = np.std(rates, ddof=1) / np.sqrt(len(rates))
    print(f"rounds {rounds} {overrides} seeds {seeds.start}-{seeds.stop - 1}: "
          f"mean {np.mean(rates):.2%} (se {se:.2%}), {min(rates):.1%}-{max(rates):.1%}, "
          f"{sum(r >= 0.3 for r in rates)} at 30%+; companies <10/10-30/>=30:",
          *np.sum([r[3] for r in results], axis=0),
          f"| frontline cascade of 10+ by day 90 in {sum(r[4] >= 10 for r in results)} seeds"
          f" | front share {np.nanmean([r[1] for r in results]):.2f}")
