"""Calibration by approximate Bayesian computation (ABC-SMC, pyabc) against several patterns at once.

A calibration spec (``configs/calibration/*.toml``) names the scenario it starts from, the
behavioural parameters to calibrate with their priors, and the targets: patterns of one
historical case, each a statistic of a model run with its value, its uncertainty and its
source (pattern-oriented modelling, Grimm et al. 2005)::

    description = "One line."
    scenario = "union_army"          # a preset, or a .toml path relative to this file
    days = 1095                      # optional: the scenario's by default
    replicates = 2                   # seeds per particle; their statistics are averaged

    [parameters]                     # each a name of model/parameters.py (a number, not an
    threshold_mean = {}              # army shape): uniform over its own range,
    combat_intensity = { low = 0.1, high = 0.4 }   # or over a narrower one

    [targets.desertion_rate]         # a name of STATISTICS
    value = 0.09
    sd = 0.015                       # or interval = [low, high]: a 90% interval
    source = "Costa and Kahn 2003"   # a citation, or "guess" and why

The distance between a particle and the targets is the root mean square of the targets'
errors, each divided by its uncertainty (``ScaledDistance``). The sampler is
``experiments.abc_sampler.DeterministicSampler``: same seed, same posterior, whatever the
workers. ``run_calibration`` writes the output folder (docs/calibration.md) and resumes a
killed calibration from its last completed generation.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import logging
import math
import time
from collections.abc import Callable, Iterator
from contextlib import closing, contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
from pydantic import BaseModel, ConfigDict, Field, ValidationError

import configs
from model.events import Event, EventError, check_days
from model.parameters import (
    PARAMETER_NAMES,
    describe_range,
    did_you_mean,
    one_line,
    spec,
    suggest,
    validate,
)
from model.scenarios import (
    MAX_DAYS,
    Scenario,
    ScenarioError,
    preset_or_path,
    presets,
    read_toml_text,
    resolve,
)

CALIBRATION_DIR = configs.folder("calibration")
Z90 = 1.6448536269514722  # a 90% interval of a normal distribution is the mean +- Z90 sd
# The smallest uncertainty of a target: an error divided by a smaller one (an sd of 5e-324, an
# interval one float wide) overflows or divides by zero in the distance; no statistic of an army
# is known to 1e-9.
MIN_SD = 1e-9
MIN_WIDTH = 1e-9  # the narrowest prior (narrower is a fixed value; its density overflowed to nan weights)
PREDICTIVE_STREAM = 1_000_000_007  # seeds of the predictive check: apart from generation indices
MANIFEST = ".morale-calibration"
READY = ".history-ready"  # written once pyabc has set up history.db: from then on, resume from it
HISTORY = "history.db"
# what a calibration writes in its folder, besides the manifest
OUTPUT_FILES = (READY, HISTORY, "spec.toml", "posterior.parquet", "predictive.parquet", "predictive.csv",
                "predictive.md", "predictive.png", "summary.json")


class CalibrationError(ValueError):
    """A calibration spec, budget, output folder or cluster that cannot be used; one line."""


# --------------------------------------------------------------------------- #
# Summary statistics: pure functions of one run
# --------------------------------------------------------------------------- #

STATISTICS: dict[str, str] = {
    "desertion_rate": "share of soldiers ever assigned who deserted at least once",
    "killed_share": "share of soldiers ever assigned who were killed",
    "frontline_share": "share of deserters who left from a frontline unit (0 when nobody deserted)",
    "units_over_10pct": "share of companies (units) that lost 10% or more of their soldiers to desertion",
    "frontline_dispersion": "variance of frontline companies' desertion rates over the variance chance "
    "alone would give (experiments.facts.dispersion_index; 1 = no more spread than chance)",
}
SHARES = ("desertion_rate", "killed_share", "frontline_share", "units_over_10pct")


def statistics_of(*, ever: int, deserted: int, deserted_front: int, killed: int,
                  unit_ever: np.ndarray, unit_deserted: np.ndarray,
                  frontline: np.ndarray) -> dict[str, float]:
    """Every statistic of ``STATISTICS`` from a run's counts.

    ``ever``: soldiers ever assigned; ``deserted``: of them, soldiers who deserted at least once;
    ``deserted_front``: of those, the ones who left from a frontline unit; ``killed``: soldiers
    killed; per unit: ``unit_ever`` soldiers ever assigned, ``unit_deserted`` deserters, and
    ``frontline`` whether the unit is a frontline company.
    """
    from experiments.facts import dispersion_index
    from model.metrics import MASS_DESERTION

    unit_ever = np.asarray(unit_ever, dtype=float)
    unit_deserted = np.asarray(unit_deserted, dtype=float)
    frontline = np.asarray(frontline, dtype=bool)
    rates = unit_deserted / np.maximum(unit_ever, 1)
    return {
        "desertion_rate": deserted / max(ever, 1),
        "killed_share": killed / max(ever, 1),
        "frontline_share": deserted_front / deserted if deserted else 0.0,
        "units_over_10pct": float(np.mean(rates >= MASS_DESERTION)) if rates.size else 0.0,
        "frontline_dispersion": dispersion_index(unit_deserted[frontline], unit_ever[frontline])
        if frontline.sum() > 1 else 1.0,
    }


def summary_statistics(model) -> dict[str, float]:
    """The statistics of ``STATISTICS`` of a finished run (a ``MoraleModel``)."""
    from model.metrics import unit_table
    from model.state import Posture

    s, m = model.soldier_table, model.metrics
    deserters = s.times_deserted > 0
    units = unit_table(model)
    return statistics_of(
        ever=int(m["soldiers_ever"]), deserted=int(deserters.sum()),
        deserted_front=int((deserters & (s.deserted_posture == Posture.FRONTLINE)).sum()),
        killed=int(m["killed_cumulative"]),
        unit_ever=units["soldiers_ever"].to_numpy(), unit_deserted=units["deserted"].to_numpy(),
        frontline=(units["posture"] == "frontline").to_numpy(),
    )


def average(runs: list[dict[str, float]], deserters: list[int] | None = None) -> dict[str, float]:
    """The mean of each statistic over replicate runs; ``frontline_share`` pooled over the
    replicates' deserters (given their counts), so that a replicate without deserters, whose
    share is 0 by convention, does not pull the mean down."""
    found = {name: float(np.mean([r[name] for r in runs])) for name in STATISTICS}
    if deserters is not None and sum(deserters) > 0:
        found["frontline_share"] = float(np.dot([r["frontline_share"] for r in runs], deserters)
                                         / sum(deserters))
    return found


def simulate(base: dict[str, Any], values: dict[str, float], seeds, days: int,
             events: tuple[Event, ...] = ()) -> dict[str, float]:
    """Run the model once per seed with ``values`` on top of ``base``; the averaged statistics."""
    from model.model import MoraleModel

    params = validate({**base, **values})
    runs, deserters = [], []
    for seed in seeds:
        model = MoraleModel(rng=int(seed), params=params, events=events)
        model.run(days)
        runs.append(summary_statistics(model))
        deserters.append(int(model.metrics["deserted_cumulative"]))
    return average(runs, deserters)


@dataclass(frozen=True)
class Simulator:
    """pyabc's model: parameters in, averaged statistics out.

    The replicates' seeds are drawn from the global numpy generator, which the sampler has
    seeded for this particle just before its proposal: they are fixed by (run seed,
    generation, particle).
    """

    base: dict[str, Any]
    days: int
    replicates: int
    events: tuple[Event, ...] = ()
    priors: tuple[Prior, ...] = ()  # the particles carry each prior's share of its range

    def __call__(self, parameters) -> dict[str, float]:
        seeds = np.random.randint(0, 2**31 - 1, size=self.replicates)  # noqa: NPY002 (seeded per particle)
        values = {p.name: p.value(parameters[p.name]) for p in self.priors}
        return simulate(self.base, values, seeds, self.days, self.events)


@dataclass(frozen=True)
class ScaledDistance:
    """Root mean square of the targets' errors, each in units of its uncertainty (sd).

    A distance of 1 means a particle misses its targets by one standard deviation each, on
    average (in the quadratic sense).
    """

    scales: tuple[tuple[str, float], ...]  # (statistic, sd)

    def __call__(self, x: dict, x_0: dict) -> float:
        z = [(float(x[name]) - float(x_0[name])) / sd for name, sd in self.scales]
        return float(np.sqrt(np.mean(np.square(z))))


# --------------------------------------------------------------------------- #
# The spec
# --------------------------------------------------------------------------- #

@dataclass(frozen=True)
class Prior:
    """A uniform prior over low..high. pyabc samples its share of the way, 0..1 (``value``
    maps it back): every dimension then has the same scale, so its kernel's covariance stays
    well conditioned when one prior is a millionth as wide as another (it gave nan weights)."""

    name: str
    low: float
    high: float

    def value(self, share: float) -> float:
        return self.low + float(share) * (self.high - self.low)


@dataclass(frozen=True)
class Target:
    name: str
    value: float
    sd: float
    source: str
    interval: tuple[float, float] | None = None

    def describe_uncertainty(self) -> str:
        if self.interval is not None:
            return f"90% interval {self.interval[0]:g}-{self.interval[1]:g} (sd {self.sd:.3g})"
        return f"sd {self.sd:g}"


class SpecFile(BaseModel):
    """The TOML file's top level, as written."""

    model_config = ConfigDict(extra="forbid", strict=True)  # no string or boolean becomes a number
    description: str = Field(min_length=1)
    scenario: str
    days: int | None = Field(None, ge=1, le=MAX_DAYS)
    replicates: int = Field(1, ge=1, le=100)
    parameters: dict[str, Any]
    targets: dict[str, Any]


TOP_LEVEL_KEYS = tuple(SpecFile.model_fields)
PRIOR_KEYS = ("low", "high")
TARGET_KEYS = ("value", "sd", "interval", "source")


@dataclass
class CalibrationSpec:
    """A validated spec: the scenario resolved, the priors and targets checked."""

    name: str
    path: Path
    text: str
    description: str
    scenario: Scenario
    days: int
    replicates: int
    priors: tuple[Prior, ...]
    targets: tuple[Target, ...]
    base: dict[str, Any] = field(default_factory=dict)  # the scenario's parameter overrides

    def as_dict(self) -> dict[str, Any]:
        return {
            "name": self.name, "path": str(self.path), "description": self.description,
            "scenario": self.scenario.name, "days": self.days, "replicates": self.replicates,
            "base_parameters": self.base,
            "parameters": [{"name": p.name, "low": p.low, "high": p.high} for p in self.priors],
            "targets": [{"name": t.name, "value": t.value, "sd": t.sd,
                         "interval": list(t.interval) if t.interval else None, "source": t.source}
                        for t in self.targets],
        }

    def fingerprint(self) -> str:
        """A hash of everything that shapes the calibration (not the description or comments)."""
        identity = {k: v for k, v in self.as_dict().items() if k not in ("description", "path")}
        identity["events"] = [e.as_dict() for e in self.scenario.events]
        return hashlib.sha256(json.dumps(identity, sort_keys=True).encode()).hexdigest()[:16]


def available() -> dict[str, Path]:
    """Preset calibration specs by name."""
    return presets(CALIBRATION_DIR)


def load(name_or_path: str) -> CalibrationSpec:
    """Read and check a calibration spec; raise CalibrationError with one line if it is bad."""
    path = preset_or_path(name_or_path, CALIBRATION_DIR, "calibration spec", CalibrationError)
    raw, text = read_toml_text(path, "calibration spec", CalibrationError)
    return check(raw, path=path, text=text)


def _number(value: Any) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool) and math.isfinite(value)


def check(raw: dict[str, Any], *, path: Path, text: str = "") -> CalibrationSpec:
    """Validate a parsed spec against the parameter definition and the statistics."""
    source = str(path)
    try:
        top = SpecFile(**raw)
    except ValidationError as exc:
        raise CalibrationError(one_line(exc, source, keys=TOP_LEVEL_KEYS,
                                        hint=lambda key: did_you_mean(key, TOP_LEVEL_KEYS),
                                        needs="calibration spec {source} needs '{field}'")) from None
    scenario = _scenario(top.scenario, path, source)
    days = top.days if top.days is not None else scenario.days
    try:
        check_days(scenario.events, days, source=f"scenario of {source}")
    except EventError as exc:
        raise CalibrationError(str(exc)) from None
    priors = tuple(_prior(name, entry, source) for name, entry in top.parameters.items())
    if not priors:
        raise CalibrationError(f"[parameters] in {source} is empty: name at least one parameter to calibrate")
    targets = tuple(_target(name, entry, source) for name, entry in top.targets.items())
    if not targets:
        raise CalibrationError(f"[targets] in {source} is empty: give at least one target")
    return CalibrationSpec(path.stem, path, text, top.description.strip(), scenario, days, top.replicates,
                           priors, targets, dict(scenario.overrides))


def _scenario(name: str, path: Path, source: str) -> Scenario:
    candidate = path.parent / name
    try:
        if name.endswith(".toml") and candidate.is_file():
            return resolve(str(candidate))
        return resolve(name)
    except ScenarioError as exc:
        raise CalibrationError(f"'scenario' in {source}: {exc}") from None
    except OSError as exc:  # a name too long for the file system, say
        raise CalibrationError(f"'scenario' in {source} = {name[:60]!r} cannot be read: "
                               f"{exc.strerror or type(exc).__name__}; give a preset name or a .toml "
                               "path") from None


def _prior(name: str, entry: Any, source: str) -> Prior:
    where = f"[parameters] of {source}"
    if name not in PARAMETER_NAMES:
        raise CalibrationError(f"unknown parameter '{name}' in {where}{suggest(name)}; "
                               "`morale params` lists them all")
    definition = spec(name)
    if definition["group"] == "army":
        raise CalibrationError(f"parameter '{name}' in {where} shapes the army and cannot be calibrated: "
                               "choose a behaviour or lever parameter (`morale params --group behaviour`)")
    if definition["type"] != "float":
        raise CalibrationError(f"parameter '{name}' in {where} is a whole number and cannot be calibrated: "
                               "the priors are continuous; choose a parameter that is a number")
    if not isinstance(entry, dict):
        raise CalibrationError(f"parameter '{name}' in {where} = {entry!r} is not allowed: give a table, "
                               "{} for its whole range or { low = ..., high = ... }")
    unknown = sorted(set(entry) - set(PRIOR_KEYS))
    if unknown:
        raise CalibrationError(f"unknown key '{unknown[0]}' of parameter '{name}' in {where}; "
                               f"allowed: {', '.join(PRIOR_KEYS)}")
    bounds = {"low": definition["min"], "high": definition["max"]}
    for key in PRIOR_KEYS:
        if key in entry:
            value = entry[key]
            if not _number(value) or not definition["min"] <= value <= definition["max"]:
                raise CalibrationError(f"'{key}' of parameter '{name}' in {where} = {value!r} is not "
                                       f"allowed: it must be {describe_range(name)}")
            bounds[key] = float(value)
    if not bounds["high"] - bounds["low"] >= MIN_WIDTH:  # a prior one float wide has density inf: nan weights
        raise CalibrationError(f"parameter '{name}' in {where}: low = {bounds['low']:g} must be below "
                               f"high = {bounds['high']:g} by at least {MIN_WIDTH:g}")
    return Prior(name, float(bounds["low"]), float(bounds["high"]))


def _target(name: str, entry: Any, source: str) -> Target:
    where = f"[targets] of {source}"
    this = f"target '{name}' in {where}"
    if name not in STATISTICS:
        raise CalibrationError(f"unknown target '{name}' in {where}{did_you_mean(name, STATISTICS)}; "
                               f"allowed: {', '.join(STATISTICS)}")
    if not isinstance(entry, dict):
        raise CalibrationError(f"{this} must be a table with value, sd or interval, and source")
    unknown = sorted(set(entry) - set(TARGET_KEYS))
    if unknown:
        raise CalibrationError(f"unknown key '{unknown[0]}' of {this}; allowed: {', '.join(TARGET_KEYS)}")
    text = entry.get("source")
    if not isinstance(text, str) or not text.strip():
        raise CalibrationError(f"{this} needs a 'source' (a citation, or \"guess\" and why); "
                               f"got {text!r}")
    value = entry.get("value")
    high = 1.0 if name in SHARES else 1e6
    if not _number(value) or not 0 <= value <= high:
        raise CalibrationError(f"'value' of {this} = {value!r} is not allowed: it must be a number from 0 "
                               f"to {high:g}")
    if ("sd" in entry) == ("interval" in entry):
        raise CalibrationError(f"{this} needs its uncertainty as exactly one of 'sd' (a standard deviation) "
                               "or 'interval' ([low, high], a 90% interval)")
    if "sd" in entry:
        sd = entry["sd"]
        if not _number(sd) or not sd >= MIN_SD:
            raise CalibrationError(f"'sd' of {this} = {sd!r} is not allowed: it must be a number of at least "
                                   f"{MIN_SD:g}")
        return Target(name, float(value), float(sd), text.strip())
    interval = entry["interval"]
    if (not isinstance(interval, list) or len(interval) != 2 or not all(_number(v) for v in interval)
            or not interval[0] <= value <= interval[1]
            or not (interval[1] - interval[0]) / (2 * Z90) >= MIN_SD):
        raise CalibrationError(f"'interval' of {this} = {interval!r} is not allowed: it must be [low, high], "
                               f"two numbers at least {2 * Z90 * MIN_SD:.2g} apart around the value "
                               f"{value!r}")
    low, high_ = float(interval[0]), float(interval[1])
    return Target(name, float(value), (high_ - low) / (2 * Z90), text.strip(), (low, high_))


# --------------------------------------------------------------------------- #
# Budgets
# --------------------------------------------------------------------------- #

@dataclass(frozen=True)
class Budget:
    """How much work: particles per generation, generations, posterior draws of the predictive check."""

    name: str
    population: int
    generations: int
    draws: int

    def as_dict(self) -> dict[str, Any]:
        return {"name": self.name, "population": self.population, "generations": self.generations,
                "draws": self.draws}


BUDGETS = {
    "small": Budget("small", population=12, generations=2, draws=20),
    "medium": Budget("medium", population=40, generations=4, draws=50),
    "full": Budget("full", population=100, generations=6, draws=100),
}


def budget(name: str) -> Budget:
    if name not in BUDGETS:
        raise CalibrationError(f"--budget {name!r} is not allowed: choose {', '.join(BUDGETS)}")
    return BUDGETS[name]


# --------------------------------------------------------------------------- #
# Where particles are evaluated: this process, local processes, or Dask
# --------------------------------------------------------------------------- #

def _in_order(client, function: Callable, tasks: list) -> Iterator:
    futures = client.map(function, tasks, pure=False)
    try:
        for future in futures:  # in task order; a result is yielded as soon as it and those before are in
            yield future.result()
    finally:
        client.cancel(futures)


@contextmanager
def mapper(workers: int = 1, scheduler: str | None = None) -> Iterator[Callable]:
    """A map that yields results in task order: in this process (one worker), a pool of local
    processes, or a Dask cluster (``scheduler``: "local" for a new LocalCluster of ``workers``
    processes, or the address of a running scheduler)."""
    if scheduler is None:
        if workers <= 1:
            yield map
            return
        from experiments.sweeps import new_worker_pool

        pool = new_worker_pool(workers)
        try:
            yield pool.map
        finally:
            pool.shutdown(wait=True, cancel_futures=True)
        return
    from experiments.sweeps.runners import dask_client

    with contextlib.ExitStack() as stack:
        try:
            client = stack.enter_context(dask_client(scheduler, workers))
        except ConnectionError as exc:
            raise CalibrationError(f"{exc}, or use --scheduler local") from None
        yield lambda function, tasks: _in_order(client, function, list(tasks))


# --------------------------------------------------------------------------- #
# Weighted statistics of a population
# --------------------------------------------------------------------------- #

def weighted_quantile(values, weights, q: float) -> float:
    """The ``q`` quantile of weighted values (linear between the midpoints of the weights)."""
    values, weights = np.asarray(values, dtype=float), np.asarray(weights, dtype=float)
    order = np.argsort(values, kind="stable")
    values, weights = values[order], weights[order]
    cumulative = (np.cumsum(weights) - 0.5 * weights) / weights.sum()
    return float(np.interp(q, cumulative, values))


def posterior_summary(posterior: pd.DataFrame, spec_: CalibrationSpec) -> pd.DataFrame:
    """Per parameter: prior range, the scenario's value, posterior mean and 90% credible interval."""
    w = posterior["weight"].to_numpy()
    rows = []
    for prior in spec_.priors:
        values = posterior[prior.name].to_numpy()
        rows.append({
            "parameter": prior.name, "prior_low": prior.low, "prior_high": prior.high,
            "scenario_value": float(spec_.base.get(prior.name, spec(prior.name)["default"])),
            "mean": float(np.sum(w * values) / w.sum()),
            "q05": weighted_quantile(values, w, 0.05), "q95": weighted_quantile(values, w, 0.95),
        })
    return pd.DataFrame(rows)


def predictive_table(draws: pd.DataFrame, spec_: CalibrationSpec) -> pd.DataFrame:
    """Per target: the model's 90% predictive interval over posterior draws, and whether the
    target's value lies in it."""
    rows = []
    for target in spec_.targets:
        values = draws[statistic_column(target.name, spec_)].to_numpy()
        low, median, high = np.quantile(values, [0.05, 0.5, 0.95])
        rows.append({
            "target": target.name, "value": target.value, "uncertainty": target.describe_uncertainty(),
            "predictive_median": float(median), "predictive_q05": float(low), "predictive_q95": float(high),
            "inside": bool(low <= target.value <= high), "source": target.source,
        })
    return pd.DataFrame(rows)


def markdown(frame: pd.DataFrame, digits: int = 3) -> str:
    """A small table in Markdown (no extra dependency)."""
    def cell(value: Any) -> str:
        if isinstance(value, bool | np.bool_):
            return "yes" if value else "**no**"
        if isinstance(value, float):
            return f"{value:.{digits}g}" if abs(value) >= 1 else f"{value:.{digits}f}"
        return str(value).replace("|", "/")

    lines = ["| " + " | ".join(frame.columns) + " |", "|" + "---|" * len(frame.columns)]
    lines += ["| " + " | ".join(cell(v) for v in row) + " |" for row in frame.itertuples(index=False)]
    return "\n".join(lines) + "\n"


# --------------------------------------------------------------------------- #
# Running a calibration into its folder
# --------------------------------------------------------------------------- #

@dataclass
class Progress:
    """Callbacks for a progress display (each optional)."""

    particle: Callable[[int, int], None] | None = None         # (generation, evaluated in it)
    batch: Callable[[int, int, int, int], None] | None = None  # (generation, accepted, n, considered)
    predictive: Callable[[int, int], None] | None = None       # (draws done, draws)


@dataclass
class CalibrationResult:
    dir: Path
    summary: dict[str, Any]
    posterior: pd.DataFrame
    posterior_table: pd.DataFrame
    predictive: pd.DataFrame
    already_complete: bool = False
    resumed_from: int = 0  # generations found done in the folder

    @property
    def files(self) -> list[str]:
        return sorted(p.name for p in self.dir.iterdir() if not p.name.startswith("."))


def default_out(spec_: CalibrationSpec, budget_: Budget, seed: int) -> Path:
    return Path("runs") / "calibration" / f"{spec_.name}_{budget_.name}_seed{seed}"


def _manifest(spec_: CalibrationSpec, budget_: Budget, seed: int) -> dict[str, Any]:
    # "priors": particles hold each prior's share of its range (a folder made before holds values)
    return {"kind": "morale calibration", "spec": spec_.name, "fingerprint": spec_.fingerprint(),
            "budget": budget_.as_dict(), "seed": int(seed), "priors": "share of range"}


def check_folder(out_dir: Path, spec_: CalibrationSpec, budget_: Budget, seed: int,
                 resume: bool = False) -> bool:
    """Raise CalibrationError unless this calibration may use the folder; True if it holds it already."""
    from model.outputs import OutputError, check_writable

    try:
        check_writable(out_dir)
    except OutputError as exc:
        raise CalibrationError(str(exc)) from None
    manifest = out_dir / MANIFEST
    if manifest.is_file():
        try:
            previous = json.loads(manifest.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            raise CalibrationError(f"{manifest} is unreadable or damaged; choose a new --out") from None
        if previous != _manifest(spec_, budget_, seed):
            raise CalibrationError(f"output folder {out_dir} holds a different calibration (its spec, "
                                   "budget or seed differ); choose another --out, or rerun that one's own "
                                   "command")
        for name in OUTPUT_FILES:
            if (out_dir / name).exists() and not (out_dir / name).is_file():
                raise CalibrationError(f"{out_dir / name} is not a file, so this calibration's folder is "
                                       "damaged; remove it and rerun the same command")
        return True
    if out_dir.exists():
        others = sorted(p.name for p in out_dir.iterdir() if not p.name.startswith(f".{MANIFEST}."))
        if others:
            raise CalibrationError(f"output folder {out_dir} holds other files ({', '.join(others[:3])}) "
                                   "and is not a calibration's folder; choose an empty or new folder with "
                                   "--out")
    if resume:
        raise CalibrationError(f"--resume: {out_dir} holds no calibration to resume; run without --resume "
                               "to start one (or give the --out, --budget and --seed of the one to resume)")
    return False


def _check_history(db_path: Path) -> None:
    """Raise CalibrationError unless ``db_path`` is a pyabc history a resume can load."""
    import sqlite3

    problem = None
    if not db_path.is_file():
        problem = "is missing"
    else:
        try:
            with closing(sqlite3.connect(f"{db_path.absolute().as_uri()}?mode=ro", uri=True)) as db:
                check = db.execute("PRAGMA integrity_check").fetchone()[0]
                if check != "ok":
                    problem = f"is damaged ({' '.join(str(check).split())[:80]})"
                elif db.execute("SELECT count(*) FROM populations WHERE abc_smc_id = 1").fetchone()[0] < 1:
                    problem = "holds no generation"
        except sqlite3.Error as exc:
            problem = f"is damaged ({exc})"
    if problem:
        raise CalibrationError(f"{db_path} {problem}, so this calibration cannot be resumed; choose a new "
                               "--out (or delete this folder) to start it again")


def _write_text(path: Path, text: str) -> None:
    from experiments.sweeps import write_atomic

    write_atomic(path, lambda p: p.write_text(text, encoding="utf-8"))


def _write_frame(path: Path, frame: pd.DataFrame) -> None:
    from experiments.sweeps import write_atomic

    if path.suffix == ".csv":
        write_atomic(path, lambda p: frame.to_csv(p, index=False))
    else:
        write_atomic(path, lambda p: frame.to_parquet(p, index=False))


def build_abc(spec_: CalibrationSpec, budget_: Budget, sampler):
    """The pyabc analysis: model, uniform priors, scaled distance, median epsilon, our sampler."""
    import pyabc

    prior = pyabc.Distribution(**{p.name: pyabc.RV("uniform", 0.0, 1.0) for p in spec_.priors})
    simulator = Simulator(spec_.base, spec_.days, spec_.replicates, spec_.scenario.events, spec_.priors)
    distance = ScaledDistance(tuple((t.name, t.sd) for t in spec_.targets))
    return pyabc.ABCSMC(simulator, prior, distance, population_size=budget_.population, sampler=sampler,
                        eps=pyabc.MedianEpsilon())


def statistic_column(name: str, spec_: CalibrationSpec) -> str:
    """The column of a statistic in the posterior and the predictive draws: its name, or
    ``statistic_NAME`` when a calibrated parameter has that name (``killed_share`` is both the
    parameter of casualties killed and the statistic of soldiers killed)."""
    return f"statistic_{name}" if any(p.name == name for p in spec_.priors) else name


def posterior_frame(history, spec_: CalibrationSpec) -> pd.DataFrame:
    """The last generation's particles: parameters, weight, distance and their statistics."""
    t = history.max_t
    rows = []
    for k, particle in enumerate(history.get_population(t=t).particles):
        rows.append({"generation": t, "particle": k,
                     **{p.name: p.value(particle.parameter[p.name]) for p in spec_.priors},
                     "weight": float(particle.weight), "distance": float(particle.distance),
                     **{statistic_column(name, spec_): float(particle.sum_stat[name])
                        for name in STATISTICS}})
    frame = pd.DataFrame(rows)
    frame["weight"] = frame["weight"] / frame["weight"].sum()
    return frame


def predictive_task(task: tuple) -> dict[str, float]:
    """In a worker: one posterior draw's replicate runs, averaged."""
    base, values, seeds, days, events = task
    return simulate(base, values, seeds, days, events)


def predictive_draws(posterior: pd.DataFrame, spec_: CalibrationSpec, draws: int, seed: int,
                     map_: Callable = map,
                     progress: Callable[[int, int], None] | None = None) -> pd.DataFrame:
    """Simulate ``draws`` parameter sets drawn from the posterior by weight, each with fresh seeds."""
    rng = np.random.default_rng(np.random.SeedSequence([int(seed), PREDICTIVE_STREAM]))
    picks = rng.choice(len(posterior), size=draws, p=posterior["weight"].to_numpy())
    names = [p.name for p in spec_.priors]
    tasks, rows = [], []
    for j, k in enumerate(picks):
        values = {name: float(posterior[name].iloc[k]) for name in names}
        seeds = np.random.SeedSequence([int(seed), PREDICTIVE_STREAM, j]).generate_state(spec_.replicates)
        seeds = [int(s) & 0x7FFFFFFF for s in seeds]
        tasks.append((spec_.base, values, seeds, spec_.days, spec_.scenario.events))
        rows.append({"draw": j, "particle": int(k), **values})
    results = []
    for found in map_(predictive_task, tasks):
        results.append(found)
        if progress is not None:
            progress(len(results), draws)
    found = pd.DataFrame(results).rename(columns=lambda name: statistic_column(name, spec_))
    return pd.concat([pd.DataFrame(rows), found], axis=1)


def plot_predictive(draws: pd.DataFrame, table: pd.DataFrame, spec_: CalibrationSpec, path: Path) -> None:
    """One panel per target: the posterior predictive draws, their 90% interval, the target."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    from experiments.sweeps import write_atomic

    n = len(spec_.targets)
    fig, axes = plt.subplots(1, n, figsize=(3.4 * n, 3.0), squeeze=False)
    for ax, target, row in zip(axes[0], spec_.targets, table.itertuples(index=False), strict=True):
        values = draws[statistic_column(target.name, spec_)].to_numpy()
        ax.hist(values, bins=min(20, max(5, len(values) // 3)), color="#8aa6c1", edgecolor="white")
        ax.axvspan(row.predictive_q05, row.predictive_q95, color="#8aa6c1", alpha=0.25,
                   label="90% predictive")
        ax.axvline(target.value, color="#b2182b", lw=2, label="target")
        ax.axvspan(target.value - target.sd, target.value + target.sd, color="#b2182b", alpha=0.12,
                   label="target +- sd")
        ax.set_title(f"{target.name}: {'inside' if row.inside else 'outside'}", fontsize=9)
        ax.tick_params(labelsize=8)
    axes[0][0].legend(fontsize=7)
    fig.suptitle(f"posterior predictive check: {spec_.name} ({len(draws)} draws, {spec_.days} days, "
                 f"{spec_.replicates} seed(s) averaged per draw)", fontsize=9)
    fig.tight_layout()
    write_atomic(path, lambda p: fig.savefig(p, format="png", dpi=110))
    plt.close(fig)


def _generations(history) -> list[dict[str, Any]]:
    frame = history.get_all_populations()
    frame = frame[frame["t"] >= 0].sort_values("t")
    return [{"generation": int(r.t), "epsilon": float(r.epsilon), "evaluations": int(r.samples),
             "accepted": int(r.particles), "acceptance_rate": float(r.particles / r.samples)}
            for r in frame.itertuples(index=False)]


def run_calibration(spec_: CalibrationSpec, out_dir: Path, budget_: Budget, seed: int, *,
                    workers: int = 1, scheduler: str | None = None, resume: bool = False,
                    progress: Progress | None = None) -> CalibrationResult:
    """Calibrate into ``out_dir``; resume there if it holds this same calibration, unfinished.

    The folder: the manifest (``.morale-calibration``, first), ``spec.toml``, pyabc's
    ``history.db`` (every completed generation), then, when every generation is done,
    ``posterior.parquet``, ``predictive.parquet``, ``predictive.csv``, ``predictive.md``,
    ``predictive.png`` and last ``summary.json``, each written under a temporary name and renamed.
    """
    from experiments.abc_sampler import DeterministicSampler

    progress = progress or Progress()
    out_dir = Path(out_dir)
    ours = check_folder(out_dir, spec_, budget_, seed, resume)
    summary_file = out_dir / "summary.json"
    if ours and summary_file.is_file():
        return _load_result(out_dir, spec_)
    start = time.perf_counter()
    db_path = out_dir / HISTORY
    if ours and (out_dir / READY).is_file():
        _check_history(db_path)  # before anything is written: a refusal leaves the folder as it was
    with mapper(workers, scheduler) as map_:  # first: a scheduler that cannot be reached writes nothing
        out_dir.mkdir(parents=True, exist_ok=True)
        if not ours:
            _write_text(out_dir / MANIFEST, json.dumps(_manifest(spec_, budget_, seed)) + "\n")
        if not (out_dir / "spec.toml").is_file():
            _write_text(out_dir / "spec.toml", spec_.text)
        sampler = DeterministicSampler(seed, map_, on_particle=progress.particle, on_batch=progress.batch)
        abc = build_abc(spec_, budget_, sampler)
        pyabc_log = logging.getLogger("ABC")
        level = pyabc_log.level
        pyabc_log.setLevel(logging.WARNING)
        try:
            db = f"sqlite:///{db_path.absolute()}"
            if (out_dir / READY).is_file():
                abc.load(db, 1)
                done = abc.history.max_t + 1
            else:  # nothing kept: a history.db without the mark was cut short while being set up
                for stale in out_dir.glob(f"{HISTORY}*"):
                    stale.unlink()
                abc.new(db, {t.name: t.value for t in spec_.targets})
                _write_text(out_dir / READY, "pyabc's history.db is set up\n")
                done = 0
            if done < budget_.generations:
                abc.run(max_nr_populations=budget_.generations - done)
        finally:
            pyabc_log.setLevel(level)
        history = abc.history
        posterior = posterior_frame(history, spec_)
        draws = predictive_draws(posterior, spec_, budget_.draws, seed, map_, progress.predictive)
    table = predictive_table(draws, spec_)
    posterior_table = posterior_summary(posterior, spec_)
    generations = _generations(history)
    _write_frame(out_dir / "posterior.parquet", posterior)
    _write_frame(out_dir / "predictive.parquet", draws)
    _write_frame(out_dir / "predictive.csv", table)
    _write_text(out_dir / "predictive.md", _predictive_markdown(table, spec_, budget_, len(draws)))
    plot_predictive(draws, table, spec_, out_dir / "predictive.png")
    from model.outputs import package_version

    summary = {
        "kind": "morale calibration", "version": package_version(), "spec": spec_.as_dict(),
        "seed": int(seed), "budget": budget_.as_dict(),
        "workers": "dask " + scheduler if scheduler else workers,
        "generations_planned": budget_.generations, "generations_done": len(generations),
        "stopped_early": len(generations) < budget_.generations,
        "resumed_from_generation": done,
        "generations": generations,
        "epsilons": [g["epsilon"] for g in generations],
        "acceptance_rates": [g["acceptance_rate"] for g in generations],
        # particles simulated in this session (the prior sample and particles discarded after a
        # generation's last acceptance included) and the predictive draws, times the replicates
        "model_runs_this_session": (sum(sampler.evaluated_.values()) + len(draws)) * spec_.replicates,
        "seconds": round(time.perf_counter() - start, 1),
        "posterior": posterior_table.to_dict(orient="records"),
        "predictive_check": table.to_dict(orient="records"),
    }
    _write_text(summary_file, json.dumps(summary, indent=2) + "\n")
    return CalibrationResult(out_dir, summary, posterior, posterior_table, table, resumed_from=done)


def _predictive_markdown(table: pd.DataFrame, spec_: CalibrationSpec, budget_: Budget, draws: int) -> str:
    shown = table.drop(columns=["source"])
    return (f"Posterior predictive check of `{spec_.name}` ({budget_.name} budget): {draws} draws from "
            f"the last generation, each {spec_.replicates} seed(s) averaged, {spec_.days} days; 90% "
            f"predictive interval = 5% to 95% quantiles of the draws.\n\n{markdown(shown)}")


def _check_summary(summary: Any) -> None:
    """Raise ValueError unless ``summary`` has what a finished calibration's summary.json holds."""
    def number(value) -> bool:
        return isinstance(value, int | float) and not isinstance(value, bool)

    if not isinstance(summary, dict) or summary.get("kind") != "morale calibration":
        raise ValueError("summary.json is not a calibration's summary")
    for key in ("acceptance_rates", "epsilons"):
        if not (isinstance(summary.get(key), list) and all(number(v) for v in summary[key])):
            raise ValueError(f"summary.json: {key} is not a list of numbers")
    for key in ("generations_done", "generations_planned", "model_runs_this_session", "seconds"):
        if not number(summary.get(key)):
            raise ValueError(f"summary.json: {key} is not a number")


def _load_result(out_dir: Path, spec_: CalibrationSpec) -> CalibrationResult:
    """A finished calibration, read back from its folder."""
    try:
        summary = json.loads((out_dir / "summary.json").read_text(encoding="utf-8"))
        _check_summary(summary)
        posterior = pd.read_parquet(out_dir / "posterior.parquet")
        table = pd.read_csv(out_dir / "predictive.csv")
    except (OSError, ValueError) as exc:
        raise CalibrationError(f"{out_dir} is a finished calibration whose files are damaged "
                               f"({' '.join(str(exc).split())[:120]}); delete summary.json and rerun the "
                               "same command to rewrite them from history.db") from None
    return CalibrationResult(out_dir, summary, posterior, posterior_summary(posterior, spec_), table,
                             already_complete=True,
                             resumed_from=int(summary.get("generations_done", 0)))
