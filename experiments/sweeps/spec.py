"""A sweep spec (``configs/sweeps/*.toml``): read, checked against the parameter definition,
and planned into runs named by ``run_id``."""

from __future__ import annotations

import hashlib
import json
import math
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

import numpy as np
import pandas as pd
from pydantic import BaseModel, ConfigDict, Field, ValidationError

import configs
from experiments.sweeps.design import Dimension, sample_design
from model.events import Event, EventError, check_days
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
MAX_RUNS = 250_000  # the plan is held in memory: about 5 kB per distinct parameter set
MAX_SEED = 2**63 - 1  # seeds are stored as 64-bit integers (design.parquet, runs.parquet)
FORMAT_VERSION = 1


class SweepError(ValueError):
    """A sweep spec, output folder or cluster that cannot be used; the message is one line."""


class TimeseriesSpec(BaseModel):
    """Whether to keep each run's daily metrics, and every how many days."""

    model_config = ConfigDict(extra="forbid", strict=True)  # no string or boolean becomes a number
    keep: bool = False
    every: int = Field(1, ge=1, le=MAX_DAYS)


class SweepSpec(BaseModel):
    """The TOML file, as written (before the design is sampled)."""

    model_config = ConfigDict(extra="forbid", strict=True)  # no string or boolean becomes a number
    description: str = Field(min_length=1)
    scenario: str = "baseline"
    design: Literal["grid", "lhs", "sobol", "morris"] = "grid"
    samples: int | None = Field(None, ge=1, le=MAX_RUNS)
    levels: int = Field(4, ge=2, le=1000)
    second_order: bool = False
    design_seed: int = Field(0, ge=0, le=MAX_SEED)
    seeds: int | list[int]
    days: int | None = Field(None, ge=1, le=MAX_DAYS)
    parameters: dict[str, Any] = Field(default_factory=dict)
    vary: dict[str, Any]
    timeseries: TimeseriesSpec = Field(default_factory=TimeseriesSpec)


TOP_LEVEL_KEYS = tuple(SweepSpec.model_fields)


@dataclass(frozen=True)
class RunTask:
    """Everything a worker needs for one run (small and picklable)."""

    run_id: str
    parameters: dict[str, Any]
    seed: int
    days: int
    timeseries_every: int = 0  # 0: keep no time series
    events: tuple[Event, ...] = ()  # the base scenario's scheduled lever changes


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


def run_id(parameters: dict[str, Any], seed: int, days: int, events: tuple[Event, ...] = ()) -> str:
    """The name of a run: a hash of every resolved parameter, the seed, the days (and events, if any)."""
    identity: dict[str, Any] = {"parameters": parameters, "seed": int(seed), "days": int(days)}
    if events:  # runs without events keep the ids they always had
        identity["events"] = [event.as_dict() for event in events]
    canonical = json.dumps(
        identity,
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
    _check(lambda: validate(base, source=f"[parameters] of {source}", strict=True))

    seeds = _seeds(spec_.seeds, source)
    days = spec_.days if spec_.days is not None else scenario.days
    try:
        check_days(scenario.events, days, source=f"scenario of {source}")
    except EventError as exc:
        raise SweepError(str(exc)) from None
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

    n_runs = planned_points(spec_, dimensions) * len(seeds)  # counted before anything is built
    if n_runs > MAX_RUNS:
        raise SweepError(f"sweep {source} plans {n_runs:,} runs; at most {MAX_RUNS:,} are allowed: "
                         "use fewer values, steps, samples or seeds")
    points = sample_design(spec_, dimensions)
    every = spec_.timeseries.every if spec_.timeseries.keep else 0

    rows: list[dict[str, Any]] = []
    tasks: dict[str, RunTask] = {}
    for sample, point in enumerate(points):
        values = {d.name: _as_kind(v, d.kind) for d, v in zip(dimensions, point, strict=True)}
        where = f"design point {sample} of {source}" if spec_.design != "grid" else source
        resolved = _check(lambda values=values, where=where: validate({**base, **values}, source=where))
        parameters = resolved.model_dump()
        for seed in seeds:
            rid = run_id(parameters, seed, days, scenario.events)
            tasks.setdefault(rid, RunTask(rid, parameters, seed, days, every, scenario.events))
            rows.append({"sample": sample, "seed": seed, "run_id": rid,
                         **{d.name: float(v) for d, v in zip(dimensions, point, strict=True)}})
    design = pd.DataFrame(rows)
    return Sweep(name, spec_, text, scenario.name, days, seeds, dimensions, design, list(tasks.values()))


def planned_points(spec_: SweepSpec, dimensions: tuple[Dimension, ...]) -> int:
    """How many design points the design will have (SALib's sizes), without sampling it."""
    k = len(dimensions)
    if spec_.design == "grid":
        return math.prod(len(d.values) for d in dimensions)
    if spec_.design == "sobol":
        return spec_.samples * (2 * k + 2 if spec_.second_order else k + 2)
    if spec_.design == "morris":
        return spec_.samples * (k + 1)
    return spec_.samples


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
    if any(not 0 <= s <= MAX_SEED for s in value):
        bad = next(s for s in value if not 0 <= s <= MAX_SEED)
        raise SweepError(f"'seeds' in {source} holds {bad}, which is not allowed: seeds are whole numbers "
                         f"from 0 to {MAX_SEED} (2**63 - 1)")
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
