"""Batch parameter sweeps (`morale sweep`, `morale report`), as a user runs them.

Small armies (4 units of 30, 30 days) keep every sweep here to a few seconds.
"""

from __future__ import annotations

import os
import re
import signal
import subprocess
import sys
import time
from pathlib import Path

import pandas as pd
import pytest
from typer.testing import CliRunner

from cli.main import app
from experiments.sweeps import CRASH_ENV, FAIL_ENV, OUTCOMES, load, run_id
from model.model import MoraleModel
from model.parameters import PARAMETER_NAMES

runner = CliRunner()
MORALE = str(Path(sys.executable).parent / "morale")

GRID_SPEC = """
description = "test grid: penalty severity against supply"
scenario = "meat_grinder"
design = "grid"
seeds = [1, 2]
days = 30

[parameters]
n_units = 4
unit_size = 30

[vary]
penalty_severity = [0.2, 0.8]
supply_level = { min = 0.4, max = 1.0, steps = 3 }

[timeseries]
keep = true
every = 7
"""
GRID_RUNS = 2 * 3 * 2


def morale(*args: str):
    return runner.invoke(app, list(args))


def write_spec(folder: Path, text: str = GRID_SPEC, name: str = "grid.toml") -> Path:
    path = folder / name
    path.write_text(text)
    return path


def comparable(runs: pd.DataFrame) -> pd.DataFrame:
    """The rows without what legitimately differs between two executions: the wall time."""
    return runs.drop(columns=["wall_time_s"]).reset_index(drop=True)


@pytest.fixture(scope="module")
def reference(tmp_path_factory) -> tuple[Path, pd.DataFrame]:
    """The grid sweep run once, in this process, with one worker."""
    folder = tmp_path_factory.mktemp("reference")
    spec = write_spec(folder)
    result = morale("sweep", str(spec), "--workers", "1", "--out", str(folder / "out"), "--quiet")
    assert result.exit_code == 0, result.output
    return spec, pd.read_parquet(folder / "out" / "runs.parquet")


# --------------------------------------------------------------------------- #
# End to end
# --------------------------------------------------------------------------- #


def test_grid_sweep_writes_one_row_per_run_with_parameters_and_outcomes(reference, tmp_path):
    spec, runs = reference
    out = Path(spec).parent / "out"
    assert len(runs) == GRID_RUNS and runs["run_id"].is_unique
    expected_columns = {"run_id", *PARAMETER_NAMES, "seed", "days", "status", "error", "wall_time_s",
                        "version", *OUTCOMES}
    assert expected_columns <= set(runs.columns)
    assert (runs["status"] == "ok").all() and runs["error"].isna().all()
    combos = set(zip(runs["penalty_severity"], runs["supply_level"], runs["seed"], strict=True))
    assert combos == {(p, s, seed) for p in (0.2, 0.8) for s in (0.4, 0.7, 1.0) for seed in (1, 2)}
    assert (runs["combat_intensity"] == 0.9).all()  # from the base scenario
    assert (runs["n_units"] == 4).all() and (runs["days"] == 30).all()
    assert (out / "spec.toml").read_text() == spec.read_text()

    # Each row is exactly what the model gives for those parameters and that seed.
    row = runs.iloc[0]
    params = runs.iloc[[0]][list(PARAMETER_NAMES)].to_dict("records")[0]
    model = MoraleModel(rng=int(row["seed"]), params=params)
    model.run(30)
    for name in ("desertion_rate", "desertion_rate_frontline", "largest_cascade", "combat_effectiveness"):
        assert row[name] == pytest.approx(model.metrics[name], abs=1e-12), name

    # Daily series, every 7th day and the last, keyed by run_id.
    series = pd.read_parquet(out / "timeseries")
    assert set(series["run_id"]) == set(runs["run_id"])
    assert sorted(series.loc[series["run_id"] == row["run_id"], "day"]) == [0, 7, 14, 21, 28, 30]


def test_rerun_skips_finished_runs(reference):
    spec, runs = reference
    out = Path(spec).parent / "out"
    parts = sorted((out / "parts").iterdir())
    stamps = [p.stat().st_mtime_ns for p in parts]
    result = morale("sweep", str(spec), "--workers", "1", "--out", str(out), "--quiet")
    assert result.exit_code == 0, result.output
    assert f"({GRID_RUNS} already done, 0 run now" in result.output
    assert [p.stat().st_mtime_ns for p in sorted((out / "parts").iterdir())] == stamps
    pd.testing.assert_frame_equal(pd.read_parquet(out / "runs.parquet"), runs)


def test_report_gives_means_intervals_and_a_heatmap(reference):
    spec, runs = reference
    out = Path(spec).parent / "out"
    result = morale("report", str(out))
    assert result.exit_code == 0, result.output
    summary = pd.read_csv(out / "report" / "summary.csv")
    assert len(summary) == 6 and (summary["runs_ok"] == 2).all()
    one = summary[(summary["penalty_severity"] == 0.2) & (summary["supply_level"] == 0.4)].iloc[0]
    values = runs[(runs["penalty_severity"] == 0.2) & (runs["supply_level"] == 0.4)]["desertion_rate"]
    assert one["desertion_rate_mean"] == pytest.approx(values.mean())
    assert one["desertion_rate_ci95_low"] <= one["desertion_rate_mean"] <= one["desertion_rate_ci95_high"]
    for metric in ("desertion_rate", "largest_cascade", "combat_effectiveness"):
        assert (out / "report" / f"{metric}.png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    assert "## Per design point" in (out / "report" / "report.md").read_text()
    assert morale("report", str(out), "--metric", "desertion_rat").exit_code == 2


# --------------------------------------------------------------------------- #
# Nothing lost
# --------------------------------------------------------------------------- #


def _children(pid: int) -> list:
    import psutil

    try:
        return psutil.Process(pid).children(recursive=True)
    except psutil.NoSuchProcess:
        return []


def _still_running(process) -> bool:
    import psutil

    try:
        return process.status() != psutil.STATUS_ZOMBIE
    except psutil.NoSuchProcess:
        return False


def test_killed_sweep_resumes_to_exactly_the_planned_rows(reference, tmp_path):
    import psutil

    _, expected = reference
    spec = write_spec(tmp_path, GRID_SPEC.replace("seeds = [1, 2]", "seeds = [1, 2, 3, 4, 5, 6, 7, 8]"))
    out = tmp_path / "out"
    planned = {t.run_id for t in load(str(spec)).tasks}
    command = [MORALE, "sweep", str(spec), "--workers", "2", "--out", str(out), "--quiet"]
    proc = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = time.monotonic() + 120
    while len(list((out / "parts").glob("*.ok.parquet"))) < 3:
        assert proc.poll() is None, "the sweep finished before it could be killed"
        assert time.monotonic() < deadline
        time.sleep(0.01)
    workers = _children(proc.pid)
    assert workers, "local worker processes expected"
    os.kill(proc.pid, signal.SIGKILL)
    proc.wait()
    _, alive = psutil.wait_procs(workers, timeout=15)
    assert not [w for w in alive if _still_running(w)], "worker processes outlived the sweep"

    done = {p.name.split(".")[0] for p in (out / "parts").glob("*.ok.parquet")}
    assert done < planned  # some, not all
    assert not (out / "runs.parquet").exists()  # nothing looks complete
    unfinished = morale("report", str(out))
    assert unfinished.exit_code == 2 and "has not finished" in unfinished.output

    resumed = morale("sweep", str(spec), "--workers", "1", "--out", str(out), "--quiet")
    assert resumed.exit_code == 0, resumed.output
    assert f"({len(done)} already done" in resumed.output
    runs = pd.read_parquet(out / "runs.parquet")
    assert runs["run_id"].is_unique and set(runs["run_id"]) == planned
    assert (runs["status"] == "ok").all()
    # The seeds shared with the reference sweep give the very same rows.
    shared = runs[runs["seed"].isin([1, 2])].sort_values("run_id")
    pd.testing.assert_frame_equal(comparable(shared), comparable(expected.sort_values("run_id")))


def test_a_failing_run_is_recorded_the_sweep_goes_on_and_a_rerun_retries_it(tmp_path, monkeypatch):
    spec = write_spec(tmp_path)
    out = tmp_path / "out"
    doomed = load(str(spec)).tasks[4].run_id
    monkeypatch.setenv(FAIL_ENV, doomed)
    result = morale("sweep", str(spec), "--workers", "1", "--out", str(out), "--quiet")
    assert result.exit_code == 1
    assert f"1 of {GRID_RUNS} runs failed" in result.output and "Traceback" not in result.output
    runs = pd.read_parquet(out / "runs.parquet").set_index("run_id")
    assert (runs.drop(index=doomed)["status"] == "ok").all()
    failed = runs.loc[doomed]
    assert failed["status"] == "failed" and "forced failure" in failed["error"]
    assert pd.isna(failed["desertion_rate"]) and failed["penalty_severity"] in (0.2, 0.8)

    monkeypatch.delenv(FAIL_ENV)
    retried = morale("sweep", str(spec), "--workers", "1", "--out", str(out), "--quiet")
    assert retried.exit_code == 0, retried.output
    assert f"({GRID_RUNS - 1} already done, 1 run now" in retried.output
    assert (pd.read_parquet(out / "runs.parquet")["status"] == "ok").all()


def test_a_worker_process_that_dies_does_not_lose_the_sweep(reference, tmp_path, monkeypatch):
    spec, expected = reference
    victim = load(str(spec)).tasks[3].run_id
    monkeypatch.setenv(CRASH_ENV, f"{victim}:{tmp_path / 'crashed-once'}")
    out = tmp_path / "out"
    result = morale("sweep", str(spec), "--workers", "2", "--out", str(out), "--quiet")
    assert result.exit_code == 0, result.output
    assert (tmp_path / "crashed-once").exists()  # the worker really died
    pd.testing.assert_frame_equal(comparable(pd.read_parquet(out / "runs.parquet")), comparable(expected))


def test_dask_local_cluster_gives_the_same_rows_even_when_a_worker_dies(reference, tmp_path, monkeypatch):
    pytest.importorskip("distributed")
    spec, expected = reference
    victim = load(str(spec)).tasks[5].run_id
    monkeypatch.setenv(CRASH_ENV, f"{victim}:{tmp_path / 'crashed-once'}")
    out = tmp_path / "out"
    result = morale("sweep", str(spec), "--dask", "local", "--workers", "2", "--out", str(out), "--quiet")
    assert result.exit_code == 0, result.output
    assert (tmp_path / "crashed-once").exists()
    pd.testing.assert_frame_equal(comparable(pd.read_parquet(out / "runs.parquet")), comparable(expected))


# --------------------------------------------------------------------------- #
# Plans: reproducible, validated
# --------------------------------------------------------------------------- #


def test_run_id_names_parameters_seed_and_days():
    params = MoraleModel(rng=0, n_units=2, unit_size=10).params.model_dump()
    assert run_id(params, 1, 30) == run_id(dict(reversed(params.items())), 1, 30)
    assert run_id(params, 1, 30) != run_id(params, 2, 30)
    assert run_id(params, 1, 30) != run_id(params, 1, 31)
    assert run_id(params, 1, 30) != run_id({**params, "enforcement": 0.41}, 1, 30)


SAMPLED_SPEC = """
description = "sampled"
scenario = "meat_grinder"
design = "{design}"
samples = {samples}
seeds = 1
days = 20
[parameters]
unit_size = 30
[vary]
supply_level = {{ min = 0.3, max = 1.0 }}
n_units = {{ min = 2, max = 5 }}
"""


@pytest.mark.parametrize(("design", "samples", "points"), [("lhs", 10, 10), ("sobol", 4, 16),
                                                          ("morris", 3, 9)])
def test_sampled_designs_are_reproducible_and_keep_whole_numbers_whole(tmp_path, design, samples, points):
    spec = write_spec(tmp_path, SAMPLED_SPEC.format(design=design, samples=samples))
    first, second = load(str(spec)), load(str(spec))
    assert [t.run_id for t in first.tasks] == [t.run_id for t in second.tasks]
    assert first.design["sample"].nunique() == points
    for task in first.tasks:
        assert isinstance(task.parameters["n_units"], int) and 2 <= task.parameters["n_units"] <= 5
        assert 0.3 <= task.parameters["supply_level"] <= 1.0


@pytest.mark.parametrize(("design", "samples", "columns"), [("sobol", 4, {"S1", "ST", "S1_conf"}),
                                                           ("morris", 3, {"mu_star", "sigma"})])
def test_report_of_a_sobol_or_morris_sweep_gives_salib_indices(tmp_path, design, samples, columns):
    spec = write_spec(tmp_path, SAMPLED_SPEC.format(design=design, samples=samples))
    out = tmp_path / "out"
    assert morale("sweep", str(spec), "--workers", "1", "--out", str(out), "--quiet").exit_code == 0
    result = morale("report", str(out), "--metric", "mean_fear", "--metric", "combat_effectiveness")
    assert result.exit_code == 0, result.output
    indices = pd.read_csv(out / "report" / "sensitivity.csv")
    assert columns <= set(indices.columns)
    assert set(zip(indices["metric"], indices["parameter"], strict=True)) == {
        (m, p) for m in ("mean_fear", "combat_effectiveness") for p in ("supply_level", "n_units")}
    assert (out / "report" / "sensitivity_combat_effectiveness.png").read_bytes()[:4] == b"\x89PNG"


def test_shipped_specs_are_valid():
    grid = load("penalty_vs_conditions")
    assert grid.spec.design == "grid" and set(grid.varied) == {"penalty_severity", "supply_level"}
    sobol = load("root_causes_sobol")
    assert sobol.spec.design == "sobol" and len(sobol.varied) >= 4


def _spec(**changes: str) -> str:
    """GRID_SPEC with some lines replaced (key -> new line, or '' to drop it)."""
    text = GRID_SPEC
    for old, new in changes.items():
        text = re.sub(rf"(?m)^{re.escape(old)}.*$", new, text)
    return text


BAD_SPECS = {
    "unknown parameter": (_spec(penalty_severity="penalty_severty = [0.2]"),
                          r"unknown parameter 'penalty_severty'.*did you mean 'penalty_severity'"),
    "value out of range": (_spec(penalty_severity="penalty_severity = [0.2, 1.5]"),
                           r"'penalty_severity'.*1\.5.*0 to 1"),
    "range out of range": (_spec(supply_level="supply_level = { min = -0.5, max = 1.0, steps = 3 }"),
                           r"'supply_level'.*-0\.5.*0 to 1"),
    "int parameter": (_spec(penalty_severity="cross_ties = [2, 2.5]"), r"'cross_ties'.*2\.5.*whole number"),
    "min above max": (_spec(supply_level="supply_level = { min = 0.9, max = 0.4, steps = 3 }"),
                      r"min = 0\.9 must be below max = 0\.4"),
    "grid range without steps": (_spec(supply_level="supply_level = { min = 0.4, max = 0.9 }"),
                                 r"'steps'.*whole number"),
    "unknown key": (_spec(days="dayz = 30"), r"unknown key 'dayz'.*did you mean 'days'"),
    "parameter at top level": (_spec(days="enforcement = 0.5"), r"unknown key 'enforcement'.*\[vary\]"),
    "no seeds": (_spec(seeds=""), r"needs 'seeds'"),
    "repeated seed": (_spec(seeds="seeds = [1, 1]"), r"repeats a seed"),
    "sobol needs a power of 2": (
        _spec(design='design = "sobol"\nsamples = 10', penalty_severity="",
              supply_level="supply_level = { min = 0.4, max = 1 }"),
        r"'samples'.*10.*power of 2"),
    "list for a sampled design": (_spec(design='design = "lhs"\nsamples = 10'), r"value list.*lhs"),
    "bad design": (_spec(design='design = "random"'), r"'design'.*'random'"),
    "postures overflow": (_spec(penalty_severity="frontline_share = [0.5, 0.9]",
                                supply_level="second_line_share = [0.3]"),
                          r"frontline_share \+ second_line_share = 1\.2 must be at most 1"),
    "bad scenario": (_spec(scenario='scenario = "no_such_scenario"'), r"unknown scenario 'no_such_scenario'"),
    "malformed": ("description = \"x\"\n[vary\n", "malformed TOML"),
}


@pytest.mark.parametrize("case", BAD_SPECS)
def test_bad_spec_exits_2_with_one_line_and_writes_nothing(case, tmp_path):
    text, expected = BAD_SPECS[case]
    spec = write_spec(tmp_path, text)
    out = tmp_path / "out"
    result = morale("sweep", str(spec), "--out", str(out))
    assert result.exit_code == 2, result.output
    lines = result.output.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("error: "), result.output
    assert re.search(expected, lines[0]), lines[0]
    assert not out.exists()


def test_bad_arguments_exit_2(reference, tmp_path):
    spec, _ = reference
    assert morale("sweep", "no_such_sweep").exit_code == 2
    assert morale("sweep", str(spec), "--workers", "0").exit_code == 2
    assert morale("sweep", str(spec), "--dask", "nowhere", "--out", str(tmp_path / "o")).exit_code == 2
    foreign = tmp_path / "foreign"
    foreign.mkdir()
    (foreign / "notes.txt").write_text("mine")
    result = morale("sweep", str(spec), "--out", str(foreign))
    assert result.exit_code == 2 and "holds other files" in result.output
    assert morale("report", str(tmp_path / "nothing")).exit_code == 2


def test_a_folder_of_another_sweep_is_refused(reference, tmp_path):
    spec, _ = reference
    out = Path(spec).parent / "out"
    other = write_spec(tmp_path, GRID_SPEC.replace("days = 30", "days = 25"))
    result = morale("sweep", str(other), "--out", str(out), "--quiet")
    assert result.exit_code == 2 and "holds a different sweep" in result.output


# --------------------------------------------------------------------------- #
# mesa.batch_run
# --------------------------------------------------------------------------- #


def test_morale_model_runs_unchanged_under_mesa_batch_run(reference):
    import mesa

    _, runs = reference
    rows = mesa.batch_run(
        MoraleModel,
        parameters={"n_units": 4, "unit_size": 30, "combat_intensity": 0.9,
                    "penalty_severity": [0.2, 0.8], "supply_level": 0.4},
        rng=[1, 2], max_steps=30, number_processes=1, data_collection_period=-1,
        display_progress=False,
    )
    table = pd.DataFrame(rows).rename(columns={"rng": "seed"})
    assert len(table) == 4 and (table["Step"] == 30).all()
    # The same runs through the sweep engine give the same outcomes.
    mine = runs[runs["supply_level"] == 0.4]
    merged = table.merge(mine, left_on=["penalty_severity", "seed"], right_on=["penalty_severity", "seed"],
                         suffixes=("_batch", ""))
    assert len(merged) == 4
    for name in ("desertion_rate", "largest_cascade", "combat_effectiveness"):
        assert merged[f"{name}_batch"].tolist() == pytest.approx(merged[name].tolist()), name


def test_one_parameter_grid_reports_lines_and_a_folder_left_mid_setup_is_reused(tmp_path):
    text = _spec(penalty_severity="", supply_level="supply_level = [0.4, 1.0]")
    spec = write_spec(tmp_path, text)
    out = tmp_path / "out"
    out.mkdir()
    (out / ".morale-sweep").write_text("{}")  # a sweep killed while setting up its folder:
    (out / "spec.toml").write_text(text)      # its manifest is written first
    assert morale("sweep", str(spec), "--workers", "1", "--out", str(out), "--quiet").exit_code == 0
    assert morale("report", str(out), "--metric", "combat_effectiveness").exit_code == 0
    summary = pd.read_csv(out / "report" / "summary.csv")
    assert summary["supply_level"].tolist() == [0.4, 1.0] and (summary["runs_ok"] == 2).all()
    assert (out / "report" / "combat_effectiveness.png").read_bytes()[:4] == b"\x89PNG"


# --------------------------------------------------------------------------- #
# Damaged folders, foreign folders, unreachable schedulers (issue 15)
# --------------------------------------------------------------------------- #


def _damage(folder: Path, case: str) -> None:
    import pyarrow as pa
    import pyarrow.parquet as pq

    if case == "empty runs":
        (folder / "runs.parquet").write_bytes(b"")
    elif case == "corrupt runs":
        (folder / "runs.parquet").write_bytes(b"PAR1 not really")
    elif case == "runs with the wrong columns":
        pq.write_table(pa.table({"x": [1, 2]}), folder / "runs.parquet")
    elif case == "corrupt sweep.json":
        (folder / "sweep.json").write_text("{ not json")
    elif case == "sweep.json of the wrong shape":
        (folder / "sweep.json").write_text("[1, 2]")
    elif case == "missing design":
        (folder / "design.parquet").unlink()
    elif case == "corrupt design":
        (folder / "design.parquet").write_bytes(b"\x00" * 10)
    elif case == "report is a file":
        (folder / "report").write_text("mine")


DAMAGES = {
    "empty runs": "runs.parquet is damaged",
    "corrupt runs": "runs.parquet is damaged",
    "runs with the wrong columns": "runs.parquet is damaged (no column 'run_id'",
    "corrupt sweep.json": "sweep.json is damaged",
    "sweep.json of the wrong shape": "sweep.json is damaged",
    "missing design": "design.parquet is missing",
    "corrupt design": "design.parquet is damaged",
    "report is a file": "report is a file, not a folder",
}


@pytest.mark.parametrize("case", DAMAGES)
def test_report_on_a_damaged_folder_says_which_file_and_how_to_recover(case, reference, tmp_path):
    import shutil

    spec, _ = reference
    folder = tmp_path / "out"
    shutil.copytree(Path(spec).parent / "out", folder)
    shutil.rmtree(folder / "report", ignore_errors=True)
    _damage(folder, case)
    before = sorted(p.name for p in folder.iterdir())
    result = morale("report", str(folder))
    assert result.exit_code == 2, result.output
    lines = result.output.strip().splitlines()
    assert len(lines) == 1 and DAMAGES[case] in lines[0], lines
    assert "rerun" in lines[0] or "move it away" in lines[0]
    assert sorted(p.name for p in folder.iterdir()) == before  # no half-written report/
    if case in ("empty runs", "corrupt runs", "runs with the wrong columns", "missing design",
                "corrupt design"):  # the advice works: the sweep rebuilds the file, then the report
        assert morale("sweep", str(folder / "spec.toml"), "--out", str(folder), "--quiet").exit_code == 0
        assert morale("report", str(folder)).exit_code == 0


def test_a_damaged_part_file_is_removed_and_its_run_redone(reference, tmp_path):
    import shutil

    spec, runs = reference
    folder = tmp_path / "out"
    shutil.copytree(Path(spec).parent / "out", folder)
    (folder / "runs.parquet").unlink()
    part = next((folder / "parts").glob("*.ok.parquet"))
    part.write_bytes(b"garbage")
    result = morale("sweep", str(spec), "--out", str(folder), "--quiet", "--workers", "1")
    assert result.exit_code == 2 and f"(e.g. {part.name}) and were removed" in result.output
    assert morale("sweep", str(spec), "--out", str(folder), "--quiet", "--workers", "1").exit_code == 0
    pd.testing.assert_frame_equal(comparable(pd.read_parquet(folder / "runs.parquet")), comparable(runs))


def test_sweep_refuses_a_folder_of_other_files_and_an_empty_out(reference, tmp_path, monkeypatch):
    spec, _ = reference
    mine = tmp_path / "mine"
    mine.mkdir()
    (mine / "spec.toml").write_text("my own spec")  # named like a sweep's file, but not a sweep's
    result = morale("sweep", str(spec), "--out", str(mine), "--quiet")
    assert result.exit_code == 2 and "is not a sweep's folder" in result.output
    assert (mine / "spec.toml").read_text() == "my own spec"
    assert sorted(p.name for p in mine.iterdir()) == ["spec.toml"]
    monkeypatch.chdir(mine)
    for out in ("", "."):
        result = morale("sweep", str(spec), "--out", out, "--quiet")
        assert result.exit_code == 2 and len(result.output.strip().splitlines()) == 1, result.output
    assert sorted(p.name for p in mine.iterdir()) == ["spec.toml"]


def test_an_unreachable_scheduler_leaves_no_folder(reference, tmp_path):
    spec, _ = reference
    out = tmp_path / "out"
    result = morale("sweep", str(spec), "--dask", "tcp://127.0.0.1:1", "--out", str(out), "--quiet")
    assert result.exit_code == 2, result.output
    lines = result.output.strip().splitlines()
    assert "cannot reach the Dask scheduler at tcp://127.0.0.1:1" in lines[-1], lines
    assert not out.exists()


def test_intervals_of_counts_never_go_below_zero():
    import numpy as np

    from experiments.report import metric_interval

    skewed = np.array([0, 0, 0, 0, 1, 0, 0, 295.0])  # a heavy-tailed count over 8 seeds
    mean, _, low, high = metric_interval("largest_cascade", skewed)
    assert 0 <= low <= mean <= high <= 295
    assert metric_interval("largest_cascade", skewed) == (mean, _, low, high)  # seeded
    t_low = metric_interval("desertion_rate", skewed)[2]
    assert t_low < 0  # the t interval of the same values would


STRICT_SPECS = {
    "seeds as a string": (_spec(seeds='seeds = "3"'), r"'seeds'.*'3'"),
    "days as a string": (_spec(days='days = "30"'), r"'days'.*'30'.*valid integer"),
    "days as a boolean": (_spec(days="days = true"), r"'days'.*True"),
    "a fixed parameter as a string": (_spec(unit_size='unit_size = "30"'),
                                      r"'unit_size'.*'30'.*whole number"),
    "a fixed parameter as a boolean": (_spec(unit_size="unit_size = true"), r"'unit_size'.*True"),
    "a varied value as a string": (_spec(penalty_severity='penalty_severity = ["0.2"]'),
                                   r"'penalty_severity'.*'0\.2'"),
    "every as a string": (_spec(every='every = "7"'), r"'timeseries.every'.*'7'"),
    "keep as a string": (_spec(keep='keep = "yes"'), r"'timeseries.keep'.*'yes'"),
    "samples as a string": (_spec(design='design = "lhs"\nsamples = "8"', penalty_severity="",
                                  supply_level="supply_level = { min = 0.4, max = 1 }"), r"'samples'.*'8'"),
    "a seed beyond 64 bits": (_spec(seeds="seeds = [1, 18446744073709551616]"),
                              r"'seeds'.*18446744073709551616.*2\*\*63 - 1"),
    "a design seed beyond 64 bits": (_spec(seeds="seeds = 1\ndesign_seed = 18446744073709551616"),
                                     r"'design_seed'.*18446744073709551616"),
    "a grid too large to plan": (
        _spec(penalty_severity="penalty_severity = { min = 0, max = 1, steps = 10000 }",
              supply_level="supply_level = { min = 0, max = 1, steps = 10000 }"),
                                 r"plans 200,000,000 runs; at most 250,000"),
}


@pytest.mark.parametrize("case", STRICT_SPECS)
def test_spec_values_must_be_real_numbers_seeds_fit_and_plans_fit(case, tmp_path):
    import tracemalloc

    text, expected = STRICT_SPECS[case]
    spec = write_spec(tmp_path, text)
    out = tmp_path / "out"
    tracemalloc.start()
    result = morale("sweep", str(spec), "--out", str(out))
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    assert result.exit_code == 2, result.output
    lines = result.output.strip().splitlines()
    assert len(lines) == 1 and re.search(expected, lines[0]), lines
    assert not out.exists()
    assert peak < 200e6  # the grid's product is never built


@pytest.mark.parametrize(("design", "extra"), [("sobol", ""), ("sobol", "second_order = true"),
                                               ("morris", ""), ("lhs", "")])
def test_the_counted_plan_matches_the_sampled_design(design, extra):
    from experiments.sweeps.spec import plan, planned_points

    raw = {"description": "x", "design": design, "samples": 8, "seeds": 1, "days": 5,
           "vary": {"enforcement": {"min": 0.1, "max": 0.9}, "supply_level": {"min": 0.1, "max": 0.9},
                    "propaganda": {"min": 0.1, "max": 0.9}}}
    if extra:
        raw["second_order"] = True
    made = plan(raw, name="x", source="x")
    assert planned_points(made.spec, made.dimensions) == made.design["sample"].nunique()


def test_a_damaged_sweep_json_is_rebuilt_after_deleting_it_as_advised(reference, tmp_path):
    import shutil

    spec, runs = reference
    folder = tmp_path / "out"
    shutil.copytree(Path(spec).parent / "out", folder)
    (folder / "sweep.json").write_text("{ nope")
    for command in (["report", str(folder)], ["sweep", str(spec), "--out", str(folder), "--quiet"]):
        result = morale(*command)
        assert result.exit_code == 2 and "sweep.json" in result.output and "delete it" in result.output
    (folder / "sweep.json").unlink()
    assert morale("sweep", str(spec), "--out", str(folder), "--quiet", "--workers", "1").exit_code == 0
    pd.testing.assert_frame_equal(comparable(pd.read_parquet(folder / "runs.parquet")), comparable(runs))
    assert morale("report", str(folder)).exit_code == 0
