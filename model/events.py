"""Scheduled lever changes: a scenario's ``[[events]]``.

A scenario file may pull levers on given days of the run::

    [[events]]
    day = 60
    levers = { combat_intensity = 1.0 }

    [[events]]
    day = 90
    levers = { combat_intensity = 0.5 }

An event takes effect at the start of its day (day 1 is the first simulated day; the
starting values are the scenario's ``[parameters]``). Any parameter that may change on a
running model may be scheduled: the policy levers and the behaviour coefficients, not the
army's shape. Each event is validated by the single parameter definition, against the
parameters in force when it fires (so a value is checked in the context of the events
before it); a bad one raises ``EventError`` with one line naming the event, the field, the
value and what is allowed.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from model.parameters import ARMY, ParameterError, Parameters, suggest, validate

EVENT_KEYS = ("day", "levers")


class EventError(ParameterError):
    """A scheduled lever change that cannot be used; the message is one line."""


@dataclass(frozen=True)
class Event:
    """On ``day``, set each of ``levers`` (name -> value)."""

    day: int
    levers: dict[str, Any] = field(default_factory=dict)

    def as_dict(self) -> dict[str, Any]:
        return {"day": self.day, "levers": dict(self.levers)}


def _one(raw: Any, number: int, source: str) -> Event:
    where = f"events[{number}]" + (f" in {source}" if source else "")
    if isinstance(raw, Event):
        raw = raw.as_dict()
    if not isinstance(raw, Mapping):
        raise EventError(f"{where} must be a table with 'day' and 'levers' ([[events]])")
    for key in raw:
        if key not in EVENT_KEYS:
            raise EventError(f"unknown key '{key}' in {where}; allowed: {', '.join(EVENT_KEYS)}")
    if "day" not in raw or "levers" not in raw:
        missing = "day" if "day" not in raw else "levers"
        raise EventError(f"{where} needs '{missing}'")
    day = raw["day"]
    if not isinstance(day, int) or isinstance(day, bool) or day < 1:
        raise EventError(f"'day' of {where} = {day!r} is not allowed: it must be a whole number from 1")
    levers = raw["levers"]
    if not isinstance(levers, Mapping) or not levers:
        raise EventError(f"'levers' of {where} must be a non-empty table, e.g. {{ combat_intensity = 1.0 }}")
    for name in levers:
        if name in ARMY:
            raise EventError(f"'{name}' in {where} shapes the army and cannot change mid-run; "
                             "set it under [parameters]")
        if name not in Parameters.model_fields:
            raise EventError(f"unknown lever '{name}' in {where}{suggest(name)}; `morale params` lists them")
    return Event(day, dict(levers))


def parse_events(
    raw: Any, params: Parameters, days: int | None = None, source: str = "", strict: bool = False
) -> tuple[Event, ...]:
    """Validate a list of events (tables, dicts or ``Event``) against ``params`` and the run's ``days``.

    ``strict`` for events a user wrote (a scenario file): no string or boolean becomes a number.

    Returns them sorted by day (events of one day keep their order).
    """
    if raw is None:
        return ()
    if isinstance(raw, Mapping) or not isinstance(raw, Iterable) or isinstance(raw, str):
        raise EventError(f"'events'{' in ' + source if source else ''} must be a list of tables ([[events]])")
    events = [_one(item, number, source) for number, item in enumerate(raw, start=1)]
    numbered = sorted(enumerate(events, start=1), key=lambda pair: pair[1].day)
    current = params.model_dump()
    for number, event in numbered:
        where = f"events[{number}]" + (f" in {source}" if source else "")
        if days is not None and event.day > days:
            raise EventError(f"'day' of {where} = {event.day} is outside the run: "
                             f"it must be a whole number from 1 to {days} (the run's days)")
        try:
            current = validate({**current, **event.levers}, source=where, strict=strict).model_dump()
        except ParameterError as exc:
            raise EventError(str(exc)) from None
    return tuple(event for _, event in numbered)


def check_days(events: Iterable[Event], days: int, source: str = "") -> None:
    """Raise EventError if an event falls after the last day of a run of ``days`` days."""
    late = [event.day for event in events if event.day > days]
    if late:
        where = f" in {source}" if source else ""
        raise EventError(f"an event{where} is on day {max(late)}, after the last day of the run "
                         f"({days}): shorten the events or run at least {max(late)} days")


def by_day(events: Iterable[Event]) -> dict[int, list[dict[str, Any]]]:
    """The events as day -> the lever changes of that day, in order."""
    schedule: dict[int, list[dict[str, Any]]] = {}
    for event in events:
        schedule.setdefault(event.day, []).append(dict(event.levers))
    return schedule
