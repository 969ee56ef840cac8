"""The `morale` command line, as a user runs it."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest
from typer.testing import CliRunner

from cli.main import app
from model.parameters import PARAMETER_NAMES
from model.scenarios import available, resolve

runner = CliRunner()

TIMESERIES_COLUMNS = (
    "day", "present", "deserted_cumulative", "desertion_rate", "desertion_rate_frontline",
    "desertion_rate_rear", "mean_motivation", "mean_fear", "mean_grievance", "caught_cumulative",
    "killed_cumulative", "wounded_cumulative", "supply", "combat_effectiveness",
)


def morale(*args: str):
    return runner.invoke(app, list(args))


def test_run_writes_the_four_outputs(tmp_path):
    out = tmp_path / "run"
    result = morale("run", "baseline", "--days", "30", "--seed", "3", "--out", str(out))
    assert result.exit_code == 0, result.output
    assert "desertion rate" in result.output and str(out) in result.output

    ts = pd.read_parquet(out / "timeseries.parquet")
    assert list(ts["day"]) == list(range(31))  # one row per day, day 0 = the start
    assert set(TIMESERIES_COLUMNS) <= set(ts.columns)
    assert not ts.isna().any().any()

    units = pd.read_parquet(out / "units.parquet")
    assert {"unit_id", "posture", "soldiers_ever", "deserted", "desertion_rate"} <= set(units.columns)
    assert len(units) == 20 and set(units["posture"]) == {"frontline", "second_line", "reserve"}
    assert units["soldiers_ever"].sum() == ts["soldiers_ever"].iloc[-1]
    assert units["deserted"].sum() == ts["deserted_cumulative"].iloc[-1]

    cascades = pd.read_parquet(out / "cascades.parquet")
    assert {"unit_id", "start_day", "end_day", "size"} <= set(cascades.columns)
    assert cascades["size"].sum() == ts["desertions_cumulative"].iloc[-1]

    summary = json.loads((out / "summary.json").read_text())
    assert (summary["scenario"], summary["seed"], summary["days"]) == ("baseline", 3, 30)
    assert set(summary["parameters"]) == set(PARAMETER_NAMES)
    assert summary["version"]
    assert summary["final"]["desertion_rate"] == pytest.approx(ts["desertion_rate"].iloc[-1], abs=1e-6)


def test_same_scenario_and_seed_give_identical_outputs(tmp_path):
    for name in ("a", "b"):
        assert morale("run", "meat_grinder", "--days", "40", "--seed", "9",
                      "--out", str(tmp_path / name), "--quiet").exit_code == 0
    for file in ("timeseries.parquet", "units.parquet", "cascades.parquet"):
        pd.testing.assert_frame_equal(
            pd.read_parquet(tmp_path / "a" / file), pd.read_parquet(tmp_path / "b" / file)
        )
    assert (tmp_path / "a" / "summary.json").read_text() == (tmp_path / "b" / "summary.json").read_text()


def test_set_overrides_a_parameter_and_a_scenario_file_works(tmp_path):
    scenario = tmp_path / "mine.toml"
    scenario.write_text('description = "test"\ndays = 12\n[parameters]\nn_units = 4\n')
    out = tmp_path / "run"
    result = morale("run", str(scenario), "--set", "enforcement=0.9", "--set", "unit_size=30",
                    "--out", str(out), "--quiet")
    assert result.exit_code == 0, result.output
    summary = json.loads((out / "summary.json").read_text())
    assert summary["days"] == 12
    assert summary["parameters"]["enforcement"] == 0.9
    assert (summary["parameters"]["n_units"], summary["parameters"]["unit_size"]) == (4, 30)


BAD_INPUTS = {
    "unknown scenario": (["run", "no_such_scenario"], "unknown scenario 'no_such_scenario'"),
    "out of range": (["run", "--set", "penalty_severity=1.5"], "'penalty_severity'.*1.5.*0 to 1"),
    "misspelt": (["run", "--set", "penalty_severty=0.5"], "did you mean 'penalty_severity'"),
    "bad --set": (["run", "--set", "enforcement"], "name=value"),
    "not a number": (["run", "--set", "enforcement=lots"], "'enforcement'.*'lots'"),
    "option out of range": (["run", "--days", "0"], "--days 0 is not allowed: give 1 to 3650"),
    "option not a number": (["run", "--seed", "abc"], "--seed abc is not allowed: give a whole number"),
    "unknown option": (["run", "--dayz", "3"], "No such option: --dayz.*morale run --help"),
}


@pytest.mark.parametrize("case", BAD_INPUTS)
def test_bad_input_exits_2_with_one_line_and_writes_nothing(case, tmp_path):
    args, expected = BAD_INPUTS[case]
    out = tmp_path / "out"
    result = morale(*args, "--out", str(out))
    assert result.exit_code == 2
    lines = result.output.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("error: ")
    assert pytest.importorskip("re").search(expected, lines[0]), lines[0]
    assert "Traceback" not in result.output
    assert not out.exists()


@pytest.mark.parametrize(
    ("content", "expected"),
    [
        ('description = "x"\n[parameters\n', "malformed TOML"),
        ('description = "x"\n[parameters]\nenforcment = 0.5\n', "unknown parameter 'enforcment'"),
        ('description = "x"\nenforcement = 0.5\n', "unknown key 'enforcement'.*\\[parameters\\]"),
        ('description = "x"\n[parameters]\nenforcement = 2\n', "'enforcement'.*2.*0 to 1"),
        ('description = "x"\ndays = 0\n', "'days'.*0"),
        ('description = "x"\ndayz = 30\n', "unknown key 'dayz'.*did you mean 'days'"),
        ('description = "x"\nenforcment = 0.5\n', "did you mean 'enforcement', under \\[parameters\\]"),
        ("[parameters]\n", "description"),
    ],
)
def test_bad_scenario_files_are_rejected_by_validate_and_run(content, expected, tmp_path):
    import re

    path = tmp_path / "bad.toml"
    path.write_text(content)
    for command in (["validate", str(path)], ["run", str(path), "--out", str(tmp_path / "o")]):
        result = morale(*command)
        assert result.exit_code == 2, result.output
        assert re.search(expected, result.output), result.output
        assert len(result.output.strip().splitlines()) == 1
    assert not (tmp_path / "o").exists()


def test_an_earlier_run_is_replaced_only_with_overwrite_and_a_foreign_folder_is_refused(tmp_path):
    out = tmp_path / "run"
    assert morale("run", "--days", "5", "--out", str(out), "--quiet").exit_code == 0
    kept = morale("run", "--days", "6", "--out", str(out), "--quiet")
    assert kept.exit_code == 2 and "holds an earlier run; add --overwrite" in kept.output
    assert json.loads((out / "summary.json").read_text())["days"] == 5
    assert morale("run", "--days", "6", "--out", str(out), "--quiet", "--overwrite").exit_code == 0
    assert json.loads((out / "summary.json").read_text())["days"] == 6
    assert sorted(p.name for p in tmp_path.iterdir()) == ["run"]  # no staging folder left
    (out / "notes.txt").write_text("mine")
    result = morale("run", "--days", "5", "--out", str(out), "--quiet", "--overwrite")
    assert result.exit_code == 2 and "other files" in result.output
    assert json.loads((out / "summary.json").read_text())["days"] == 6


def test_the_default_run_folder_takes_a_fresh_name(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    for days in ("3", "4", "5"):
        assert morale("run", "--days", days, "--quiet").exit_code == 0
    names = sorted(p.name for p in (tmp_path / "runs").iterdir())
    assert names == ["baseline_seed42", "baseline_seed42_2", "baseline_seed42_3"]
    assert json.loads((tmp_path / "runs" / "baseline_seed42" / "summary.json").read_text())["days"] == 3


def _unwritable_paths(tmp_path: Path) -> dict[str, tuple[str, str]]:
    """Output paths that cannot be written, with the words the one line must hold."""
    a_file = tmp_path / "a_file"
    a_file.write_text("x")
    cases = {
        "a file as the folder": (str(a_file), "exists and is not a folder"),
        "a file as a parent": (str(a_file / "run"), "a file"),
        "/proc": ("/proc/morale_run", "cannot be written"),
        "a name too long": (str(tmp_path / ("n" * 300)), "bytes long"),
        "empty": ("", "--out '' is not allowed"),
        "blank": ("  ", "is not allowed"),
    }
    import os

    if os.geteuid() != 0:  # root writes into a read-only folder
        locked = tmp_path / "locked"
        locked.mkdir(mode=0o555)
        cases["a read-only folder"] = (str(locked / "run"), "cannot be written")
    return cases


@pytest.mark.parametrize("command", ["run", "sweep"])
def test_an_output_path_that_cannot_be_written_fails_before_the_work_starts(command, tmp_path):
    spec = tmp_path / "grid.toml"
    spec.write_text('description = "x"\nseeds = 1\ndays = 3\n[parameters]\nn_units = 2\n'
                    'unit_size = 10\n[vary]\nenforcement = [0.1, 0.2]\n')
    first = {"run": ["run", "--days", "3"], "sweep": ["sweep", str(spec), "--workers", "1"]}[command]
    for case, (out, expected) in _unwritable_paths(tmp_path).items():
        before = sorted(p.name for p in tmp_path.iterdir())
        result = morale(*first, "--out", out, "--quiet")
        assert result.exit_code == 2, (case, result.output)
        lines = result.output.strip().splitlines()
        assert len(lines) == 1 and lines[0].startswith("error: ") and expected in lines[0], (case, lines)
        assert "run, seed" not in result.output  # no simulation ran
        assert sorted(p.name for p in tmp_path.iterdir()) == before, case


@pytest.mark.parametrize(("args", "expected"), [
    (["--set", "enforcement=0.5", "--set", "enforcement=0.6"], "--set enforcement is given twice"),
    (["--set", "enforcement=true"], "'enforcement'.*'true'.*a number from 0 to 1"),
    (["--set", "n_units=4.0"], "'n_units'.*'4.0'.*whole number"),
    (["--set", "enforcement=nan"], "'enforcement'.*nan"),
    ([""], "scenario '' is not allowed"),
])
def test_set_values_are_numbers_once_each_and_a_scenario_has_a_name(args, expected, tmp_path):
    import re

    result = morale("run", *args, "--out", str(tmp_path / "o"), "--quiet")
    assert result.exit_code == 2, result.output
    lines = result.output.strip().splitlines()
    assert len(lines) == 1 and re.search(expected, lines[0]), lines
    assert not (tmp_path / "o").exists()


@pytest.mark.parametrize("value", ['"0.5"', "true", '"true"'])
def test_a_scenario_file_must_give_real_numbers(value, tmp_path):
    path = tmp_path / "bad.toml"
    for body in (f"[parameters]\nenforcement = {value}\n",
                 f"[[events]]\nday = 2\nlevers = {{ enforcement = {value} }}\n",
                 f"[parameters]\nn_units = {value if value != 'true' else '4.0'}\n"):
        path.write_text(f'description = "x"\n{body}')
        result = morale("validate", str(path))
        assert result.exit_code == 2 and "is not allowed" in result.output, (body, result.output)
        assert len(result.output.strip().splitlines()) == 1


def test_an_unexpected_failure_is_one_line_exit_1_and_a_log_with_the_traceback(monkeypatch, tmp_path):
    import model.scenarios

    def broken(_name):
        raise ZeroDivisionError("a bug")

    monkeypatch.setattr("cli.main.resolve", broken)
    monkeypatch.setattr("tempfile.tempdir", str(tmp_path))
    result = morale("run", "--out", str(tmp_path / "o"))
    assert result.exit_code == 1, result.output
    lines = result.output.strip().splitlines()
    assert len(lines) == 1 and "Traceback" not in result.output, lines
    assert lines[0].startswith("error: unexpected ZeroDivisionError: a bug (a bug: the traceback is in ")
    log = Path(lines[0].split("the traceback is in ")[1].split(";")[0])
    assert log.parent == tmp_path and "Traceback" in log.read_text() and "broken" in log.read_text()
    assert model.scenarios.resolve is not broken


def test_version():
    result = morale("--version")
    assert result.exit_code == 0 and result.output.startswith("morale ")


def test_scenarios_lists_every_preset_with_its_description():
    result = morale("scenarios")
    assert result.exit_code == 0
    presets = available()
    assert {"baseline", "harsh_penalties", "improved_conditions", "propaganda_campaign",
            "competent_officers", "root_causes_reform", "meat_grinder"} <= set(presets)
    for name in presets:
        line = next(li for li in result.output.splitlines() if li.startswith(name + " "))
        assert len(line.split(None, 1)[1]) > 20


def test_validate_accepts_every_preset():
    for path in available().values():
        result = morale("validate", str(path))
        assert result.exit_code == 0 and result.output.startswith("ok:"), result.output


def test_params_prints_the_definition():
    result = morale("params", "--format", "json")
    rows = json.loads(result.output)
    assert [r["name"] for r in rows] == list(PARAMETER_NAMES)
    assert morale("params", "--format", "markdown").output.startswith("| name |")
    assert "penalty_severity" in morale("params").output
    assert morale("params", "--format", "xml").exit_code == 2


def test_installed_console_script_exit_codes():
    """The real `morale` entry point, in a subprocess: no traceback on bad input."""
    script = Path(sys.executable).parent / "morale"
    bad = subprocess.run([str(script), "run", "--set", "enforcement=7"], capture_output=True,
                         text=True, timeout=120)
    assert bad.returncode == 2
    assert "Traceback" not in bad.stderr and "'enforcement'" in bad.stderr
    usage = subprocess.run([str(script), "run", "--days", "-5"], capture_output=True, text=True,
                           timeout=120)
    assert usage.returncode == 2
    assert usage.stderr.strip() == "error: --days -5 is not allowed: give 1 to 3650"
    ok = subprocess.run([str(script), "scenarios"], capture_output=True, text=True, timeout=120)
    assert ok.returncode == 0 and "baseline" in ok.stdout


@pytest.mark.parametrize("args", [("scenarios",), ("facts", "--help")])
def test_a_reader_that_goes_away_ends_the_command_quietly(args):
    """`morale scenarios | head -0`: the pipe is closed before the command writes; no message
    blaming a path, no traceback, exit 1 (as click's own help does)."""
    script = Path(sys.executable).parent / "morale"
    process = subprocess.Popen([str(script), *args], stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    process.stdout.close()  # the reader is gone before the first line is written
    _, errors = process.communicate(timeout=120)
    assert process.returncode == 1
    assert errors.decode() == ""


def test_facts_prints_each_fact_with_its_figure_and_verdict():
    result = morale("facts", "--seeds", "2", "--fact", "G", "--fact", "g", "--workers", "2", "--quiet")
    assert result.exit_code == 0, result.output
    assert "G. Granovetter" in result.output and "Granovetter 1978" in result.output
    assert "100 of 100 join" in result.output and "1 joins" in result.output
    assert result.output.count("G. Granovetter") == 1 and "of 1 hold" in result.output


def test_facts_exits_1_under_strict_only_when_a_fact_fails(monkeypatch):
    from experiments import facts

    failing = facts.Fact("Z", "a fact that fails", "nobody", "nothing", lambda seed, run: {"x": seed},
                         lambda rows: facts._verdict("x", "never", [facts.Check.exact(False)], {}))
    monkeypatch.setitem(facts.FACTS, "Z", failing)
    relaxed = morale("facts", "--seeds", "2", "--fact", "Z", "--workers", "1", "--quiet")
    assert relaxed.exit_code == 0 and "fails" in relaxed.output and "0 of 1 hold" in relaxed.output
    strict = morale("facts", "--seeds", "2", "--fact", "Z", "--workers", "1", "--quiet", "--strict")
    assert strict.exit_code == 1 and "do not hold: Z" in strict.output


def test_facts_set_starts_every_experiment_from_the_given_values(monkeypatch):
    from experiments import facts

    seen = []

    def record(seed, run):
        seen.append(run(seed, days=3, peer_influence=0.25).params)
        return {"x": seed}

    probe = facts.Fact("Z", "a probe", "nobody", "nothing", record,
                       lambda rows: facts._verdict("x", "always", [facts.Check.exact(True)], {}))
    monkeypatch.setitem(facts.FACTS, "Z", probe)
    result = morale("facts", "--seeds", "2", "--fact", "Z", "--workers", "1", "--quiet",
                    "--set", "threshold_mean=0.5", "--set", "peer_influence=0.9")
    assert result.exit_code == 0, result.output
    assert "on division, seeds 0-1 (with threshold_mean=0.5, peer_influence=0.9)" in result.output
    # the given values replace the division's; the rest of the division stays; the experiment's
    # own lever wins over them all
    assert [(p.n_units, p.threshold_mean, p.peer_influence) for p in seen] == [(130, 0.5, 0.25)] * 2

    seen.clear()
    other = morale("facts", "--seeds", "2", "--fact", "Z", "--workers", "1", "--quiet",
                   "--scenario", "harsh_penalties")
    assert other.exit_code == 0 and "on harsh_penalties, seeds 0-1" in other.output
    harsh = resolve("harsh_penalties").overrides
    assert [p.penalty_severity for p in seen] == [harsh["penalty_severity"]] * 2
    assert [p.n_units for p in seen] == [20, 20]  # the defaults' army, not the division's


def test_facts_from_other_values_step_and_restore_levers_from_those_values():
    from experiments import facts
    from experiments.runs import RunsFrom

    assert facts._steps({"enforcement": 0.5})["certainty_up"] == {"enforcement": 0.8}
    shocked = facts.shocked_run(1, "supply_level", 0.2, 2, 3, days=8, run=RunsFrom({"supply_level": 0.9}))
    assert shocked.params.supply_level == 0.9  # back to where this army started, not the default (0.7)


@pytest.mark.parametrize(("args", "expected"), [
    (["--seeds", "1"], "--seeds 1 is not allowed"),
    (["--fact", "10"], "--fact '10' is not allowed"),
    (["--workers", "0"], "--workers 0 is not allowed"),
    (["--set", "bogus=1"], "unknown parameter 'bogus' in --set"),
    (["--set", "threshold_mean=2"], "'threshold_mean' in --set = 2.0 is not allowed"),
    (["--scenario", "nosuch"], "unknown scenario 'nosuch'; presets: "),
    (["--scenario", "bloody_month"], "--scenario 'bloody_month' is not allowed: it schedules lever changes"),
])
def test_facts_bad_arguments_exit_2_with_one_line(args, expected):
    result = morale("facts", *args)
    assert result.exit_code == 2
    lines = result.output.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("error: ") and expected in lines[0], result.output


@pytest.mark.parametrize(("host", "expected"), [
    ("", "--host '' is not allowed: give an address"),
    ("  ", "is not allowed: give an address"),
    ("no-such-host.invalid", "--host 'no-such-host.invalid' is not allowed: it does not resolve"),
    ("192.0.2.1", "this machine cannot listen on it"),  # TEST-NET: resolves, but not ours
])
def test_dashboard_checks_its_host_before_it_starts(host, expected, monkeypatch):
    from dashboards import server

    monkeypatch.setattr(server, "serve", lambda *a: pytest.fail("the server started"))
    result = morale("dashboard", "--host", host, "--port", str(server.free_port()))
    assert result.exit_code == 2, result.output
    lines = result.output.strip().splitlines()
    assert len(lines) == 1 and expected in lines[0], lines


@pytest.mark.parametrize(("scenario", "expected"), [
    ("division", "--scenario 'division' is not allowed: scenario 'division' has 13,000 soldiers and "
     "the page draws every soldier (at most 4,000); run it headless with `morale run division`"),
    ("nosuch", "unknown scenario 'nosuch'; presets: "),
])
def test_dashboard_offers_only_the_armies_its_page_can_draw(scenario, expected, monkeypatch):
    from dashboards import server
    from dashboards.presets import page_presets

    monkeypatch.setattr(server, "serve", lambda *a: pytest.fail("the server started"))
    result = morale("dashboard", "--scenario", scenario)
    assert result.exit_code == 2
    lines = result.output.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith(f"error: {expected}"), lines
    # every classroom preset is on the page; the division and the whole front are not
    assert set(available()) - set(page_presets()) == {"army_scale", "division"}


def test_dashboard_refuses_a_port_in_use_and_warns_beyond_this_machine(monkeypatch):
    import socket

    from dashboards import server

    started = []
    monkeypatch.setattr(server, "serve", lambda *a: started.append(a))
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        busy = morale("dashboard", "--port", str(port))
        assert busy.exit_code == 2 and f"--port {port} is not allowed: it is in use" in busy.output
    assert not started
    local = morale("dashboard", "--port", str(server.free_port()))
    assert local.exit_code == 0 and "warning" not in local.output and started[-1][2] == "127.0.0.1"
    wide = morale("dashboard", "--host", "0.0.0.0", "--port", str(server.free_port()))
    assert wide.exit_code == 0 and started[-1][2] == "0.0.0.0"
    assert "warning: listening on 0.0.0.0: other machines on the network can open" in wide.output
