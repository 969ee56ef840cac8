"""Scheduled lever changes (a scenario's [[events]]): they fire on their day, and bad ones say why."""

from __future__ import annotations

import numpy as np
import pytest

from model.events import EventError
from model.model import MoraleModel

SMALL = {"n_units": 4, "unit_size": 40}


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
    assert a["killed_cumulative"].iloc[-1] > b["killed_cumulative"].iloc[-1]


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
