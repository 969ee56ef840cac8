"""Scenario discovery: which boxes of lever values keep an outcome in a range (PRIM).

``morale discover SWEEP_DIR --where "desertion_rate < 0.05"`` asks of a sweep's runs the
question a policy class asks: which combinations of conditions and penalties keep desertion
under 5%? It answers with PRIM, the patient rule induction method (Friedman and Fisher
1999, "Bump hunting in high-dimensional data"), as implemented by the EMA Workbench
(``ema_workbench.analysis.prim``, Kwakkel 2017):

1. every run of the sweep is a row: its varied levers are the inputs ``X``; whether its
   outcome meets the condition is ``y`` (1 or 0);
2. PRIM starts from the box holding every run and *peels*: it cuts off the 5% of the runs
   (``peel_alpha``) at the low or the high end of one lever, choosing the cut that raises the
   share of runs meeting the condition most per run lost; it stops when no cut helps or the
   box would hold under 5% of the runs (``mass_min``); then it *pastes* back any slice that
   raises that share again;
3. every box along the way is kept: the *peeling trajectory*, from the whole sweep (coverage
   1) to a small box where nearly every run meets the condition (density near 1).

For a box:

- **coverage** = runs in the box that meet the condition / all runs that meet it: how much
  of what we want the box explains;
- **density** = runs in the box that meet the condition / runs in the box: how reliably the
  box delivers it (the chance that a run in it meets the condition);
- **mass** = runs in the box / all runs.

The box chosen by default is the one with the highest density among those whose coverage is
at least 0.5 (``min_coverage``): a box that holds at least half of the good runs, as pure as
the trajectory gets. The EMA Workbench itself leaves the choice to the analyst (its
``find_box`` returns the whole trajectory, the last box selected); ``density`` (the box with
the highest coverage whose density is at least that) and ``box`` (an index on the trajectory,
as the plot labels them) choose otherwise.

Rows are runs, not design points averaged over seeds: the model's outcome is noisy from seed
to seed (in the baseline some seeds tip a company and others do not), and with one row per
run a box's density is the estimated chance that a run with those levers meets the condition.
``mean_over_seeds=True`` averages the outcome over each design point's seeds first (the
condition is then on the mean).
"""

from __future__ import annotations

import contextlib
import json
import math
import re
import warnings
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from experiments.sweeps.outcomes import OUTCOMES
from experiments.sweeps.store import MANIFEST, ResultStore, write_atomic
from model.parameters import PARAMETER_NAMES, did_you_mean

DEFAULT_MIN_COVERAGE = 0.5
PEEL_ALPHA = 0.05  # the EMA Workbench's defaults, kept
PASTE_ALPHA = 0.05
MASS_MIN = 0.05
OPERATORS = ("<=", ">=", "<", ">")
PLOT_SUFFIXES = (".svg", ".png")


class DiscoverError(ValueError):
    """A folder that holds no sweep, a condition that cannot be used, a box that cannot be
    chosen; the message is one line."""


# --------------------------------------------------------------------------- #
# The condition
# --------------------------------------------------------------------------- #


@dataclass(frozen=True)
class Condition:
    """``column op value``: the outcome range a run should be in."""

    column: str
    op: str
    value: float

    def __str__(self) -> str:
        return f"{self.column} {self.op} {self.value:g}"

    def holds(self, values) -> np.ndarray:
        """Whether each value meets the condition; an empty value (NaN) does not."""
        x = pd.to_numeric(pd.Series(values), errors="coerce").astype(float).to_numpy()
        with np.errstate(invalid="ignore"):
            result = {"<": x < self.value, "<=": x <= self.value,
                      ">": x > self.value, ">=": x >= self.value}[self.op]
        return result & ~np.isnan(x)


_CONDITION = re.compile(r"^\s*([A-Za-z_][A-Za-z0-9_]*)\s*(<=|>=|<|>)\s*(\S+)\s*$")


def parse_condition(text: str, columns) -> Condition:
    """Read ``COLUMN < x`` (or ``<=``, ``>``, ``>=``; ``x`` a number, or a percentage such as
    ``5%``) without evaluating anything. Raise DiscoverError, one line listing the columns, if
    it is not of that form or the column is not one of ``columns``."""
    columns = list(columns)
    listed = ", ".join(columns)
    shown = " ".join(str(text).split())
    match = _CONDITION.match(str(text))
    if not match:
        raise DiscoverError(f"--where {shown!r} is not allowed: give COLUMN < x (or <=, >, >=) with x a "
                            f"number, e.g. 'desertion_rate < 0.05'; columns: {listed}")
    column, op, number = match.groups()
    if column not in columns:
        raise DiscoverError(f"--where {shown!r} is not allowed: unknown column '{column}'"
                            f"{did_you_mean(column, columns)}; columns: {listed}")
    try:
        value = float(number[:-1]) / 100 if number.endswith("%") else float(number)
    except ValueError:
        value = math.nan
    if not math.isfinite(value):
        raise DiscoverError(f"--where {shown!r} is not allowed: {number!r} is not a finite number; "
                            "give e.g. 0.05 or 5%")
    return Condition(column, op, value)


# --------------------------------------------------------------------------- #
# The sweep's runs
# --------------------------------------------------------------------------- #


@dataclass
class SweepRuns:
    """The runs of a sweep folder that finished ok, with what the sweep varied."""

    dir: Path
    name: str
    levers: list[str]
    runs: pd.DataFrame  # status ok only
    planned: int
    failed: int
    finished: bool  # runs.parquet written: every planned run has a result
    ranges: dict[str, tuple[float, float]] = field(default_factory=dict)  # each lever's range in the spec

    @property
    def outcomes(self) -> list[str]:
        """The outcome columns the sweep recorded, in their usual order."""
        return [c for c in OUTCOMES if c in self.runs.columns]


def load_sweep(folder: Path) -> SweepRuns:
    """Read a sweep folder written by ``morale sweep``, finished or not, writing nothing."""
    folder = Path(folder)
    if not folder.is_dir():
        what = "does not exist" if not folder.exists() else "is not a folder"
        raise DiscoverError(f"SWEEP_DIR {folder} {what}: give the output folder of a `morale sweep` "
                            "(runs/sweeps/NAME by default)")
    info_file = folder / "sweep.json"
    if not info_file.is_file():
        raise DiscoverError(f"SWEEP_DIR {folder} holds no sweep (no sweep.json): give the output folder "
                            "of a `morale sweep` (runs/sweeps/NAME by default)")
    try:
        info = json.loads(info_file.read_text(encoding="utf-8"))
        levers = [v["name"] for v in info["varied"]]
        if not levers or not all(isinstance(n, str) and n in PARAMETER_NAMES for n in levers):
            raise ValueError("no varied parameters")
        planned = int(info.get("runs") or 0)
    except (OSError, ValueError, TypeError, KeyError):
        again = ("delete it and rerun the sweep into this folder (finished runs are kept)"
                 if (folder / MANIFEST).exists() else "rerun the sweep into a new folder")
        raise DiscoverError(f"{info_file} is damaged (no list of varied parameters); {again}") from None
    runs, finished = ResultStore(folder).read_runs()
    lacking = [c for c in ("run_id", "status", *levers) if c not in runs.columns]
    if lacking:
        raise DiscoverError(f"{folder}/runs.parquet is damaged (no column {lacking[0]!r}); delete it and "
                            "rerun the sweep into this folder: finished runs are kept")
    ok = runs[runs["status"] == "ok"].reset_index(drop=True)
    if ok.empty:
        state = "none of its runs succeeded" if finished else "no run has finished yet"
        raise DiscoverError(f"the sweep in {folder} has no runs to analyse: {state}; run or resume it "
                            f"with `morale sweep {folder}/spec.toml --out {folder}`")
    return SweepRuns(folder, str(info.get("name", folder.name)), levers, ok,
                     planned or len(runs), int((runs["status"] != "ok").sum()), finished,
                     _declared_ranges(info["varied"]))


def _declared_ranges(varied: list[dict]) -> dict[str, tuple[float, float]]:
    """Each lever's range as the spec gave it: its list of values, or its bounds."""
    ranges = {}
    for entry in varied:
        values = entry.get("values") or [entry.get("min"), entry.get("max")]
        try:
            numbers = [float(v) for v in values]
        except (TypeError, ValueError):
            continue  # not recorded: the range of the runs is shown instead
        if numbers and all(math.isfinite(v) for v in numbers):
            ranges[entry["name"]] = (min(numbers), max(numbers))
    return ranges


@dataclass
class Data:
    """What PRIM reads: one row per run (or per design point), the levers, whether each meets
    the condition."""

    x: pd.DataFrame
    y: np.ndarray  # bool
    values: np.ndarray  # the outcome (its mean over seeds with mean_over_seeds)
    unit: str  # "runs" or "design points"
    notes: list[str] = field(default_factory=list)
    ranges: dict[str, tuple[float, float]] = field(default_factory=dict)  # each lever's range in the spec


def build_xy(sweep: SweepRuns, condition: Condition, mean_over_seeds: bool = False) -> Data:
    """The inputs (the varied levers, as floats) and the outcome of each run; with
    ``mean_over_seeds`` one row per design point, its outcome averaged over its seeds."""
    runs = sweep.runs
    x = runs[sweep.levers].astype(float)
    values = pd.to_numeric(runs[condition.column], errors="coerce").astype(float)
    notes = []
    unit = "runs"
    if mean_over_seeds:
        grouped = pd.concat([x, values.rename("_outcome")], axis=1).groupby(sweep.levers, sort=False)
        means = grouped["_outcome"].mean()  # NaN only if every seed of the point is empty
        x = means.index.to_frame(index=False).astype(float)
        values = means.reset_index(drop=True)
        unit = "design points"
    empty = int(values.isna().sum())
    if empty:
        notes.append(f"{empty} {unit} have no value of {condition.column} (empty: "
                     f"{OUTCOMES.get(condition.column, ('', 'no value'))[1]}) and count as not meeting "
                     "the condition")
    y = condition.holds(values)
    if not y.any():
        finite = values.dropna()
        seen = (f"{condition.column} runs from {finite.min():.4g} to {finite.max():.4g}"
                if len(finite) else f"{condition.column} is empty in every one")
        raise DiscoverError(f"--where '{condition}' is met by none of the {len(values)} {unit} of "
                            f"{sweep.dir} ({seen}); give a condition some {unit} meet")
    if y.all():
        notes.append(f"every one of the {len(y)} {unit} meets '{condition}': the whole sweep is the box")
    return Data(x.reset_index(drop=True), y, values.to_numpy(dtype=float), unit, notes, sweep.ranges)


# --------------------------------------------------------------------------- #
# PRIM
# --------------------------------------------------------------------------- #


@dataclass
class Trajectory:
    """The boxes PRIM went through, from the whole sweep to the smallest box."""

    stats: pd.DataFrame  # per box: coverage, density, mass, n, k, restricted
    limits: list[pd.DataFrame]  # per box: rows 0 (lower) and 1 (upper), one column per lever
    quasi_p: list[dict[str, list[float]]]  # per box: lever -> [p lower, p upper] (-1: side free)

    def __len__(self) -> int:
        return len(self.stats)


@contextlib.contextmanager
def _quiet() -> Iterator[None]:
    """The EMA Workbench warns on import (optional extras absent) and on pandas deprecations."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        yield


def run_prim(x: pd.DataFrame, y: np.ndarray) -> Trajectory:
    """Peel and paste one box with the EMA Workbench's PRIM; its whole trajectory."""
    with _quiet():
        from ema_workbench.analysis import prim

        found = prim.Prim(x.astype(float), np.asarray(y, dtype=int), peel_alpha=PEEL_ALPHA,
                          paste_alpha=PASTE_ALPHA, mass_min=MASS_MIN)
        box = found.find_box()
    if box is None:  # pragma: no cover - only with no rows, which build_xy never gives
        raise DiscoverError("PRIM found no box: there are no runs")
    raw = box.peeling_trajectory
    stats = pd.DataFrame({
        "coverage": raw["coverage"].astype(float).to_numpy(),
        "density": raw["density"].astype(float).to_numpy(),
        "mass": raw["mass"].astype(float).to_numpy(),
        "n": raw["n"].astype(int).to_numpy(),
        "k": raw["k"].astype(int).to_numpy(),
        "restricted": raw["res_dim"].astype(int).to_numpy(),
    })
    return Trajectory(stats, [lims.copy() for lims in box.box_lims], [dict(p) for p in box.p_values])


def check_choice(min_coverage: float | None = None, density: float | None = None,
                 box: int | None = None) -> None:
    """Raise DiscoverError unless at most one way of choosing the box is given, in its range."""
    if sum(v is not None for v in (min_coverage, density, box)) > 1:
        raise DiscoverError("--min-coverage, --density and --box choose the box in different ways: "
                            "give at most one")
    for option, value in (("--min-coverage", min_coverage), ("--density", density)):
        if value is not None and not 0 <= value <= 1:
            raise DiscoverError(f"{option} {value:g} is not allowed: give a number from 0 to 1")
    if box is not None and box < 0:
        raise DiscoverError(f"--box {box} is not allowed: give 0 or more (the boxes on the peeling "
                            "trajectory, as the plot numbers them)")


def choose_box(trajectory: Trajectory, min_coverage: float | None = None, density: float | None = None,
               box: int | None = None) -> int:
    """The index of the chosen box on the trajectory.

    By default (or with ``min_coverage``): the highest density among boxes whose coverage is
    at least ``min_coverage`` (0.5), the larger box on a tie. With ``density``: the highest
    coverage among boxes whose density is at least that, the purer box on a tie. With
    ``box``: that index.
    """
    check_choice(min_coverage, density, box)
    stats = trajectory.stats
    if box is not None:
        if box >= len(stats):
            raise DiscoverError(f"--box {box} is not allowed: give 0 to {len(stats) - 1} (the boxes "
                                "on the peeling trajectory, as the plot numbers them)")
        return int(box)
    eps = 1e-12
    if density is not None:
        fit = stats[stats["density"] >= density - eps]
        if fit.empty:
            densest = math.floor(stats["density"].max() * 1000) / 1000
            raise DiscoverError(f"--density {density:g} is not allowed: no box on the peeling trajectory "
                                f"is that dense; give at most {densest:g}")
        best = fit[fit["coverage"] >= fit["coverage"].max() - eps]
        return int(best["density"].idxmax())
    wanted = DEFAULT_MIN_COVERAGE if min_coverage is None else min_coverage
    fit = stats[stats["coverage"] >= wanted - eps]  # never empty: box 0 has coverage 1
    best = fit[fit["density"] >= fit["density"].max() - eps]
    return int(best["coverage"].idxmax())


def fmt(value: float) -> str:
    """A lever's value as people read it: whole numbers whole, others to 3 significant digits."""
    return str(int(value)) if float(value).is_integer() and abs(value) < 1e15 else f"{value:.3g}"


@dataclass
class LeverRange:
    """One lever of a box: the values its runs took, whether PRIM restricted it."""

    name: str
    sides: tuple[bool, bool]  # whether PRIM restricted its low end, its high end
    low: float  # the lowest and highest value of the lever among the box's rows
    high: float
    sweep_low: float  # the range the sweep gave it (its spec's bounds or values)
    sweep_high: float
    limits: tuple[float, float]  # PRIM's cut points (between two values seen)
    quasi_p: tuple[float | None, float | None]  # per side (low, high); None where that side is free

    @property
    def restricted(self) -> bool:
        return any(self.sides)

    @property
    def weak(self) -> bool:
        """Whether a restricted side may be noise (its quasi-p above 0.05)."""
        return any(p is not None and p > 0.05 for p in self.quasi_p)

    def text(self) -> str:
        """``any``, ``>= a``, ``<= b`` or ``a to b``: the values of the box's rows on its
        restricted ends."""
        if not self.restricted:
            return "any"
        if self.low == self.high:
            return fmt(self.low)
        if all(self.sides):
            return f"{fmt(self.low)} to {fmt(self.high)}"
        return f">= {fmt(self.low)}" if self.sides[0] else f"<= {fmt(self.high)}"


@dataclass
class Box:
    """The chosen box and its statistics."""

    index: int
    levers: list[LeverRange]
    coverage: float
    density: float
    mass: float
    n: int  # rows in the box
    k: int  # rows in the box that meet the condition
    total: int  # all rows
    total_meeting: int  # all rows that meet the condition
    inside: np.ndarray  # bool: which rows are in the box

    @property
    def restricted(self) -> list[LeverRange]:
        return [lever for lever in self.levers if lever.restricted]


def describe_box(trajectory: Trajectory, index: int, data: Data) -> Box:
    """The box at ``index``: per lever its range (or free), and who is in it."""
    limits = trajectory.limits[index]
    first = trajectory.limits[0]
    x = data.x
    inside = np.ones(len(x), dtype=bool)
    for name in x.columns:
        inside &= (x[name].to_numpy() >= limits.loc[0, name]) & (x[name].to_numpy() <= limits.loc[1, name])
    levers = []
    for name in x.columns:
        cut = (bool(limits.loc[0, name] != first.loc[0, name]),
               bool(limits.loc[1, name] != first.loc[1, name]))
        seen = x.loc[inside, name]
        sides = [*trajectory.quasi_p[index].get(name, []), -1, -1][:2]
        declared = data.ranges.get(name, (float(x[name].min()), float(x[name].max())))
        levers.append(LeverRange(
            name, cut,
            float(seen.min()) if len(seen) else math.nan, float(seen.max()) if len(seen) else math.nan,
            *declared,
            (float(limits.loc[0, name]), float(limits.loc[1, name])),
            tuple(float(p) if p is not None and p >= 0 else None for p in sides),
        ))
    n, k = int(inside.sum()), int(data.y[inside].sum())
    stats = trajectory.stats.iloc[index]
    if n != int(stats["n"]) or k != int(stats["k"]):  # pragma: no cover - a bug if it happens
        raise RuntimeError(f"box {index}: {n} rows and {k} meeting, PRIM says {stats['n']} and {stats['k']}")
    total_meeting = int(data.y.sum())
    return Box(index, levers, k / total_meeting, k / n if n else math.nan, n / len(x), n, k,
               len(x), total_meeting, inside)


# --------------------------------------------------------------------------- #
# The plot and the JSON
# --------------------------------------------------------------------------- #


def plot_tradeoff(trajectory: Trajectory, chosen: Box, condition: Condition, title: str, path: Path,
                  unit: str = "runs", min_coverage: float | None = None) -> Path:
    """Coverage against density of every box on the trajectory, the chosen one marked (and the
    least coverage it was chosen under, if given); written atomically as SVG or PNG (by the
    file's suffix)."""
    import matplotlib
    from matplotlib.colors import BoundaryNorm
    from matplotlib.figure import Figure

    path = Path(path)
    suffix = path.suffix.lower()
    if suffix not in PLOT_SUFFIXES:
        raise DiscoverError(f"--plot {path} is not allowed: give a file name ending in .svg or .png")
    stats = trajectory.stats
    fig = Figure(figsize=(7.5, 5.6), layout="constrained")
    ax = fig.add_subplot()
    top = max(int(stats["restricted"].max()), 1)
    cmap = matplotlib.colormaps["viridis"].resampled(top + 1)
    norm = BoundaryNorm(np.arange(-0.5, top + 1.5), cmap.N)
    if min_coverage is not None:
        ax.axvline(min_coverage, color="0.55", lw=0.9, ls="--", zorder=0)
        ax.annotate(f"min coverage {min_coverage:g}", (min_coverage, 0), xytext=(-4, 4),
                    xycoords=("data", "axes fraction"), textcoords="offset points", ha="right", va="bottom",
                    rotation=90, fontsize=7.5, color="0.45")
    ax.plot(stats["coverage"], stats["density"], color="0.75", lw=1, zorder=1)
    dots = ax.scatter(stats["coverage"], stats["density"], c=stats["restricted"], cmap=cmap, norm=norm,
                      s=28, zorder=2, edgecolors="white", linewidths=0.5)
    bar = fig.colorbar(dots, ax=ax, ticks=range(top + 1), pad=0.02)
    bar.set_label("levers restricted")
    labelled = set(range(0, len(stats), max(1, len(stats) // 8))) | {len(stats) - 1}
    for i in sorted(labelled - {chosen.index}):
        ax.annotate(str(i), (stats["coverage"][i], stats["density"][i]), textcoords="offset points",
                    xytext=(4, -10), fontsize=7, color="0.35")
    ax.scatter([chosen.coverage], [chosen.density], s=190, facecolors="none", edgecolors="crimson",
               linewidths=1.8, zorder=3)
    lines = [f"box {chosen.index}: coverage {chosen.coverage:.2f}, density {chosen.density:.2f}"]
    lines += [f"{lever.name} {lever.text()}" for lever in chosen.restricted] or ["no lever restricted"]
    right = chosen.coverage > 0.6
    ax.annotate("\n".join(lines), (chosen.coverage, chosen.density), textcoords="offset points",
                xytext=(-14 if right else 14, -14), ha="right" if right else "left", va="top",
                multialignment="left", fontsize=8.5, color="crimson",
                bbox={"boxstyle": "round,pad=0.3", "fc": "white", "ec": "crimson", "lw": 0.8},
                arrowprops={"arrowstyle": "-", "color": "crimson", "lw": 0.8})
    ax.set_xlabel(f"coverage: share of the {unit} meeting the condition that are in the box")
    ax.set_ylabel(f"density: share of the box's {unit} meeting the condition")
    ax.set_xlim(-0.02, 1.04)
    low = float(stats["density"].min())
    ax.set_ylim(max(0.0, low - 0.08), 1.04)
    ax.grid(True, lw=0.4, color="0.9")
    ax.set_title(f"{title}\nPRIM peeling trajectory for {condition}: box 0 is every {unit[:-1]}, each "
                 "further box peels a slice", fontsize=9.5)
    write_atomic(path, lambda p: fig.savefig(p, format=suffix[1:], dpi=130,
                                              metadata={"Date": None} if suffix == ".svg" else None))
    return path


def box_json(sweep: SweepRuns, condition: Condition, data: Data, trajectory: Trajectory, box: Box,
             plot: Path | None) -> dict[str, Any]:
    """The box, its statistics and the trajectory, for scripts."""

    def number(v: float | None) -> float | None:
        return None if v is None or not math.isfinite(v) else float(v)

    return {
        "sweep": str(sweep.dir),
        "name": sweep.name,
        "condition": {"column": condition.column, "op": condition.op, "value": condition.value,
                      "text": str(condition)},
        "rows": data.unit,
        "rows_total": box.total,
        "rows_meeting": box.total_meeting,
        "runs_failed": sweep.failed,
        "sweep_finished": sweep.finished,
        "box": {
            "index": box.index,
            "coverage": box.coverage,
            "density": box.density,
            "mass": box.mass,
            "rows_in_box": box.n,
            "rows_in_box_meeting": box.k,
            "levers": {lever.name: {
                "restricted": lever.restricted,
                "restricted_ends": {"low": lever.sides[0], "high": lever.sides[1]},
                "min": number(lever.low), "max": number(lever.high),
                "prim_limits": [number(v) for v in lever.limits],
                "sweep_min": lever.sweep_low, "sweep_max": lever.sweep_high,
                "quasi_p": [number(p) for p in lever.quasi_p],
            } for lever in box.levers},
        },
        "trajectory": [{"index": int(i), "coverage": float(r.coverage), "density": float(r.density),
                        "mass": float(r.mass), "rows": int(r.n), "restricted": int(r.restricted)}
                       for i, r in trajectory.stats.iterrows()],
        "plot": str(plot) if plot is not None else None,
        "definitions": {
            "coverage": "rows in the box that meet the condition / all rows that meet it",
            "density": "rows in the box that meet the condition / rows in the box",
            "mass": "rows in the box / all rows",
            "quasi_p": "per side (low, high) of a restricted lever: the EMA Workbench's binomial test "
                       "that the restriction raises the density more than chance (above 0.05: it may be "
                       "noise); null where that side is free",
        },
    }


# --------------------------------------------------------------------------- #
# All of it
# --------------------------------------------------------------------------- #


@dataclass
class Discovery:
    sweep: SweepRuns
    condition: Condition
    data: Data
    trajectory: Trajectory
    box: Box


def discover(folder: Path, where: str, min_coverage: float | None = None, density: float | None = None,
             box: int | None = None, mean_over_seeds: bool = False) -> Discovery:
    """Read the sweep, parse the condition, run PRIM and choose the box (writes nothing)."""
    check_choice(min_coverage, density, box)  # before any work
    sweep = load_sweep(folder)
    condition = parse_condition(where, sweep.outcomes)
    data = build_xy(sweep, condition, mean_over_seeds)
    trajectory = run_prim(data.x, data.y)
    index = choose_box(trajectory, min_coverage, density, box)
    return Discovery(sweep, condition, data, trajectory, describe_box(trajectory, index, data))


def default_plot_path(folder: Path, condition: Condition) -> Path:
    return Path(folder) / f"discover_{condition.column}.svg"
