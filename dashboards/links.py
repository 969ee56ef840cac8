"""A run as a link: scenario (or lesson), seed, levers changed at the start, lever changes with
their days, and the day reached, kept in the page's query string. Pure functions, no Solara.

    ?scenario=offensive&seed=7&day=120&set=supply_level:0.6&ch=30:enforcement:0.45

``set`` are parameters different from the scenario's (or lesson's) at the start of the run; ``ch``
are lever changes made on a day (between that day and the next, as a slider does). In a lesson,
``pred=B`` is the prediction the class locked in; a lesson's link without it opens on the Predict
step, so that a run shared or reloaded is never explained before a prediction is made. A scenario's
scheduled events and a lesson's intervention come back with the scenario or the lesson. Opening
the link rebuilds the run: the same seed, the changes replayed on their days, run to the day.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from urllib.parse import parse_qs, urlencode

from model.parameters import ParameterError, Parameters, validate

MAX_DAY = 2000  # a link cannot ask for a run longer than this (it is replayed when opened)
MAX_SEED = 2**32 - 1
CHOICE_LETTERS = "ABCDEFGH"  # a lesson's choices, as the page and the worksheets name them


@dataclass
class RunLink:
    scenario: str | None = None
    lesson: str | None = None
    seed: int | None = None
    day: int = 0
    start: dict[str, float] = field(default_factory=dict)  # name -> value at the start
    changes: list[tuple[int, str, float]] = field(default_factory=list)  # (day, name, value)
    prediction: int | None = None  # a lesson's locked-in choice, 1-based (A = 1)


def _number(value: float) -> str:
    return f"{value:g}" if isinstance(value, float) else str(value)


def encode(link: RunLink) -> str:
    """The query string (without '?') of a run."""
    query: dict[str, str] = {}
    if link.lesson:
        query["lesson"] = link.lesson
    elif link.scenario:
        query["scenario"] = link.scenario
    if link.seed is not None:
        query["seed"] = str(link.seed)
    query["day"] = str(link.day)
    if link.start:
        query["set"] = ",".join(f"{k}:{_number(v)}" for k, v in link.start.items())
    if link.changes:
        query["ch"] = ",".join(f"{d}:{k}:{_number(v)}" for d, k, v in link.changes)
    if link.lesson and link.prediction is not None:
        query["pred"] = CHOICE_LETTERS[link.prediction - 1]
    return urlencode(query, safe=":,")


def decode(query: str | None, *, scenarios, lessons, live_names) -> tuple[RunLink | None, list[str]]:
    """Read a query string; returns the run (None if the query names nothing of a run) and a list
    of what was ignored, one short phrase each. Never raises on bad input."""
    if not query:
        return None, []
    try:
        raw = parse_qs(query.lstrip("?"), keep_blank_values=True, max_num_fields=50)
    except ValueError:
        return None, ["the link's query string"]
    one = {k: v[-1] for k, v in raw.items()}
    known = {"scenario", "lesson", "seed", "day", "set", "ch", "pred"}
    if not known & set(one):
        return None, []
    link, ignored = RunLink(), []
    for key in sorted(set(one) - known):
        ignored.append(f"unknown field {key!r}")
    if "lesson" in one:
        if one["lesson"] in lessons:
            link.lesson = one["lesson"]
        else:
            ignored.append(f"lesson={one['lesson']!r} (no such lesson)")
    if "scenario" in one:
        if one["scenario"] in scenarios:
            link.scenario = one["scenario"]
        else:
            ignored.append(f"scenario={one['scenario']!r} (no such preset)")
    if "seed" in one:
        seed = _int(one["seed"])
        if seed is not None and 0 <= seed <= MAX_SEED:
            link.seed = seed
        else:
            ignored.append(f"seed={one['seed']!r} (a whole number from 0)")
    if "day" in one:
        day = _int(one["day"])
        if day is not None and 0 <= day <= MAX_DAY:
            link.day = day
        else:
            ignored.append(f"day={one['day']!r} (a whole number from 0 to {MAX_DAY})")
    for item in filter(None, one.get("set", "").split(",")):
        parsed = _lever(item.split(":"), live_names)
        if parsed is None:
            ignored.append(f"set {item!r}")
        else:
            link.start[parsed[0]] = parsed[1]
    for item in filter(None, one.get("ch", "").split(",")):
        parts = item.split(":")
        day = _int(parts[0]) if len(parts) == 3 else None
        parsed = _lever(parts[1:], live_names) if day is not None and 0 <= day <= MAX_DAY else None
        if parsed is None:
            ignored.append(f"change {item!r}")
        else:
            link.changes.append((day, parsed[0], parsed[1]))
    link.changes.sort(key=lambda c: c[0])
    if "pred" in one:
        letter = one["pred"].strip().upper()
        if link.lesson and len(letter) == 1 and letter in CHOICE_LETTERS:
            link.prediction = CHOICE_LETTERS.index(letter) + 1
        else:
            ignored.append(f"pred={one['pred']!r} (a choice's letter, in a lesson)")
    return link, ignored


def _int(text: str) -> int | None:
    try:
        return int(text) if text.strip().lstrip("-").isdigit() else None
    except ValueError:
        return None


def _lever(parts: list[str], live_names) -> tuple[str, float] | None:
    """(name, value) if ``name:value`` is a parameter that may change mid-run with an allowed value."""
    if len(parts) != 2 or parts[0] not in live_names:
        return None
    name, text = parts
    try:
        value = float(text)
    except ValueError:
        return None
    kind = Parameters.model_fields[name].annotation
    if kind is int:
        if value != int(value):
            return None
        value = int(value)
    try:
        validate({name: value}, source="link")
    except ParameterError:
        return None
    return name, value
