"""Scenario discovery (`morale discover`, experiments/discover.py): PRIM finds a known box; the
condition parser; one-line errors; a tiny real sweep end to end."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from typer.testing import CliRunner

from cli.main import app
from experiments.discover import (
    Condition,
    Data,
    DiscoverError,
    LeverRange,
    Trajectory,
    build_xy,
    choose_box,
    describe_box,
    load_sweep,
    parse_condition,
    run_prim,
)
from experiments.sweeps import OUTCOMES

runner = CliRunner()
COLUMNS = list(OUTCOMES)


def morale(*args: str):
    return runner.invoke(app, list(args))


# --------------------------------------------------------------------------- #
# PRIM on data whose box is known
# --------------------------------------------------------------------------- #


def synthetic(n: int = 800, noise: float = 0.05, seed: int = 0) -> Data:
    """y = x1 < 0.3 and x2 > 0.6, each label flipped with probability ``noise``; x3 is irrelevant."""
    rng = np.random.default_rng(seed)
    x = pd.DataFrame({"x1": rng.uniform(0, 1, n), "x2": rng.uniform(0, 1, n), "x3": rng.uniform(0, 1, n)})
    truth = ((x["x1"] < 0.3) & (x["x2"] > 0.6)).to_numpy()
    y = truth ^ (rng.uniform(size=n) < noise)
    return Data(x, y, y.astype(float), "runs")


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_prim_finds_the_true_box_and_leaves_the_irrelevant_lever_free(seed):
    data = synthetic(seed=seed)
    trajectory = run_prim(data.x, data.y)
    box = describe_box(trajectory, choose_box(trajectory), data)
    levers = {lever.name: lever for lever in box.levers}
    assert levers["x1"].restricted and levers["x2"].restricted
    # x3 is free, or trimmed a little at its ends by a peel its quasi-p marks as possibly noise
    x3 = levers["x3"]
    assert x3.text() == "any" or (x3.weak and x3.high - x3.low > 0.85), x3
    assert levers["x1"].quasi_p[1] < 1e-6 and levers["x2"].quasi_p[0] < 1e-6  # the true edges
    # x1's upper and x2's lower edge near the truth; their other ends free, or trimmed a little
    # by a peel marked as possibly noise
    assert levers["x1"].high == pytest.approx(0.3, abs=0.05) and levers["x1"].sides[1]
    assert levers["x2"].low == pytest.approx(0.6, abs=0.05) and levers["x2"].sides[0]
    assert levers["x1"].quasi_p[0] is None or (levers["x1"].quasi_p[0] > 0.05 and levers["x1"].low < 0.05)
    assert levers["x2"].quasi_p[1] is None or (levers["x2"].quasi_p[1] > 0.05 and levers["x2"].high > 0.95)
    assert box.density > 0.85 and box.coverage >= 0.5
    # the statistics are what their definitions say, counted from the rows in the box
    inside = np.ones(len(data.x), dtype=bool)
    for name, lever in levers.items():
        inside &= ((data.x[name] >= lever.low) & (data.x[name] <= lever.high)).to_numpy()
    assert (inside == box.inside).all()
    assert box.coverage == pytest.approx(data.y[inside].sum() / data.y.sum())
    assert box.density == pytest.approx(data.y[inside].mean())
    assert box.n == inside.sum() and box.mass == pytest.approx(inside.mean())


def test_the_trajectory_runs_from_everything_to_a_dense_box():
    data = synthetic()
    trajectory = run_prim(data.x, data.y)
    stats = trajectory.stats
    assert stats["coverage"].iloc[0] == 1 and stats["mass"].iloc[0] == 1 and stats["restricted"].iloc[0] == 0
    assert stats["density"].iloc[0] == pytest.approx(data.y.mean())
    assert stats["density"].iloc[-1] > 0.9 and stats["n"].iloc[-1] < 0.15 * len(data.y)
    assert (stats["density"].diff().dropna() >= 0).all()  # each peel (or paste) raises the density


def test_a_lever_range_reads_as_any_one_end_or_both():
    def lever(sides, low=0.2, high=0.8):
        return LeverRange("x", sides, low, high, 0.0, 1.0, (0.1, 0.9), (None, None))

    assert lever((False, False)).text() == "any"
    assert lever((True, False)).text() == ">= 0.2"
    assert lever((False, True)).text() == "<= 0.8"
    assert lever((True, True)).text() == "0.2 to 0.8"
    assert lever((True, False), 0.7, 0.7).text() == "0.7"
    assert lever((True, True), 2.0, 40.0).text() == "2 to 40"
    assert lever((True, True), 1 / 3).text() == "0.333 to 0.8"


def _trajectory(coverage, density) -> Trajectory:
    n = [100 - 10 * i for i in range(len(coverage))]
    stats = pd.DataFrame({"coverage": coverage, "density": density, "mass": [v / 100 for v in n], "n": n,
                          "k": n, "restricted": [min(i, 2) for i in range(len(coverage))]})
    return Trajectory(stats, [], [])


def test_choosing_the_box():
    t = _trajectory([1.0, 0.9, 0.7, 0.5, 0.49, 0.2], [0.3, 0.4, 0.6, 0.8, 0.8, 1.0])
    assert choose_box(t) == 3                        # densest with coverage >= 0.5
    assert choose_box(t, min_coverage=0.8) == 1
    assert choose_box(t, min_coverage=0.0) == 5
    assert choose_box(t, density=0.8) == 3           # most coverage with density >= 0.8
    assert choose_box(t, density=0.95) == 5
    assert choose_box(t, box=4) == 4
    for bad in ({"box": 6}, {"density": 0.5, "box": 1}, {"min_coverage": 1.5}, {"density": -0.1}):
        with pytest.raises(DiscoverError):
            choose_box(t, **bad)
    with pytest.raises(DiscoverError, match=r"give at most 0\.8$"):
        choose_box(_trajectory([1.0, 0.5], [0.3, 0.8]), density=0.9)


# --------------------------------------------------------------------------- #
# The condition
# --------------------------------------------------------------------------- #


@pytest.mark.parametrize("text, expected", [
    ("desertion_rate < 0.05", Condition("desertion_rate", "<", 0.05)),
    ("desertion_rate<0.05", Condition("desertion_rate", "<", 0.05)),
    ("  desertion_rate <= 5% ", Condition("desertion_rate", "<=", 0.05)),
    ("combat_effectiveness >= 0.5", Condition("combat_effectiveness", ">=", 0.5)),
    ("largest_cascade > 1e2", Condition("largest_cascade", ">", 100.0)),
    ("mean_fear > -0.1", Condition("mean_fear", ">", -0.1)),
])
def test_the_condition_parser_reads_the_four_comparisons(text, expected):
    assert parse_condition(text, COLUMNS) == expected


@pytest.mark.parametrize("text, says", [
    ("desertion_rat < 0.05", "unknown column 'desertion_rat' (did you mean 'desertion_rate'?)"),
    ("penalty_severity > 0.5", "unknown column 'penalty_severity'"),   # a lever, not an outcome
    ("desertion_rate = 0.05", "give COLUMN < x"),
    ("desertion_rate == 0.05", "give COLUMN < x"),
    ("desertion_rate < 0.05 and killed > 3", "give COLUMN < x"),
    ("desertion_rate < abc", "not a finite number"),
    ("desertion_rate < nan", "not a finite number"),
    ("desertion_rate < inf", "not a finite number"),
    ("__import__('os').system('true') < 1", "give COLUMN < x"),
    ("0.05 > desertion_rate", "give COLUMN < x"),
    ("", "give COLUMN < x"),
])
def test_a_bad_condition_is_one_line_listing_the_columns(text, says):
    with pytest.raises(DiscoverError) as caught:
        parse_condition(text, COLUMNS)
    message = str(caught.value)
    assert says in message and "\n" not in message
    assert "columns: desertion_rate, desertion_rate_frontline" in message or "finite" in message


def test_a_condition_holds_on_its_side_of_the_value_and_never_on_an_empty_value():
    values = [0.01, 0.05, 0.09, float("nan"), None]
    assert list(Condition("c", "<", 0.05).holds(values)) == [True, False, False, False, False]
    assert list(Condition("c", "<=", 0.05).holds(values)) == [True, True, False, False, False]
    assert list(Condition("c", ">", 0.05).holds(values)) == [False, False, True, False, False]
    assert list(Condition("c", ">=", 0.05).holds(values)) == [False, True, True, False, False]


# --------------------------------------------------------------------------- #
# A tiny real sweep
# --------------------------------------------------------------------------- #

TINY_SPEC = """
description = "tiny sweep for morale discover"
scenario = "meat_grinder"
design = "grid"
seeds = [0, 1]
days = 30

[parameters]
n_units = 4
unit_size = 30

[vary]
penalty_severity = [0.1, 0.5, 0.9]
supply_level = { min = 0.3, max = 1.0, steps = 3 }
"""


@pytest.fixture(scope="module")
def tiny(tmp_path_factory) -> Path:
    """A real sweep: 2 levers x 3 values x 2 seeds, 4 companies of 30, 30 days (18 runs)."""
    folder = tmp_path_factory.mktemp("discover")
    (folder / "tiny.toml").write_text(TINY_SPEC)
    result = morale("sweep", str(folder / "tiny.toml"), "--workers", "1", "--out", str(folder / "out"),
                    "--quiet")
    assert result.exit_code == 0, result.output
    return folder / "out"


def _median_condition(folder: Path, column: str = "mean_grievance") -> str:
    """A condition about half the runs meet (so there is something to find)."""
    runs = pd.read_parquet(folder / "runs.parquet")
    return f"{column} < {runs[column].median():.6f}"


def test_end_to_end_a_tiny_sweep_gives_a_box_a_plot_and_json(tiny, tmp_path):
    where = _median_condition(tiny)
    result = morale("discover", str(tiny), "--where", where)
    assert result.exit_code == 0, result.output
    out = result.output
    for words in ("penalty_severity", "supply_level", "coverage", "density", "runs in the box",
                  "PRIM's peeling trajectory", "quasi-p"):
        assert words in out, out
    plot = tiny / "discover_mean_grievance.svg"
    assert plot.is_file() and "<svg" in plot.read_text()[:2000] and f"wrote {plot}" in out
    assert not [p.name for p in tiny.iterdir() if p.name.endswith(".tmp")]

    result = morale("discover", str(tiny), "--where", where, "--json", "--plot", str(tmp_path / "t.png"))
    assert result.exit_code == 0, result.output
    found = json.loads(result.stdout)
    assert (tmp_path / "t.png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    box = found["box"]
    # the box's figures, recomputed from runs.parquet with the ranges it reports
    runs = pd.read_parquet(tiny / "runs.parquet")
    meets = runs["mean_grievance"] < found["condition"]["value"]
    inside = np.ones(len(runs), dtype=bool)
    for name, lever in box["levers"].items():
        inside &= (runs[name] >= lever["min"]) & (runs[name] <= lever["max"])
        assert lever["restricted"] == ((lever["min"], lever["max"]) != (runs[name].min(), runs[name].max()))
    assert found["rows"] == "runs" and found["rows_total"] == len(runs) == 18
    spec_ranges = {name: (lever["sweep_min"], lever["sweep_max"]) for name, lever in box["levers"].items()}
    assert spec_ranges == {"penalty_severity": (0.1, 0.9), "supply_level": (0.3, 1.0)}
    assert found["rows_meeting"] == meets.sum()
    assert box["rows_in_box"] == inside.sum() and box["rows_in_box_meeting"] == (inside & meets).sum()
    assert box["coverage"] == pytest.approx((inside & meets).sum() / meets.sum())
    assert box["density"] == pytest.approx((inside & meets).sum() / inside.sum())
    assert box["density"] > meets.mean()  # the box is purer than the whole sweep
    assert box["coverage"] >= 0.5
    assert found["trajectory"][box["index"]]["density"] == pytest.approx(box["density"])


def test_mean_over_seeds_gives_one_row_per_design_point(tiny):
    sweep = load_sweep(tiny)
    condition = parse_condition(_median_condition(tiny), sweep.outcomes)
    per_run = build_xy(sweep, condition)
    per_point = build_xy(sweep, condition, mean_over_seeds=True)
    assert len(per_run.y) == 18 and len(per_point.y) == 9 and per_point.unit == "design points"
    means = sweep.runs.groupby(["penalty_severity", "supply_level"])["mean_grievance"].mean()
    for row, value in zip(per_point.x.itertuples(index=False), per_point.values, strict=True):
        assert value == pytest.approx(means.loc[(row.penalty_severity, row.supply_level)])


def test_a_partly_finished_sweep_is_read_from_its_part_files(tiny, tmp_path):
    partial = tmp_path / "partial"
    shutil.copytree(tiny, partial)
    (partial / "runs.parquet").unlink()
    parts = sorted((partial / "parts").glob("*.ok.parquet"))
    for part in parts[:5]:
        part.unlink()
    sweep = load_sweep(partial)
    assert not sweep.finished and len(sweep.runs) == 13 and sweep.planned == 18
    assert set(sweep.runs["run_id"]) == {p.name.removesuffix(".ok.parquet") for p in parts[5:]}
    result = morale("discover", str(partial), "--where", _median_condition(tiny))
    assert result.exit_code == 0, result.output
    assert "has not finished: 13 of its 18 planned runs" in result.output
    plot = partial / "discover_mean_grievance.svg"
    assert plot.is_file()
    # the sweep resumes into the folder, leaving the plot alone; then all 18 runs are read
    resumed = morale("sweep", str(partial / "spec.toml"), "--workers", "1", "--out", str(partial), "--quiet")
    assert resumed.exit_code == 0, resumed.output
    assert "(13 already done, 5 run now" in resumed.output and plot.is_file()
    again = load_sweep(partial)
    assert again.finished and len(again.runs) == 18


def test_an_empty_outcome_counts_as_not_meeting_and_is_said(tiny, tmp_path):
    """day_desertion_10pct is empty when the army never lost 10%."""
    sweep = load_sweep(tiny)
    sweep.runs.loc[:8, "day_desertion_10pct"] = 5
    sweep.runs.loc[9:, "day_desertion_10pct"] = pd.NA
    data = build_xy(sweep, parse_condition("day_desertion_10pct < 10", sweep.outcomes))
    assert data.y.sum() == 9 and any("9 runs have no value of day_desertion_10pct" in n for n in data.notes)


# --------------------------------------------------------------------------- #
# Bad input: exit 2, one line, nothing written
# --------------------------------------------------------------------------- #


def _one_error_line(result) -> str:
    lines = [line for line in result.output.splitlines() if line.strip()]
    assert result.exit_code == 2, result.output
    assert len(lines) == 1 and lines[0].startswith("error: "), result.output
    assert "Traceback" not in result.output
    return lines[0]


def test_bad_input_exits_2_with_one_line_and_writes_nothing(tiny, tmp_path):
    before = sorted(p.name for p in tiny.iterdir())
    not_a_sweep = tmp_path / "not_a_sweep"
    not_a_sweep.mkdir()
    (not_a_sweep / "notes.txt").write_text("mine")
    a_file = tmp_path / "a_file"
    a_file.write_text("x")
    cases = [
        ([str(tmp_path / "missing"), "--where", "desertion_rate < 0.05"], "does not exist"),
        ([str(a_file), "--where", "desertion_rate < 0.05"], "is not a folder"),
        ([str(not_a_sweep), "--where", "desertion_rate < 0.05"], "holds no sweep (no sweep.json)"),
        ([str(tiny), "--where", "desertion < 0.05"], "unknown column 'desertion'"),
        ([str(tiny), "--where", "desertion_rate ~ 0.05"], "give COLUMN < x"),
        ([str(tiny), "--where", "desertion_rate < -1"], "is met by none of the 18 runs"),
        ([str(tiny), "--where", "desertion_rate < 0.05", "--density", "0.9", "--box", "1"],
         "give at most one"),
        ([str(tiny), "--where", "desertion_rate < 0.05", "--min-coverage", "2"], "--min-coverage 2"),
        ([str(tiny), "--where", "desertion_rate > -1", "--box", "99"],
         "--box 99 is not allowed: give 0 to 0"),   # every run meets it: one box, the whole sweep
        ([str(tiny), "--where", "desertion_rate < 0.05", "--plot", str(tmp_path / "p.pdf")], ".svg or .png"),
        ([str(tiny)], "--where"),
    ]
    for args, says in cases:
        line = _one_error_line(morale("discover", *args))
        assert says in line, (args, line)
    unknown = _one_error_line(morale("discover", str(tiny), "--where", "desertion < 0.05"))
    assert "columns: desertion_rate, desertion_rate_frontline" in unknown and "caught" in unknown
    assert sorted(p.name for p in tiny.iterdir()) == before
    assert sorted(p.name for p in not_a_sweep.iterdir()) == ["notes.txt"]
    assert not (tmp_path / "p.pdf").exists()
