"""Scheduled lever changes (a scenario's [[events]]): they fire on their day, and bad ones say why."""

from __future__ import annotations

import json

import numpy as np
import pytest
from typer.testing import CliRunner

from cli.main import app
from model.events import EventError
from model.model import MoraleModel

SMALL = {"n_units": 4, "unit_size": 40}


def morale(*args: str):
    return CliRunner().invoke(app, list(args))


def test_an_event_is_the_same_as_pulling_the_lever_by_hand_before_that_day():
    scheduled = MoraleModel(rng=3, events=[{"day": 6, "levers": {"combat_intensity": 1.0}}], **SMALL)
    scheduled.run(12)
    by_hand = MoraleModel(rng=3, **SMALL)
    by_hand.run(5)
    by_hand.set_lever("combat_intensity", 1.0)
    by_hand.run(7)
    a, b = scheduled.timeseries(), by_hand.timeseries()
    assert a.equals(b)
    assert scheduled.lever_changes == [{"day": 6, "name": "combat_intensity", "old": 0.5, "new": 1.0}]


def test_events_take_effect_on_their_day_and_not_before():
    model = MoraleModel(rng=1, events=[{"day": 4, "levers": {"supply_level": 0.1}},
                                       {"day": 2, "levers": {"supply_level": 0.3, "propaganda": 0.9}}],
                        **SMALL)
    seen = []
    for _ in range(5):
        model.step()
        seen.append((model.day, model.params.supply_level, model.params.propaganda))
    assert seen == [(1, 0.7, 0.2), (2, 0.3, 0.9), (3, 0.3, 0.9), (4, 0.1, 0.9), (5, 0.1, 0.9)]


def test_a_shock_changes_the_run_after_its_day_only():
    shocked = MoraleModel(rng=5, events=[{"day": 10, "levers": {"combat_intensity": 1.0}}], **SMALL)
    control = MoraleModel(rng=5, **SMALL)
    shocked.run(30)
    control.run(30)
    a, b = shocked.timeseries(), control.timeseries()
    assert a.iloc[:10].equals(b.iloc[:10])  # days 0-9 identical
    # from day 10 the front fights twice as hard: more combat stress, more fear (casualties are
    # too few in four small units to tell apart: 3 killed in both on this seed)
    assert a["mean_fear"].iloc[-1] > b["mean_fear"].iloc[-1] + 0.02
    assert a["killed_cumulative"].iloc[-1] >= b["killed_cumulative"].iloc[-1]


@pytest.mark.parametrize(("events", "says"), [
    ([{"day": 0, "levers": {"combat_intensity": 1.0}}], "'day' of events[1] = 0 is not allowed"),
    ([{"day": 5, "levers": {"combat_intensty": 1.0}}], "did you mean 'combat_intensity'"),
    ([{"day": 5, "levers": {"combat_intensity": 1.5}}], "'combat_intensity' in events[1] = 1.5"),
    ([{"day": 5, "levers": {"n_units": 5}}], "shapes the army"),
    ([{"day": 5}], "events[1] needs 'levers'"),
    ([{"day": 5, "levers": {}}], "non-empty"),
    ([{"day": 5, "levers": {"supply_level": 0.5}, "when": 3}], "unknown key 'when'"),
    ({"day": 5}, "must be a list"),
])
def test_a_bad_event_is_one_line_naming_it(events, says):
    with pytest.raises(EventError) as caught:
        MoraleModel(rng=1, events=events, **SMALL)
    message = str(caught.value)
    assert says in message and "\n" not in message


def test_events_are_checked_in_order_of_day():
    """A value is checked with the parameters the earlier events left (here both valid)."""
    model = MoraleModel(rng=1, events=[{"day": 9, "levers": {"enforcement": 0.9}},
                                       {"day": 3, "levers": {"enforcement": 0.1}}], **SMALL)
    assert [e.day for e in model.events] == [3, 9]
    model.run(9)
    assert np.isclose(model.params.enforcement, 0.9)


# ---- in scenario files, the CLI and sweeps ------------------------------------------------

def _scenario(tmp_path, events: str, days: int = 30):
    path = tmp_path / "s.toml"
    path.write_text(f'description = "test"\ndays = {days}\n\n[parameters]\nn_units = 4\nunit_size = 40\n\n'
                    + events, encoding="utf-8")
    return path


def test_a_scenario_file_schedules_its_events(tmp_path):
    from model.scenarios import load_file

    path = _scenario(tmp_path, "[[events]]\nday = 20\nlevers = { supply_level = 0.2 }\n\n"
                               "[[events]]\nday = 10\nlevers = { enforcement = 0.9 }\n")
    scenario = load_file(path)
    assert [(e.day, e.levers) for e in scenario.events] == [(10, {"enforcement": 0.9}),
                                                            (20, {"supply_level": 0.2})]


def test_the_bloody_month_preset_shocks_and_restores_combat():
    from model.scenarios import resolve

    scenario = resolve("bloody_month")
    model = MoraleModel(rng=0, params=scenario.params, events=scenario.events, **SMALL)
    model.run(100)
    assert [(c["day"], c["name"], c["new"]) for c in model.lever_changes] == [
        (60, "combat_intensity", 1.0), (90, "combat_intensity", 0.5)]


@pytest.mark.parametrize(("events", "days", "says"), [
    ("[[events]]\nday = 40\nlevers = { supply_level = 0.2 }\n", 30, "outside the run"),
    ("[[events]]\nday = 5\nlevers = { supply_lvl = 0.2 }\n", 30, "unknown lever 'supply_lvl'"),
    ("[[events]]\nday = 5\nlevers = { supply_level = 2 }\n", 30, "'supply_level'"),
    ("[events]\nday = 3\n", 30, "must be a list"),
])
def test_a_bad_event_in_a_scenario_file_exits_2_with_one_line(tmp_path, events, days, says):
    result = morale("run", str(_scenario(tmp_path, events, days)), "--out", str(tmp_path / "out"), "--quiet")
    assert result.exit_code == 2
    assert says in result.output and result.output.count("\n") == 1
    assert not (tmp_path / "out").exists()


def test_a_run_shorter_than_its_events_exits_2(tmp_path):
    path = _scenario(tmp_path, "[[events]]\nday = 20\nlevers = { supply_level = 0.2 }\n")
    result = morale("run", str(path), "--days", "10", "--out", str(tmp_path / "out"), "--quiet")
    assert result.exit_code == 2 and "day 20" in result.output
    assert not (tmp_path / "out").exists()
    ok = morale("run", str(path), "--days", "25", "--out", str(tmp_path / "ok"), "--quiet")
    assert ok.exit_code == 0, ok.output
    summary = json.loads((tmp_path / "ok" / "summary.json").read_text())
    assert summary["lever_changes"][0]["day"] == 20


def test_a_sweep_over_a_scenario_with_events_runs_them(tmp_path):
    from experiments import sweeps

    scenario = _scenario(tmp_path, "[[events]]\nday = 5\nlevers = { combat_intensity = 1.0 }\n", days=10)
    spec = tmp_path / "sweep.toml"
    spec.write_text(f'description = "events"\nscenario = "{scenario}"\nseeds = [1]\n\n'
                    '[vary]\nenforcement = [0.2, 0.8]\n', encoding="utf-8")
    plan = sweeps.load(str(spec))
    assert all(task.events and task.events[0].day == 5 for task in plan.tasks)
    plain = sweeps.run_id(plan.tasks[0].parameters, 1, 10)
    assert plan.tasks[0].run_id != plain  # a run with events is another run
