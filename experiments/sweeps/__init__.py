"""Batch parameter sweeps: many runs of the model, resumable, on local processes or Dask.

A sweep spec (``configs/sweeps/*.toml``) names a base scenario, the parameters
to vary and how (a ``grid`` of values, or ``lhs``/``sobol``/``morris`` samples
of ranges), the replicate seeds and the days to simulate. Every varied value is
checked against the single parameter definition (``model.parameters``), so a
bad spec stops before anything runs, with one line naming the field, the value
and what is allowed.

A sweep is planned into runs; each run is one parameter set and one seed, named
by ``run_id``, a hash of the fully resolved parameters, the seed and the days.
The plan depends on nothing but the spec: the same spec gives the same runs and
the same rows however many workers run them and in whatever order they finish.

Results go into the output folder::

    .morale-sweep      the manifest: marks the folder as a sweep's (written first); a folder
                       without it that holds other files is refused
    spec.toml          a copy of the spec
    sweep.json         what the report needs: design, varied parameters, run count
    design.parquet     one row per design point and seed: sample, seed, run_id, raw values
    parts/             one small parquet file per finished run: RUN_ID.ok.parquet or
                       RUN_ID.failed.parquet (written to a temporary name, then renamed)
    timeseries/        optional daily series, one RUN_ID.parquet per run
    runs.parquet       every run, one row each, in plan order; written last, only when
                       every planned run has a part file

Resume: a run is finished when its ``.ok`` part exists. Rerunning the same
command skips finished runs and retries failed ones; a sweep killed at any
moment loses at most the runs that were in flight.
"""

from experiments.sweeps.design import Dimension, salib_problem, sample_design
from experiments.sweeps.outcomes import OUTCOMES, outcomes, runs_schema
from experiments.sweeps.runners import (
    CRASH_ENV,
    FAIL_ENV,
    SweepReport,
    execute_run,
    failed_result,
    format_seconds,
    new_worker_pool,
    run_in_processes,
    run_on_dask,
    run_sweep,
)
from experiments.sweeps.spec import (
    MAX_RUNS,
    SWEEP_DIR,
    RunTask,
    Sweep,
    SweepError,
    SweepSpec,
    available,
    load,
    plan,
    run_id,
)
from experiments.sweeps.store import ResultStore, write_atomic

__all__ = [
    "CRASH_ENV", "FAIL_ENV", "MAX_RUNS", "OUTCOMES", "SWEEP_DIR", "Dimension", "ResultStore", "RunTask",
    "Sweep", "SweepError", "SweepReport", "SweepSpec", "available", "execute_run", "failed_result",
    "format_seconds", "load", "new_worker_pool", "outcomes", "plan", "run_id", "run_in_processes",
    "run_on_dask", "run_sweep", "runs_schema", "salib_problem", "sample_design", "write_atomic",
]
