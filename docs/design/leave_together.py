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


import numpy as np
from threshold_calibration import run_prototype  # the script beside this one

from model import passes
from model import processes as proc
from model.model import MoraleModel
from model.state import Status


class LeaveTogether(MoraleModel):
    """The model with up to ``rounds`` same-day rounds of departures along ties."""

    def __init__(self, seed: int, rounds: int, **overrides):
        self.rounds = rounds
        super().__init__(rng=seed, **overrides)

    def decide(self, day: int) -> np.ndarray:
        s = self.soldier_table
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
        deserters = self.leave(day, np.concatenate(rounds))
        self.yesterday_deserters = newest  # the last round's ties hear tomorrow
        return deserters


if __name__ == "__main__":
    run_prototype(LeaveTogether, "rounds", int)
