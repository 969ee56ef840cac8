"""Finished runs of the model: fresh, or remembered within a process.

One home for the runs that facts, lessons and the tests share: ``fresh_run`` simulates,
``cached_run`` remembers what it simulated (treat its models as read-only),
``forget_runs`` empties the memory (after the code or the calibration changed).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from functools import lru_cache
from typing import Any

from model.events import Event
from model.model import MoraleModel

DAYS = 180
Changes = Iterable[tuple[int, Mapping[str, Any]]]  # (day, {lever: value}), set at the end of that day


def fresh_run(
    seed: int, days: int = DAYS, *, changes: Changes = (), events: tuple[Event, ...] = (), **overrides: Any
) -> MoraleModel:
    """A finished run of ``days`` days (every parameter not in ``overrides`` at its default),
    with a scenario's scheduled ``events`` and the lever ``changes`` of ``play``."""
    return play(MoraleModel(rng=seed, events=events, **overrides), days, changes)


def play(model: MoraleModel, days: int, changes: Changes = ()) -> MoraleModel:
    """Run a model on to day ``days``, pulling levers on the way.

    Each ``(day, levers)`` of ``changes`` is applied once the model stands on ``day`` (so it
    takes effect from the day after), if that day comes within ``days``.
    """
    for day, levers in sorted(changes, key=lambda change: change[0]):
        if day > days:
            break
        model.run(day - model.day)
        model.set_levers(**levers)
    model.run(days - model.day)
    return model


def _key(changes: Changes) -> tuple:
    return tuple((day, tuple(sorted(levers.items()))) for day, levers in changes)


@lru_cache(maxsize=128)
def _remembered(seed: int, days: int, changes: tuple, events: tuple, overrides: tuple) -> MoraleModel:
    return fresh_run(seed, days, changes=[(day, dict(levers)) for day, levers in changes],
                     events=tuple(Event(day, dict(levers)) for day, levers in events), **dict(overrides))


def cached_run(
    seed: int, days: int = DAYS, *, changes: Changes = (), events: tuple[Event, ...] = (), **overrides: Any
) -> MoraleModel:
    """``fresh_run``, remembered within a process (runs are shared: treat the model as read-only)."""
    event_key = _key((event.day, event.levers) for event in events)
    return _remembered(seed, days, _key(changes), event_key, tuple(sorted(overrides.items())))


class RunsFrom:
    """A ``cached_run`` whose runs start from ``base`` parameter values instead of the defaults
    (``morale facts --set``); a run's own overrides (an experiment's levers) win over them."""

    def __init__(self, base: dict[str, Any]):
        self.base = dict(base)

    def __call__(self, seed: int, days: int = DAYS, **overrides: Any) -> MoraleModel:
        return cached_run(seed, days, **{**self.base, **overrides})


def base_of(run) -> dict[str, Any]:
    """The parameter values a runner's runs start from (none for ``cached_run``: the defaults)."""
    return getattr(run, "base", {})


def forget_runs() -> None:
    """Empty the memory of ``cached_run``."""
    _remembered.cache_clear()
