"""Shared helpers: cached model runs, so mechanism tests over several seeds stay fast."""

from __future__ import annotations

from functools import cache

import numpy as np
import pytest

from model.model import MoraleModel

SEEDS = tuple(range(8))


@cache
def _run(seed: int, days: int, overrides: tuple) -> MoraleModel:
    model = MoraleModel(rng=seed, **dict(overrides))
    model.run(days)
    return model


def run_model(seed: int, days: int = 180, **overrides) -> MoraleModel:
    """A finished run (cached: treat it as read-only)."""
    return _run(seed, days, tuple(sorted(overrides.items())))


def mean_over_seeds(metric: str, seeds=SEEDS, days: int = 180, **overrides) -> float:
    return float(np.mean([run_model(s, days, **overrides).metrics[metric] for s in seeds]))


@pytest.fixture(scope="session", autouse=True)
def compiled_kernels():
    """Compile the model's numba passes once, before any test (a fresh clone has no cache yet):
    the processes the tests start (the dashboard server, sweep workers, the CLI) then load them
    from numba's on-disk cache instead of each compiling them under a test's timeout."""
    MoraleModel(rng=0, n_units=2, unit_size=20).run(3)


@pytest.fixture
def small_model() -> MoraleModel:
    """A fresh small army (6 units of 40), for tests that change it."""
    return MoraleModel(rng=7, n_units=6, unit_size=40)
