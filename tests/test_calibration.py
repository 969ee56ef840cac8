"""`morale calibrate`: summary statistics, the distance, the spec's checks, determinism across
workers and Dask, resuming after a kill, and the command end to end (tiny armies, short runs)."""

from __future__ import annotations

import json
import math
import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from typer.testing import CliRunner

import configs
from cli.main import app
from experiments import calibration as cal
from experiments.abc_sampler import KILL_ENV, particle_seed
from model.metrics import unit_table, units_over_10pct
from model.model import MoraleModel

runner = CliRunner()
MORALE = str(Path(sys.executable).parent / "morale")

TINY_SCENARIO = """\
description = "A tiny army for the calibration tests."
days = 40
[parameters]
n_units = 5
unit_size = 20
combat_intensity = 0.6
"""

TINY_SPEC = """\
description = "A tiny calibration for the tests."
scenario = "tiny_scenario.toml"
days = 40
replicates = 1
[parameters]
combat_intensity = { low = 0.3, high = 0.9 }
threshold_mean = { low = 0.2, high = 0.6 }
[targets.desertion_rate]
value = 0.1
sd = 0.05
source = "guess: a test"
[targets.killed_share]
value = 0.03
interval = [0.01, 0.05]
source = "guess: a test"
"""

TEST_BUDGET = cal.Budget("test", population=8, generations=2, draws=4)


def write_spec(folder: Path, text: str = TINY_SPEC, name: str = "tiny.toml") -> Path:
    (folder / "tiny_scenario.toml").write_text(TINY_SCENARIO, encoding="utf-8")
    path = folder / name
    path.write_text(text, encoding="utf-8")
    return path


# ---- summary statistics ------------------------------------------------------ #

def test_statistics_of_hand_made_counts():
    found = cal.statistics_of(ever=200, deserted=20, deserted_front=15, killed=10,
                              unit_ever=np.array([50, 50, 50, 50]), unit_deserted=np.array([10, 5, 4, 1]),
                              frontline=np.array([True, True, False, False]))
    assert found["desertion_rate"] == pytest.approx(0.10)
    assert found["killed_share"] == pytest.approx(0.05)
    assert found["frontline_share"] == pytest.approx(0.75)
    assert found["units_over_10pct"] == pytest.approx(0.5)  # 20% and 10% reach 10%; 8% and 2% do not
    # frontline rates 0.2 and 0.1: variance 0.005 over the binomial 0.15 x 0.85 / 50
    assert found["frontline_dispersion"] == pytest.approx(0.005 / (0.15 * 0.85 / 50))
    none = cal.statistics_of(ever=10, deserted=0, deserted_front=0, killed=0, unit_ever=np.array([5, 5]),
                             unit_deserted=np.array([0, 0]), frontline=np.array([True, False]))
    assert none["frontline_share"] == 0.0 and none["frontline_dispersion"] == 1.0


def test_summary_statistics_of_a_known_run():
    model = MoraleModel(rng=5, n_units=6, unit_size=30, combat_intensity=0.9, threshold_mean=0.35)
    model.run(60)
    found = cal.summary_statistics(model)
    m, units = model.metrics, unit_table(model)
    assert m["deserted_cumulative"] > 0 and m["killed_cumulative"] > 0  # a run with something to measure
    assert found["desertion_rate"] == pytest.approx(m["desertion_rate"])
    assert found["killed_share"] == pytest.approx(m["killed_cumulative"] / m["soldiers_ever"])
    assert found["units_over_10pct"] == pytest.approx(units_over_10pct(units["desertion_rate"]) / len(units))
    front = units[units["posture"] == "frontline"]
    # deserters who left from the front, counted from the other side: served there x their rate
    served_front = int(model.soldier_table.served_frontline.sum())
    from_front = m["desertion_rate_frontline"] * served_front
    assert found["frontline_share"] == pytest.approx(from_front / m["deserted_cumulative"])
    assert found["frontline_dispersion"] > 0 and len(front) == 2
    assert set(found) == set(cal.STATISTICS)


def test_replicates_are_averaged_and_the_frontline_share_pooled():
    runs = [dict.fromkeys(cal.STATISTICS, 0.1), dict.fromkeys(cal.STATISTICS, 0.3)]
    assert cal.average(runs) == pytest.approx(dict.fromkeys(cal.STATISTICS, 0.2))
    # 30 deserters, 90% from the front, and a replicate with none (share 0 by convention): 90%
    found = cal.average([{**runs[0], "frontline_share": 0.9}, {**runs[1], "frontline_share": 0.0}], [30, 0])
    assert found["frontline_share"] == pytest.approx(0.9) and found["desertion_rate"] == pytest.approx(0.2)
    found = cal.average([{**runs[0], "frontline_share": 1.0}, {**runs[1], "frontline_share": 0.5}], [30, 10])
    assert found["frontline_share"] == pytest.approx((30 + 5) / 40)


def test_the_distance_scales_each_error_by_its_uncertainty():
    distance = cal.ScaledDistance((("desertion_rate", 0.01), ("killed_share", 0.1)))
    # errors of 1 sd and 2 sd: root mean square sqrt((1 + 4) / 2)
    assert distance({"desertion_rate": 0.11, "killed_share": 0.3},
                    {"desertion_rate": 0.10, "killed_share": 0.1}) == pytest.approx(math.sqrt(2.5))
    assert distance({"desertion_rate": 0.1, "killed_share": 0.1},
                    {"desertion_rate": 0.1, "killed_share": 0.1}) == 0


def test_an_interval_is_read_as_a_90_percent_interval(tmp_path):
    spec = cal.load(str(write_spec(tmp_path)))
    killed = next(t for t in spec.targets if t.name == "killed_share")
    assert killed.interval == (0.01, 0.05)
    assert killed.sd == pytest.approx(0.04 / (2 * 1.6449), rel=1e-4)


def test_the_shipped_spec_is_complete_and_found_as_a_configuration():
    assert (configs.folder("calibration") / "union_army.toml").is_file()
    spec = cal.load("union_army")
    assert spec.scenario.name == "union_army" and spec.days == 1095 and spec.replicates >= 1
    names = [p.name for p in spec.priors]
    assert "combat_intensity" in names and 4 <= len(names) <= 6
    assert {t.name for t in spec.targets} >= {"desertion_rate", "killed_share", "frontline_share"}
    assert all(t.source and t.sd > 0 for t in spec.targets)
    assert next(t for t in spec.targets if t.name == "desertion_rate").value == pytest.approx(0.09)


def test_particle_seeds_depend_on_seed_generation_and_index_only():
    seeds = {particle_seed(s, t, i) for s in (0, 1) for t in (-1, 0, 1) for i in range(20)}
    assert len(seeds) == 2 * 3 * 20
    assert particle_seed(7, 2, 5) == particle_seed(7, 2, 5)


# ---- bad specs: exit 2, one line naming the file, the field, the value, what is allowed --------- #

BAD_SPECS = {
    "unknown parameter": (TINY_SPEC.replace("threshold_mean = {", "treshold_mean = {"),
                          ["treshold_mean", "did you mean 'threshold_mean'"]),
    "bound out of range": (TINY_SPEC.replace("high = 0.9 }", "high = 1.5 }"),
                           ["'high'", "combat_intensity", "1.5", "from 0 to 1"]),
    "low above high": (TINY_SPEC.replace("low = 0.3, high = 0.9", "low = 0.9, high = 0.3"),
                       ["combat_intensity", "low = 0.9", "high = 0.3"]),
    "prior one float wide": (TINY_SPEC.replace("low = 0.3, high = 0.9", "low = 0.0, high = 5e-324"),
                             ["combat_intensity", "low = 0", "high = 4.94066e-324", "by at least 1e-09"]),
    "army parameter": (TINY_SPEC.replace("[parameters]\n", "[parameters]\nfrontline_share = {}\n"),
                       ["frontline_share", "shapes the army"]),
    "unknown target": (TINY_SPEC.replace("[targets.killed_share]", "[targets.killed]"),
                       ["unknown target 'killed'", "allowed: desertion_rate"]),
    "missing source": (TINY_SPEC.replace('source = "guess: a test"\n[targets.killed_share]',
                                         "[targets.killed_share]"),
                       ["desertion_rate", "needs a 'source'"]),
    "target out of range": (TINY_SPEC.replace("value = 0.1\n", "value = 1.1\n"),
                            ["'value'", "desertion_rate", "1.1", "from 0 to 1"]),
    "sd too small to divide by": (TINY_SPEC.replace("sd = 0.05\n", "sd = 5e-324\n"),
                                  ["'sd'", "desertion_rate", "5e-324", "at least 1e-09"]),
    "interval one float wide": (TINY_SPEC.replace("interval = [0.01, 0.05]",
                                                  "interval = [0.03, 0.030000000000000002]"),
                                ["'interval'", "killed_share", "apart"]),
    "scenario name too long": (TINY_SPEC.replace('"tiny_scenario.toml"', '"' + "n" * 300 + '.toml"'),
                               ["'scenario'", "nnnn", "File name too long"]),
    "two uncertainties": (TINY_SPEC.replace("sd = 0.05\n", "sd = 0.05\ninterval = [0.05, 0.2]\n"),
                          ["desertion_rate", "exactly one of 'sd'"]),
    "bad TOML": (TINY_SPEC.replace("replicates = 1", "replicates = = 1"), ["malformed TOML"]),
    "string for a number": (TINY_SPEC.replace("replicates = 1", 'replicates = "1"'), ["'replicates'", "'1'"]),
    "unknown key": (TINY_SPEC.replace("replicates = 1", "replicate = 1"),
                    ["unknown key 'replicate'", "did you mean 'replicates'"]),
}


@pytest.mark.parametrize("case", BAD_SPECS)
def test_a_bad_spec_exits_2_with_one_line_and_writes_nothing(tmp_path, case):
    text, expected = BAD_SPECS[case]
    path = write_spec(tmp_path, text)
    out = tmp_path / "out"
    result = runner.invoke(app, ["calibrate", str(path), "--out", str(out), "--workers", "1"])
    assert result.exit_code == 2, result.output
    lines = [line for line in result.output.splitlines() if line.strip()]
    assert len(lines) == 1 and lines[0].startswith("error: "), result.output
    assert str(path) in lines[0]
    for part in expected:
        assert part in lines[0], (part, lines[0])
    assert "Traceback" not in result.output and not out.exists()


@pytest.mark.parametrize(("args", "expected"), [
    (["--budget", "huge"], "--budget 'huge' is not allowed: choose small, medium, full"),
    (["--scheduler", "nowhere"], "--scheduler 'nowhere' is not allowed"),
    (["--resume"], "holds no calibration to resume"),
])
def test_bad_options_exit_2_with_one_line(tmp_path, args, expected):
    path = write_spec(tmp_path)
    result = runner.invoke(app, ["calibrate", str(path), "--out", str(tmp_path / "out"), *args])
    assert result.exit_code == 2, result.output
    lines = [line for line in result.output.splitlines() if line.strip()]
    assert len(lines) == 1 and expected in lines[0], result.output
    assert not (tmp_path / "out").exists()


@pytest.mark.parametrize(("command", "given", "expected"), [
    ("calibrate", "", "calibration spec '' is not allowed: give a preset name (union_army) or the path"),
    ("calibrate", "FOLDER", "calibration spec FOLDER is a folder; give the path of a .toml file"),
    ("sweep", " ", "sweep spec ' ' is not allowed: give a preset name"),
])
def test_an_empty_spec_name_or_a_folder_is_named_as_given(tmp_path, command, given, expected):
    # Path("") is the current folder: these said "calibration spec . does not exist"
    given, expected = given.replace("FOLDER", str(tmp_path)), expected.replace("FOLDER", str(tmp_path))
    result = runner.invoke(app, [command, given, "--out", str(tmp_path / "out")])
    assert result.exit_code == 2 and result.output.startswith(f"error: {expected}"), result.output
    assert len(result.output.splitlines()) == 1 and not (tmp_path / "out").exists(), result.output


@pytest.mark.parametrize("address", ["x:y", "tcp://", "inproc://x"])
def test_a_scheduler_that_cannot_be_reached_leaves_no_folder(tmp_path, address):
    path = write_spec(tmp_path)
    out = tmp_path / "out"
    result = runner.invoke(app, ["calibrate", str(path), "--out", str(out), "--workers", "1", "--quiet",
                                 "--scheduler", address])
    assert result.exit_code == 2, result.output
    lines = [line for line in result.output.splitlines() if line.strip()]
    assert len(lines) == 2 and lines[0].startswith("calibrate tiny:"), result.output  # the plan, the error
    assert lines[1].startswith(f"error: cannot reach the Dask scheduler at {address}:"), result.output
    assert not out.exists()  # it was written (manifest, spec.toml) before the scheduler was tried


def test_a_parameter_named_like_a_statistic_keeps_both_columns(tmp_path):
    # killed_share is a parameter (casualties killed) and a statistic (soldiers killed): the
    # statistic overwrote the parameter's posterior column, and the predictive check failed
    # with "Duplicate column names found" (exit 1)
    text = TINY_SPEC.replace("days = 40", "days = 5").replace("threshold_mean = { low = 0.2, high = 0.6 }",
                                                             "killed_share = { low = 0.1, high = 0.3 }")
    spec = cal.load(str(write_spec(tmp_path, text)))
    result = cal.run_calibration(spec, tmp_path / "out", cal.Budget("test", 4, 2, 3), 1)
    posterior = pd.read_parquet(tmp_path / "out" / "posterior.parquet")
    assert posterior["killed_share"].between(0.1, 0.3).all()  # the parameter, inside its prior
    assert "statistic_killed_share" in posterior and "desertion_rate" in posterior
    draws = pd.read_parquet(tmp_path / "out" / "predictive.parquet")
    assert {"killed_share", "statistic_killed_share"} <= set(draws.columns) and len(draws) == 3
    assert list(result.predictive["target"]) == ["desertion_rate", "killed_share"]


def test_a_prior_a_billionth_as_wide_as_another_calibrates(tmp_path):
    # The particles hold each prior's share of its range (one scale for all, so that pyabc's
    # kernel is not fitted over scales 1e9 apart: the fuzz once saw nan weights, exit 1, for a
    # prior 2e-9 wide; not reproduced by hand). This checks that a prior that narrow calibrates
    # and that the shares map back inside each prior.
    text = TINY_SPEC.replace("days = 40", "days = 5").replace(
        "threshold_mean = { low = 0.2, high = 0.6 }", "threshold_mean = { low = 0.3, high = 0.300000002 }")
    spec = cal.load(str(write_spec(tmp_path, text)))
    cal.run_calibration(spec, tmp_path / "out", cal.Budget("test", 3, 2, 2), 1)
    posterior = pd.read_parquet(tmp_path / "out" / "posterior.parquet")
    assert posterior["threshold_mean"].between(0.3, 0.300000002).all()
    assert posterior["combat_intensity"].between(0.3, 0.9).all()
    assert np.isfinite(posterior["weight"]).all()


# ---- same seed, same posterior, whatever the workers ------------------------------------------ #

def test_same_seed_same_posterior_with_1_or_2_workers_and_dask(tmp_path):
    spec = cal.load(str(write_spec(tmp_path)))
    runs = {}
    for label, workers, scheduler in (("one", 1, None), ("two", 2, None), ("dask", 2, "local")):
        runs[label] = cal.run_calibration(spec, tmp_path / label, TEST_BUDGET, 3, workers=workers,
                                          scheduler=scheduler)
    one = runs["one"]
    assert len(one.posterior) == TEST_BUDGET.population and one.summary["generations_done"] == 2
    assert one.posterior["combat_intensity"].nunique() > 1  # particles differ: there is something to compare
    for label in ("two", "dask"):
        pd.testing.assert_frame_equal(runs[label].posterior, one.posterior, check_exact=True)
        pd.testing.assert_frame_equal(runs[label].predictive, one.predictive, check_exact=True)
        assert runs[label].summary["epsilons"] == one.summary["epsilons"]
        assert runs[label].summary["acceptance_rates"] == one.summary["acceptance_rates"]
    other = cal.run_calibration(spec, tmp_path / "other", TEST_BUDGET, 4, workers=1)
    assert not other.posterior["combat_intensity"].equals(one.posterior["combat_intensity"])


# ---- the command end to end, and resuming after a kill ---------------------------------------- #

@pytest.fixture(scope="module")
def finished(tmp_path_factory):
    """`morale calibrate` on a reduced spec with --budget small, uninterrupted (in this process)."""
    folder = tmp_path_factory.mktemp("calibrate")
    path = write_spec(folder)
    out = folder / "whole"
    result = runner.invoke(app, ["calibrate", str(path), "--budget", "small", "--out", str(out),
                                 "--seed", "5", "--workers", "1", "--quiet"])
    return folder, path, out, result


def test_the_command_writes_every_file(finished):
    _folder, _path, out, result = finished
    assert result.exit_code == 0, result.output
    for name in ("spec.toml", "history.db", "posterior.parquet", "predictive.parquet", "predictive.csv",
                 "predictive.md", "predictive.png", "summary.json"):
        assert (out / name).is_file() and (out / name).stat().st_size > 0, name
    assert not list(out.glob(".*.tmp"))
    small = cal.BUDGETS["small"]
    posterior = pd.read_parquet(out / "posterior.parquet")
    assert len(posterior) == small.population and posterior["weight"].sum() == pytest.approx(1)
    assert {"combat_intensity", "threshold_mean", "weight", "distance"} <= set(posterior.columns)
    table = pd.read_csv(out / "predictive.csv")
    assert list(table["target"]) == ["desertion_rate", "killed_share"]
    assert (table["predictive_q05"] <= table["predictive_q95"]).all()
    assert len(pd.read_parquet(out / "predictive.parquet")) == small.draws
    summary = json.loads((out / "summary.json").read_text())
    assert summary["seed"] == 5 and summary["budget"]["name"] == "small"
    assert summary["generations_done"] == small.generations == len(summary["epsilons"])
    assert len(summary["acceptance_rates"]) == small.generations and summary["seconds"] > 0
    assert summary["epsilons"][1] <= summary["epsilons"][0]
    assert summary["spec"]["targets"][0]["source"] == "guess: a test"
    assert "posterior predictive check" in result.output and "90% credible interval" in result.output
    assert "| desertion_rate |" in (out / "predictive.md").read_text()
    assert (out / "predictive.png").read_bytes()[:4] == b"\x89PNG"


def test_rerunning_a_finished_calibration_does_nothing(finished):
    _folder, path, out, _result = finished
    before = (out / "summary.json").read_bytes()
    again = runner.invoke(app, ["calibrate", str(path), "--budget", "small", "--out", str(out), "--seed", "5",
                                "--workers", "1", "--quiet"])
    assert again.exit_code == 0 and "complete: nothing to do" in again.output
    assert (out / "summary.json").read_bytes() == before
    other = runner.invoke(app, ["calibrate", str(path), "--budget", "small", "--out", str(out),
                                "--seed", "6"])
    assert other.exit_code == 2 and "holds a different calibration" in other.output


def test_a_killed_calibration_resumes_to_the_same_posterior(finished):
    folder, path, whole, _result = finished
    out = folder / "killed"
    command = [MORALE, "calibrate", str(path), "--budget", "small", "--out", str(out), "--seed", "5",
               "--workers", "1", "--quiet"]
    killed = subprocess.run(command, env={**os.environ, KILL_ENV: "0"}, capture_output=True, text=True,
                            timeout=600)
    assert killed.returncode == 137, killed.stderr  # died after generation 0 was stored
    assert (out / "history.db").is_file() and not (out / "summary.json").exists()
    resumed = runner.invoke(app, command[1:])
    assert resumed.exit_code == 0, resumed.output
    assert "resumed: generations 0-0 were already done" in resumed.output
    pd.testing.assert_frame_equal(pd.read_parquet(out / "posterior.parquet"),
                                  pd.read_parquet(whole / "posterior.parquet"), check_exact=True)
    pd.testing.assert_frame_equal(pd.read_parquet(out / "predictive.parquet"),
                                  pd.read_parquet(whole / "predictive.parquet"), check_exact=True)
    summaries = [json.loads((o / "summary.json").read_text()) for o in (out, whole)]
    assert summaries[0]["epsilons"] == summaries[1]["epsilons"]
    assert summaries[0]["resumed_from_generation"] == 1 and summaries[1]["resumed_from_generation"] == 0
