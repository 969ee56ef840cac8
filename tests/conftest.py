"""Shared helpers: cached model runs, so mechanism tests over several seeds stay fast."""

from __future__ import annotations

import numpy as np
import pytest

from experiments.runs import cached_run as run_model  # a finished run (cached: treat it as read-only)
from model.model import MoraleModel

SEEDS = tuple(range(8))


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


# Hypothesis profiles: "ci" (the default: a bounded number of examples, so the fuzz test of the
# command line, tests/test_fuzz_cli.py, stays under a minute) and "thorough" (thousands of
# examples, locally: `uv run pytest tests/test_fuzz_cli.py --hypothesis-profile thorough`).
# Tests with their own @settings(max_examples=...) keep them.
from hypothesis import HealthCheck, Phase, settings  # noqa: E402

_quiet = [HealthCheck.too_slow, HealthCheck.data_too_large, HealthCheck.filter_too_much,
          HealthCheck.function_scoped_fixture]
_phases = [Phase.explicit, Phase.reuse, Phase.generate, Phase.target, Phase.shrink]  # no slow "explain"
settings.register_profile("ci", max_examples=25, deadline=None, suppress_health_check=_quiet, phases=_phases)
settings.register_profile("thorough", max_examples=2_000, deadline=None, suppress_health_check=_quiet,
                          phases=_phases)
settings.load_profile("ci")
