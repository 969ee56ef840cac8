"""A deterministic sampler for pyabc: same seed, same posterior, whatever the workers.

pyabc's own samplers draw each particle's proposal from the global numpy generator, and the
parallel ones reseed it from the operating system's entropy in every worker (``np.random.seed()``
with no argument): two runs of the same calibration then accept different particles. This
sampler makes every draw a function of the run's seed:

- a generation ``t`` proposes particles in fixed-size batches; particle ``i`` of generation
  ``t`` gets the seed ``particle_seed(seed, t, i)`` (a ``numpy.random.SeedSequence`` of the three),
  and the task seeds ``np.random`` and ``random`` with it just before calling pyabc's
  ``simulate_one``: the proposal (a prior draw, or a pick from the last population and its
  perturbation), the simulation's own seeds (drawn by the model function from the same
  generator) and the acceptance are all fixed by ``(seed, t, i)``;
- a batch is evaluated through a map (in this process, a local process pool or a Dask
  client), and its results are read back in index order;
- particles are accepted in index order until ``n`` are accepted; the particles after the
  ``n``-th acceptance in its batch are discarded unseen, so the population and the count of
  evaluations (``nr_evaluations_``, pyabc's acceptance rate) do not depend on how many
  workers ran the batch or in which order they finished.

The batch size depends on the population size only, never on the workers.
"""

from __future__ import annotations

import os
import random
from collections.abc import Callable, Iterable
from typing import Any

import cloudpickle
import numpy as np
from pyabc.sampler import Sampler

# Test hook (docs/calibration.md): the process dies, as if killed, when generation GEN+1 is about
# to start, i.e. just after generation GEN was stored in the history.
KILL_ENV = "MORALE_CALIBRATE_KILL_AFTER"

Map = Callable[[Callable, list], Iterable]  # a map over tasks, yielding results in task order


def particle_seed(seed: int, t: int, index: int) -> int:
    """The seed of particle ``index`` of generation ``t`` (``t = -1``: pyabc's calibration sample)."""
    return int(np.random.SeedSequence([int(seed), int(t) + 1, int(index)]).generate_state(1)[0])


def evaluate_particle(task: tuple[bytes, int]) -> Any:
    """In a worker: seed the global generators, then propose, simulate and judge one particle."""
    payload, seed = task
    simulate_one = cloudpickle.loads(payload)
    np.random.seed(seed)  # noqa: NPY002 (pyabc draws proposals from the global generator)
    random.seed(seed)
    return simulate_one()


class DeterministicSampler(Sampler):
    """Accept in index order from per-particle seeded batches (see the module docstring).

    ``map_`` evaluates a list of tasks and yields the results in task order (the builtin
    ``map``, a process pool's ``map``, or a wrapper of a Dask client's ``map``);
    ``batch_size`` particles are proposed at a time (default: the population size);
    ``max_per_generation`` evaluations (default 50 x the population) end a generation that
    accepts too rarely: pyabc then stops with the generations done so far.
    ``on_particle(t, evaluated)`` and ``on_batch(t, accepted, n, considered)`` report progress.
    """

    def __init__(self, seed: int, map_: Map = map, batch_size: int | None = None,
                 max_per_generation: int | None = None,
                 on_particle: Callable[[int, int], None] | None = None,
                 on_batch: Callable[[int, int, int, int], None] | None = None):
        super().__init__()
        self.seed = int(seed)
        self.map_ = map_
        self.batch_size = batch_size
        self.max_per_generation = max_per_generation
        self.on_particle = on_particle
        self.on_batch = on_batch
        self.evaluated_: dict[int, int] = {}   # t -> particles simulated (including discarded ones)
        self.considered_: dict[int, int] = {}  # t -> particles up to the n-th acceptance

    def sample_until_n_accepted(self, n, simulate_one, t, *, max_eval=np.inf, all_accepted=False,
                                ana_vars=None):
        kill_after = os.environ.get(KILL_ENV)
        if kill_after and t > int(kill_after):
            os._exit(137)  # as if killed: generation t-1 is in the history, nothing else happens
        payload = cloudpickle.dumps(simulate_one)
        batch = self.batch_size or n
        cap = self.max_per_generation or 50 * n
        considered: list[Any] = []
        accepted = evaluated = 0
        index = 0
        while accepted < n and index < min(cap, max_eval):
            size = int(min(batch, cap - index))
            tasks = [(payload, particle_seed(self.seed, t, index + k)) for k in range(size)]
            results = []
            for particle in self.map_(evaluate_particle, tasks):
                results.append(particle)
                evaluated += 1
                if self.on_particle is not None:
                    self.on_particle(t, evaluated)
            for particle in results:  # in index order, whatever order the workers finished in
                if accepted == n:
                    break
                considered.append(particle)
                accepted += bool(particle.accepted)
            index += size
            if self.on_batch is not None:
                self.on_batch(t, accepted, n, len(considered))
        sample = self._create_empty_sample()
        for particle in considered:
            sample.append(particle)
        if accepted < n:
            sample.ok = False
        self.nr_evaluations_ = len(considered)
        self.evaluated_[t] = evaluated
        self.considered_[t] = len(considered)
        return sample
