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

from __future__ import annotations

import hashlib
import itertools
import json
import math
import os
import threading
import time
import traceback
import uuid
from collections import deque
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq
from pydantic import BaseModel, ConfigDict, Field, ValidationError

import configs
from model.parameters import (
    PARAMETER_NAMES,
    ParameterError,
    describe_range,
    did_you_mean,
    one_line,
    spec,
    suggest,
    validate,
)
from model.scenarios import MAX_DAYS, ScenarioError, preset_or_path, presets, read_toml_text, resolve

SWEEP_DIR = configs.folder("sweeps")
DESIGNS = ("grid", "lhs", "sobol", "morris")
MAX_RUNS = 250_000  # the plan is held in memory: about 5 kB per distinct parameter set
FORMAT_VERSION = 1

# Test hooks (documented in docs/sweeps.md): make chosen runs raise, or kill their worker once.
FAIL_ENV = "MORALE_SWEEP_FAIL"    # comma-separated run_ids that raise
CRASH_ENV = "MORALE_SWEEP_CRASH"  # RUN_ID:FLAG_FILE -> the worker process dies once (flag absent)


class SweepError(ValueError):
    """A sweep spec, output folder or cluster that cannot be used; the message is one line."""


# --------------------------------------------------------------------------- #
# Outcomes: one number per run
# --------------------------------------------------------------------------- #

OUTCOMES: dict[str, tuple[str, str]] = {
    "desertion_rate": ("float", "share of soldiers ever assigned who deserted at least once, at the end"),
    "desertion_rate_frontline": ("float", "the same among soldiers who ever served in a frontline unit"),
    "desertion_rate_rear": ("float", "the same among soldiers who ever served in a second-line or "
                            "reserve unit"),
    "day_desertion_10pct": ("int", "first day the army-wide desertion rate reached 10% "
                            "(empty if it never did: Lyall's mass desertion)"),
    "units_over_10pct": ("int", "units that lost 10% or more of their soldiers to desertion"),
    "worst_unit_desertion_rate": ("float", "desertion rate of the worst unit"),
    "largest_cascade": ("int", "size of the largest desertion cascade"),
    "cascades": ("int", "number of cascades (a lone desertion counts as one)"),
    "combat_effectiveness": ("float", "frontline strength x will x supply at the end (0..1)"),
    "mean_motivation": ("float", "mean motivation of soldiers present at the end"),
    "mean_fear": ("float", "mean fear of soldiers present at the end"),
    "mean_grievance": ("float", "mean grievance of soldiers present at the end"),
    "present": ("int", "soldiers present at the end"),
    "soldiers_ever": ("int", "soldiers ever assigned (the start plus replacements)"),
    "killed": ("int", "soldiers killed"),
    "caught": ("int", "captures of deserters"),
}

RUN_COLUMNS: dict[str, str] = {
    "run_id": "hash of the resolved parameters, the seed and the days (16 hex digits)",
    "seed": "random seed of the run",
    "days": "days simulated",
    "status": "ok or failed",
    "error": "for a failed run, the exception and where it was raised",
    "wall_time_s": "seconds the run took on its worker",
    "version": "unit-morale package version that ran it",
}


def _arrow_type(kind: str) -> pa.DataType:
    return pa.int64() if kind == "int" else pa.float64()


def runs_schema() -> pa.Schema:
    """Columns of ``runs.parquet`` and of every part file, in order."""
    fields = [pa.field("run_id", pa.string(), nullable=False)]
    fields += [pa.field(name, _arrow_type(spec(name)["type"])) for name in PARAMETER_NAMES]
    fields += [
        pa.field("seed", pa.int64()),
        pa.field("days", pa.int64()),
        pa.field("status", pa.string()),
        pa.field("error", pa.string()),
        pa.field("wall_time_s", pa.float64()),
        pa.field("version", pa.string()),
    ]
    fields += [pa.field(name, _arrow_type(kind)) for name, (kind, _) in OUTCOMES.items()]
    return pa.schema(fields)


# --------------------------------------------------------------------------- #
# The spec
# --------------------------------------------------------------------------- #


class TimeseriesSpec(BaseModel):
    """Whether to keep each run's daily metrics, and every how many days."""

    model_config = ConfigDict(extra="forbid")
    keep: bool = False
    every: int = Field(1, ge=1, le=MAX_DAYS)


class SweepSpec(BaseModel):
    """The TOML file, as written (before the design is sampled)."""

    model_config = ConfigDict(extra="forbid")
    description: str = Field(min_length=1)
    scenario: str = "baseline"
    design: Literal["grid", "lhs", "sobol", "morris"] = "grid"
    samples: int | None = Field(None, ge=1, le=MAX_RUNS)
    levels: int = Field(4, ge=2, le=1000)
    second_order: bool = False
    design_seed: int = Field(0, ge=0)
    seeds: int | list[int]
    days: int | None = Field(None, ge=1, le=MAX_DAYS)
    parameters: dict[str, Any] = Field(default_factory=dict)
    vary: dict[str, Any]
    timeseries: TimeseriesSpec = Field(default_factory=TimeseriesSpec)


TOP_LEVEL_KEYS = tuple(SweepSpec.model_fields)


@dataclass(frozen=True)
class Dimension:
    """One varied parameter: its grid values, or the range it is sampled from."""

    name: str
    kind: str  # "int" or "float"
    values: tuple[float, ...] | None = None  # grid
    low: float | None = None
    high: float | None = None


@dataclass(frozen=True)
class RunTask:
    """Everything a worker needs for one run (small and picklable)."""

    run_id: str
    parameters: dict[str, Any]
    seed: int
    days: int
    timeseries_every: int = 0  # 0: keep no time series


@dataclass
class Sweep:
    """A validated spec with its design sampled and its runs planned."""

    name: str
    spec: SweepSpec
    text: str
    scenario: str
    days: int
    seeds: tuple[int, ...]
    dimensions: tuple[Dimension, ...]
    design: pd.DataFrame  # sample, seed, run_id, one raw column per varied parameter
    tasks: list[RunTask] = field(default_factory=list)  # unique runs, in plan order

    @property
    def varied(self) -> list[str]:
        return [d.name for d in self.dimensions]

    def info(self) -> dict[str, Any]:
        """What ``sweep.json`` records: enough for the report and to recognise the same plan."""
        return {
            "format": FORMAT_VERSION,
            "name": self.name,
            "description": self.spec.description,
            "scenario": self.scenario,
            "design": self.spec.design,
            "samples": self.spec.samples,
            "levels": self.spec.levels,
            "second_order": self.spec.second_order,
            "design_seed": self.spec.design_seed,
            "seeds": list(self.seeds),
            "days": self.days,
            "varied": [
                {"name": d.name, "type": d.kind, "values": list(d.values) if d.values else None,
                 "min": d.low, "max": d.high}
                for d in self.dimensions
            ],
            "timeseries_every": self.tasks[0].timeseries_every if self.tasks else 0,
            "design_points": int(self.design["sample"].nunique()),
            "runs": len(self.tasks),
            "plan": plan_fingerprint(self.tasks),
        }


def plan_fingerprint(tasks: Iterable[RunTask]) -> str:
    """A hash of the planned runs (ids in order, and whether time series are kept)."""
    h = hashlib.sha256()
    for t in tasks:
        h.update(f"{t.run_id}:{t.timeseries_every};".encode())
    return h.hexdigest()[:16]


def run_id(parameters: dict[str, Any], seed: int, days: int) -> str:
    """The name of a run: a hash of every resolved parameter, the seed and the days."""
    canonical = json.dumps(
        {"parameters": parameters, "seed": int(seed), "days": int(days)},
        sort_keys=True, separators=(",", ":"),
    )
    return hashlib.sha256(canonical.encode()).hexdigest()[:16]


def available() -> dict[str, Path]:
    """Preset sweep specs by name."""
    return presets(SWEEP_DIR)


def load(name_or_path: str) -> Sweep:
    """Read, validate and plan a sweep spec; raise SweepError with one line if it is bad."""
    path = preset_or_path(name_or_path, SWEEP_DIR, "sweep spec", SweepError)
    raw, text = read_toml_text(path, "sweep spec", SweepError)
    return plan(raw, name=path.stem, source=str(path), text=text, base_dir=path.parent)


def _spec_error(error: ValidationError, source: str) -> str:
    """One line for a pydantic error of the spec's top-level keys."""
    first = error.errors()[0]
    if first["type"] not in ("extra_forbidden", "missing") and first.get("loc", ("",))[0] == "seeds":
        return (f"'seeds' in {source} = {first.get('input')!r} is not allowed: give a count "
                "(seeds 0, 1, ...) or a list of whole numbers")

    def hint(key: str) -> str:
        if key in PARAMETER_NAMES:
            return " (parameters to vary go under [vary], fixed ones under [parameters])"
        return did_you_mean(key, TOP_LEVEL_KEYS)

    # lowercase=False: pydantic's own words, as the sweep messages have always had them
    return one_line(error, source, keys=TOP_LEVEL_KEYS, hint=hint,
                    needs="sweep spec {source} needs '{field}'", lowercase=False)


def plan(
    raw: dict[str, Any], *, name: str, source: str, text: str = "", base_dir: Path | None = None
) -> Sweep:
    """Validate a spec (as parsed TOML), sample its design and plan its runs."""
    try:
        spec_ = SweepSpec(**raw)
    except ValidationError as exc:
        raise SweepError(_spec_error(exc, source)) from None
    except TypeError:
        raise SweepError(f"sweep spec {source} must be a TOML table of keys") from None

    scenario = _resolve_scenario(spec_.scenario, base_dir, source)
    base = {**scenario.overrides}
    for pname, value in spec_.parameters.items():
        if pname not in PARAMETER_NAMES:
            raise SweepError(f"unknown parameter '{pname}' in [parameters] of {source}"
                             f"{suggest(pname)}; `morale params` lists them all")
        base[pname] = value
    _check(lambda: validate(base, source=f"[parameters] of {source}"))

    seeds = _seeds(spec_.seeds, source)
    days = spec_.days if spec_.days is not None else scenario.days
    dimensions = tuple(_dimension(pname, entry, spec_, base, source) for pname, entry in spec_.vary.items())
    if not dimensions:
        raise SweepError(f"[vary] in {source} is empty: name at least one parameter to vary")
    if spec_.design != "grid" and spec_.samples is None:
        raise SweepError(f"design '{spec_.design}' in {source} needs 'samples' (a whole number)")
    if spec_.design == "grid" and spec_.samples is not None:
        raise SweepError(f"'samples' in {source} does not apply to a grid (its size is the product "
                         "of the value counts); remove it")
    if spec_.design == "sobol" and spec_.samples & (spec_.samples - 1):
        raise SweepError(f"'samples' in {source} = {spec_.samples} is not allowed: a sobol design "
                         "needs a power of 2 (e.g. 64, 128, 256)")

    points = sample_design(spec_, dimensions)
    n_runs = len(points) * len(seeds)
    if n_runs > MAX_RUNS:
        raise SweepError(f"sweep {source} plans {n_runs:,} runs; at most {MAX_RUNS:,} are allowed")
    every = spec_.timeseries.every if spec_.timeseries.keep else 0

    rows: list[dict[str, Any]] = []
    tasks: dict[str, RunTask] = {}
    for sample, point in enumerate(points):
        values = {d.name: _as_kind(v, d.kind) for d, v in zip(dimensions, point, strict=True)}
        where = f"design point {sample} of {source}" if spec_.design != "grid" else source
        resolved = _check(lambda values=values, where=where: validate({**base, **values}, source=where))
        parameters = resolved.model_dump()
        for seed in seeds:
            rid = run_id(parameters, seed, days)
            tasks.setdefault(rid, RunTask(rid, parameters, seed, days, every))
            rows.append({"sample": sample, "seed": seed, "run_id": rid,
                         **{d.name: float(v) for d, v in zip(dimensions, point, strict=True)}})
    design = pd.DataFrame(rows)
    return Sweep(name, spec_, text, scenario.name, days, seeds, dimensions, design, list(tasks.values()))


def _check(build: Callable[[], Any]) -> Any:
    try:
        return build()
    except ParameterError as exc:
        raise SweepError(str(exc)) from None


def _resolve_scenario(name: str, base_dir: Path | None, source: str):
    candidate = (base_dir / name) if base_dir is not None else None
    try:
        if candidate is not None and name.endswith(".toml") and candidate.is_file():
            return resolve(str(candidate))
        return resolve(name)
    except ScenarioError as exc:
        raise SweepError(f"scenario of {source}: {exc}") from None


def _seeds(value: int | list[int], source: str) -> tuple[int, ...]:
    if isinstance(value, int):
        if not 1 <= value <= 100_000:
            raise SweepError(f"'seeds' in {source} = {value} is not allowed: a count must be "
                             "from 1 to 100000")
        return tuple(range(value))
    if not value:
        raise SweepError(f"'seeds' in {source} is empty: give a count or a list of whole numbers")
    if any(s < 0 for s in value):
        raise SweepError(f"'seeds' in {source} = {value} is not allowed: seeds are whole numbers >= 0")
    if len(set(value)) != len(value):
        raise SweepError(f"'seeds' in {source} = {value} repeats a seed: each replicate needs its own")
    return tuple(value)


def _as_kind(value: float, kind: str) -> int | float:
    """A design value as the parameter's type: ints rounded, floats to 10 decimals."""
    if kind == "int":
        return round(float(value))
    return round(float(value), 10)


def _dimension(name: str, entry: Any, spec_: SweepSpec, base: dict[str, Any], source: str) -> Dimension:
    """Check one [vary] entry against the parameter definition."""
    where = f"[vary] of {source}"
    this = f"'{name}' in {where}"
    if name not in PARAMETER_NAMES:
        raise SweepError(f"unknown parameter '{name}' in [vary] of {source}{suggest(name)}; "
                         "`morale params` lists them all")
    if name in spec_.parameters:
        raise SweepError(f"parameter '{name}' in {source} is both varied and fixed; keep one of "
                         "[vary] and [parameters]")
    kind = spec(name)["type"]

    def checked(value: Any) -> int | float:
        if isinstance(value, bool) or not isinstance(value, int | float):
            raise SweepError(f"parameter '{name}' in {where} = {value!r} is not allowed: it must be "
                             f"{describe_range(name)}")
        _check(lambda: validate({**base, name: value}, source=where))
        return _as_kind(value, kind)

    if isinstance(entry, list):
        if spec_.design != "grid":
            raise SweepError(f"{this} is a value list, but a {spec_.design} design samples a range: "
                             "write { min = ..., max = ... }")
        values = tuple(checked(v) for v in entry)
        if not values:
            raise SweepError(f"{this} is an empty list: give at least one value")
        if len(set(values)) != len(values):
            raise SweepError(f"{this} = {list(entry)} repeats a value")
        return Dimension(name, kind, values=values)
    if not isinstance(entry, dict):
        raise SweepError(f"{this} must be a list of values or a range {{ min = ..., max = ... }}")
    unknown = sorted(set(entry) - {"min", "max", "steps"})
    if unknown:
        raise SweepError(f"unknown key '{unknown[0]}' in {this}; a range has min, max and (grid) steps")
    if "min" not in entry or "max" not in entry:
        raise SweepError(f"{this} needs both 'min' and 'max'")
    low, high = checked(entry["min"]), checked(entry["max"])
    if not low < high:
        raise SweepError(f"{this}: min = {entry['min']!r} must be below max = {entry['max']!r}")
    if spec_.design != "grid":
        if "steps" in entry:
            raise SweepError(f"'steps' of {this} applies only to a grid; a {spec_.design} design "
                             "draws 'samples' points")
        return Dimension(name, kind, low=float(low), high=float(high))
    steps = entry.get("steps")
    if isinstance(steps, bool) or not isinstance(steps, int) or not 2 <= steps <= 10_000:
        raise SweepError(f"'steps' of {this} = {steps!r} is not allowed: a grid range needs a whole "
                         "number of steps from 2 to 10000")
    values = tuple(_as_kind(v, kind) for v in np.linspace(low, high, steps))
    if len(set(values)) != len(values):
        raise SweepError(f"{this}: {steps} steps from {low} to {high} repeat whole numbers; "
                         "use fewer steps or a value list")
    return Dimension(name, kind, values=values, low=float(low), high=float(high))


def salib_problem(dimensions: Iterable[Dimension]) -> dict[str, Any]:
    """The SALib problem of a sampled design: names and bounds."""
    dims = list(dimensions)
    return {"num_vars": len(dims), "names": [d.name for d in dims],
            "bounds": [[d.low, d.high] for d in dims]}


def sample_design(spec_: SweepSpec, dimensions: tuple[Dimension, ...]) -> list[tuple[float, ...]]:
    """The design points, in a fixed order that depends only on the spec."""
    if spec_.design == "grid":
        return list(itertools.product(*(d.values for d in dimensions)))
    problem = salib_problem(dimensions)
    n, seed = spec_.samples, spec_.design_seed
    if spec_.design == "lhs":
        from SALib.sample import latin

        x = latin.sample(problem, n, seed=seed)
    elif spec_.design == "sobol":
        from SALib.sample import sobol

        x = sobol.sample(problem, n, calc_second_order=spec_.second_order, seed=seed)
    else:
        from SALib.sample import morris

        x = morris.sample(problem, n, num_levels=spec_.levels, seed=seed)
    return [tuple(float(v) for v in row) for row in x]


# --------------------------------------------------------------------------- #
# One run (executed on a worker)
# --------------------------------------------------------------------------- #


def _forced_failures(rid: str) -> None:
    """Test hooks: raise for the run_ids in MORALE_SWEEP_FAIL; die once for MORALE_SWEEP_CRASH."""
    if rid in os.environ.get(FAIL_ENV, "").split(","):
        raise RuntimeError(f"forced failure of run {rid} ({FAIL_ENV})")
    target, _, flag = os.environ.get(CRASH_ENV, "").partition(":")
    if target == rid and flag and not os.path.exists(flag):
        Path(flag).touch()
        os._exit(70)


def outcomes(model, timeseries: pd.DataFrame) -> dict[str, Any]:
    """The outcome metrics of a finished run (see ``OUTCOMES``)."""
    from model.metrics import MASS_DESERTION, unit_table, units_over_10pct

    m = model.metrics
    units = unit_table(model)
    passed = timeseries.loc[timeseries["desertion_rate"] >= MASS_DESERTION, "day"]
    return {
        "desertion_rate": float(m["desertion_rate"]),
        "desertion_rate_frontline": float(m["desertion_rate_frontline"]),
        "desertion_rate_rear": float(m["desertion_rate_rear"]),
        "day_desertion_10pct": int(passed.iloc[0]) if len(passed) else None,
        "units_over_10pct": units_over_10pct(units["desertion_rate"]),
        "worst_unit_desertion_rate": float(units["desertion_rate"].max()),
        "largest_cascade": int(m["largest_cascade"]),
        "cascades": int(m["cascades"]),
        "combat_effectiveness": float(m["combat_effectiveness"]),
        "mean_motivation": float(m["mean_motivation"]),
        "mean_fear": float(m["mean_fear"]),
        "mean_grievance": float(m["mean_grievance"]),
        "present": int(m["present"]),
        "soldiers_ever": int(m["soldiers_ever"]),
        "killed": int(m["killed_cumulative"]),
        "caught": int(m["caught_cumulative"]),
    }


def _describe_exception(exc: BaseException) -> str:
    frames = traceback.extract_tb(exc.__traceback__)
    where = f" (at {Path(frames[-1].filename).name}:{frames[-1].lineno})" if frames else ""
    return f"{type(exc).__name__}: {exc}{where}"


def _row(task: RunTask, status: str, error: str | None, wall: float,
         found: dict[str, Any] | None) -> dict[str, Any]:
    from model.outputs import package_version

    return {
        "run_id": task.run_id, **task.parameters, "seed": task.seed, "days": task.days,
        "status": status, "error": error, "wall_time_s": wall, "version": package_version(),
        **(found or dict.fromkeys(OUTCOMES)),
    }


def failed_result(task: RunTask, error: str, wall: float = 0.0) -> dict[str, Any]:
    """The result of a run that raised or whose worker died."""
    return {"row": _row(task, "failed", error, wall, None), "timeseries": None}


def execute_run(task: RunTask) -> dict[str, Any]:
    """Run one simulation; never raises for a failing run, returns it as ``failed``.

    Returns ``{"row": dict, "timeseries": DataFrame or None}``.
    """
    from model.model import MoraleModel

    start = time.perf_counter()
    try:
        _forced_failures(task.run_id)
        model = MoraleModel(rng=task.seed, params=task.parameters)
        model.run(task.days)
        series = model.timeseries()
        found = outcomes(model, series)
    except Exception as exc:  # a failing run is a result, not the end of the sweep
        return failed_result(task, _describe_exception(exc), time.perf_counter() - start)
    kept = None
    if task.timeseries_every:
        last = int(series["day"].iloc[-1])
        keep = (series["day"] % task.timeseries_every == 0) | (series["day"] == last)
        kept = series.loc[keep].reset_index(drop=True)
        kept.insert(0, "run_id", task.run_id)
    return {"row": _row(task, "ok", None, time.perf_counter() - start, found), "timeseries": kept}


# --------------------------------------------------------------------------- #
# Results on disk
# --------------------------------------------------------------------------- #


def write_atomic(path: Path, write: Callable[[Path], None]) -> None:
    """Write a file under a hidden temporary name, flush it to disk, then rename it into place."""
    tmp = path.parent / f".{path.name}.{os.getpid()}.{threading.get_ident()}.tmp"
    try:
        write(tmp)
        with open(tmp, "rb") as handle:
            os.fsync(handle.fileno())
        os.replace(tmp, path)
    finally:
        tmp.unlink(missing_ok=True)


def row_table(row: dict[str, Any]) -> pa.Table:
    schema = runs_schema()
    return pa.Table.from_pylist([{name: row.get(name) for name in schema.names}], schema=schema)


# What a sweep writes into its folder (sweep.json last, when the folder is first set up).
OWN_FILES = ("spec.toml", "design.parquet", "sweep.json", "parts", "timeseries", "runs.parquet", "report")


class ResultStore:
    """The output folder of one sweep: part files, time series, the consolidated table."""

    def __init__(self, out_dir: Path):
        self.dir = Path(out_dir)
        self.parts = self.dir / "parts"
        self.series = self.dir / "timeseries"
        self.runs_file = self.dir / "runs.parquet"

    # -- opening ---------------------------------------------------------------
    def open(self, sweep: Sweep) -> None:
        """Create the folder for this sweep, or check that it already holds this same sweep."""
        info_file = self.dir / "sweep.json"
        if self.dir.exists() and not self.dir.is_dir():
            raise SweepError(f"output path {self.dir} exists and is not a folder")
        if info_file.exists():
            try:
                previous = json.loads(info_file.read_text(encoding="utf-8"))
            except (OSError, ValueError):
                raise SweepError(f"{info_file} is unreadable; choose a new --out") from None
            if previous.get("plan") != plan_fingerprint(sweep.tasks):
                raise SweepError(
                    f"output folder {self.dir} holds a different sweep ('{previous.get('name')}': its "
                    "spec, base scenario, time-series setting or the model version's parameters "
                    "differ); choose another --out"
                )
        elif self.dir.exists() and any(p.name not in OWN_FILES and not p.name.startswith(".")
                                       for p in self.dir.iterdir()):
            raise SweepError(f"output folder {self.dir} holds other files; choose an empty or new "
                             "folder with --out")
        self.parts.mkdir(parents=True, exist_ok=True)
        if sweep.tasks and sweep.tasks[0].timeseries_every:
            self.series.mkdir(exist_ok=True)
        for folder in (self.parts, self.series):
            for stale in folder.glob(".*.tmp") if folder.exists() else ():
                stale.unlink(missing_ok=True)
        if not info_file.exists():
            write_atomic(self.dir / "spec.toml", lambda p: p.write_text(sweep.text, encoding="utf-8"))
            write_atomic(self.dir / "design.parquet", lambda p: sweep.design.to_parquet(p, index=False))
            info = json.dumps(sweep.info(), indent=2)
            write_atomic(info_file, lambda p: p.write_text(info + "\n", encoding="utf-8"))

    # -- state -----------------------------------------------------------------
    def _ids(self, status: str) -> set[str]:
        suffix = f".{status}.parquet"
        return {p.name.removesuffix(suffix) for p in self.parts.glob(f"*{suffix}")
                if not p.name.startswith(".")}

    def finished(self) -> set[str]:
        """Run ids that finished successfully (their ``.ok`` part exists)."""
        return self._ids("ok")

    def failed(self) -> set[str]:
        return self._ids("failed") - self.finished()

    # -- writing ---------------------------------------------------------------
    def write(self, result: dict[str, Any]) -> None:
        """Save one run: its time series first, then its part file (the mark that it is done)."""
        row = result["row"]
        rid, status = row["run_id"], row["status"]
        if result.get("timeseries") is not None:
            frame = result["timeseries"]
            write_atomic(self.series / f"{rid}.parquet", lambda p: frame.to_parquet(p, index=False))
        table = row_table(row)
        write_atomic(self.parts / f"{rid}.{status}.parquet", lambda p: pq.write_table(table, p))
        if status == "ok":
            (self.parts / f"{rid}.failed.parquet").unlink(missing_ok=True)

    def consolidate(self, sweep: Sweep) -> pd.DataFrame:
        """Write ``runs.parquet`` from the part files: one row per planned run, in plan order.

        Reads the parts from disk rather than keeping results in memory, so a sweep of any
        size needs no more memory than its plan. A run with both an ``ok`` and an older
        ``failed`` part (killed between the two) counts as ok.
        """
        import pyarrow.dataset as ds

        schema = runs_schema()
        # Hidden temporary files (".name.tmp") are skipped by the dataset reader.
        table = ds.dataset(self.parts, format="parquet", schema=schema).to_table()
        frame = table.to_pandas(types_mapper={pa.int64(): pd.Int64Dtype()}.get)
        frame = frame.sort_values("status", key=lambda s: s != "ok", kind="stable")
        frame = frame.drop_duplicates("run_id").set_index("run_id")
        order = [t.run_id for t in sweep.tasks]
        missing = [rid for rid in order if rid not in frame.index]
        if missing:
            raise SweepError(f"run {missing[0]} has no part file in {self.parts} ({len(missing)} missing); "
                             "rerun the sweep")
        runs = frame.loc[order].reset_index()
        table = pa.Table.from_pandas(runs, schema=schema, preserve_index=False)
        write_atomic(self.runs_file, lambda p: pq.write_table(table, p))
        return table.to_pandas()


# --------------------------------------------------------------------------- #
# Executing the runs: in-process, local worker processes, or Dask
# --------------------------------------------------------------------------- #

OnResult = Callable[[dict[str, Any]], None]


def _alive(pid: int) -> bool:
    """Whether a process still runs (a zombie, dead but not yet reaped, does not)."""
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    try:
        with open(f"/proc/{pid}/stat", encoding="ascii") as stat:
            return stat.read().rpartition(")")[2].split()[0] != "Z"
    except OSError:
        return True  # no /proc: trust kill(0)


def _worker_init(sweep_pid: int, environment: dict[str, str]) -> None:
    """In a local worker process: leave Ctrl-C to the sweep, and exit when the sweep dies.

    Workers are children of the forkserver, which outlives the sweep while any worker
    holds its pipe; so each worker watches the sweep's process itself and exits when it
    is gone, even after ``kill -9``. The forkserver then exits as well. The forkserver was
    started with the environment of the first pool; each worker takes the environment of
    the process that made its pool, as a spawned process would.
    """
    import signal

    os.environ.clear()
    os.environ.update(environment)
    signal.signal(signal.SIGINT, signal.SIG_IGN)

    def watch() -> None:
        while _alive(sweep_pid):
            time.sleep(0.5)
        os._exit(1)

    threading.Thread(target=watch, daemon=True).start()


def new_worker_pool(workers: int):
    """A pool of worker processes forked from a server that has the model imported already.

    Importing Mesa and pandas takes seconds; the forkserver does it once, so workers,
    and a new pool after a worker died, start in milliseconds.
    """
    import multiprocessing
    from concurrent.futures import ProcessPoolExecutor

    context = multiprocessing.get_context("forkserver")
    context.set_forkserver_preload(["experiments.sweeps", "model.model"])
    return ProcessPoolExecutor(max_workers=workers, mp_context=context, initializer=_worker_init,
                               initargs=(os.getpid(), dict(os.environ)))


def run_in_processes(tasks: list[RunTask], workers: int, on_result: OnResult) -> None:
    """Run on ``workers`` local processes (in this process for one worker).

    A worker process that dies takes the pool with it: the runs that were in
    flight are then retried one at a time, so the run that kills its worker is
    found and recorded as failed and the others complete.
    """
    if workers <= 1:
        for task in tasks:
            on_result(execute_run(task))
        return
    from concurrent.futures import FIRST_COMPLETED, wait
    from concurrent.futures.process import BrokenProcessPool

    pending, suspects = deque(tasks), deque()
    while pending or suspects:
        pool = new_worker_pool(workers)
        in_flight: dict[Any, RunTask] = {}
        try:
            while suspects:
                task = suspects.popleft()
                try:
                    result = pool.submit(execute_run, task).result()
                except BrokenProcessPool:
                    pool.shutdown(wait=False, cancel_futures=True)
                    pool = new_worker_pool(workers)
                    result = failed_result(task, "the worker process died while running this run")
                on_result(result)
            while pending or in_flight:
                while pending and len(in_flight) < 2 * workers:
                    future = pool.submit(execute_run, pending[0])  # raises if the pool broke
                    in_flight[future] = pending.popleft()
                done, _ = wait(in_flight, return_when=FIRST_COMPLETED)
                for future in done:
                    if future.exception() is not None:  # only BrokenProcessPool: runs never raise
                        raise future.exception()
                    on_result(future.result())
                    del in_flight[future]
        except BrokenProcessPool:
            for future, task in in_flight.items():
                if future.done() and future.exception() is None:
                    on_result(future.result())
                else:
                    suspects.append(task)
        finally:
            pool.shutdown(wait=False, cancel_futures=True)


def run_on_dask(tasks: list[RunTask], address: str, workers: int, on_result: OnResult) -> None:
    """Run on a Dask cluster: a new LocalCluster (``address == "local"``) or a running scheduler.

    Dask reschedules the runs of a worker that dies; a run whose workers keep
    dying (Dask's ``allowed-failures``) is recorded as failed.
    """
    import logging

    import dask
    from distributed import Client, LocalCluster, as_completed

    cluster = None
    try:
        if address == "local":
            # Dask's statistical profiler samples every worker thread 100 times a second and
            # competes for the GIL with the run; a sweep's own cluster does without it.
            with dask.config.set({"distributed.worker.profile.enabled": False}):
                cluster = LocalCluster(n_workers=workers, threads_per_worker=1, processes=True,
                                       dashboard_address=None, silence_logs=logging.ERROR)
            client = Client(cluster)
        else:
            client = Client(address, timeout=15)
    except (OSError, TimeoutError, ValueError) as exc:
        if cluster is not None:
            cluster.close()
        raise SweepError(f"cannot reach the Dask scheduler at {address}: {exc}") from None
    try:
        session = uuid.uuid4().hex[:8]
        keys = [f"morale-run-{t.run_id}-{session}" for t in tasks]
        futures = client.map(execute_run, tasks, key=keys, pure=False)
        by_key = {f.key: t for f, t in zip(futures, tasks, strict=True)}
        for future in as_completed(futures):
            task = by_key[future.key]
            try:
                result = future.result()
            except Exception as exc:  # e.g. KilledWorker: its workers kept dying
                result = failed_result(task, _describe_exception(exc))
            on_result(result)
            future.release()
    finally:
        client.close()
        if cluster is not None:
            cluster.close()


# --------------------------------------------------------------------------- #
# A whole sweep
# --------------------------------------------------------------------------- #


@dataclass
class SweepReport:
    """What happened: counts, the consolidated table and where it is."""

    total: int
    skipped: int
    ran: int
    failed: int
    seconds: float
    runs: pd.DataFrame | None
    runs_file: Path


def run_sweep(
    sweep: Sweep,
    out_dir: Path,
    *,
    workers: int = 1,
    dask: str | None = None,
    progress: Callable[[dict[str, Any]], None] | None = None,
    on_start: Callable[[int, int], None] | None = None,
) -> SweepReport:
    """Run every planned run not finished yet, then write ``runs.parquet``.

    ``on_start(total, already_done)`` is called once before the first run and
    ``progress(row)`` after each run is saved.
    """
    store = ResultStore(out_dir)
    store.open(sweep)
    done = store.finished()
    todo = [t for t in sweep.tasks if t.run_id not in done]
    if todo:
        store.runs_file.unlink(missing_ok=True)  # present only when every run has a part
    if on_start is not None:
        on_start(len(sweep.tasks), len(sweep.tasks) - len(todo))
    def save(result: dict[str, Any]) -> None:
        store.write(result)
        if progress is not None:
            progress(result["row"])

    start = time.perf_counter()
    if todo:
        if dask is not None:
            run_on_dask(todo, dask, workers, save)
        else:
            run_in_processes(todo, workers, save)
    runs = store.consolidate(sweep)
    failed = int((runs["status"] != "ok").sum())
    return SweepReport(len(sweep.tasks), len(sweep.tasks) - len(todo), len(todo), failed,
                       time.perf_counter() - start, runs, store.runs_file)


def format_seconds(seconds: float) -> str:
    seconds = max(0, math.ceil(seconds))
    minutes, secs = divmod(seconds, 60)
    hours, minutes = divmod(minutes, 60)
    return f"{hours}h{minutes:02d}m{secs:02d}s" if hours else f"{minutes}m{secs:02d}s"
