"""Scenarios: TOML files that override parameters of the single definition.

A scenario file looks like::

    description = "One line saying what this scenario shows."
    days = 180                      # optional, default 180

    [parameters]                    # optional; any parameter of `morale params`
    penalty_severity = 0.9

    [[events]]                      # optional; scheduled lever changes (model/events.py)
    day = 60
    levers = { combat_intensity = 1.0 }

Unknown keys, unknown parameters, out-of-range values and events outside the run are
errors.
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import configs
from model.events import Event, parse_events
from model.parameters import ParameterError, Parameters, did_you_mean, suggest, validate

SCENARIO_DIR = configs.folder("scenarios")
DEFAULT_SCENARIO = "baseline"
DEFAULT_DAYS = 180
MAX_DAYS = 3650
TOP_LEVEL_KEYS = ("description", "days", "parameters", "events")


class ScenarioError(ValueError):
    """A scenario that cannot be used; the message is one line naming what is wrong."""


@dataclass(frozen=True)
class Scenario:
    name: str
    description: str
    days: int = DEFAULT_DAYS
    overrides: dict[str, Any] = field(default_factory=dict)
    path: Path | None = None
    events: tuple[Event, ...] = ()

    @property
    def params(self) -> Parameters:
        return validate(self.overrides, source=str(self.path or self.name))


def presets(folder: Path) -> dict[str, Path]:
    """The ``.toml`` files of a folder of presets, by name."""
    return {p.stem: p for p in sorted(folder.glob("*.toml"))}


def available() -> dict[str, Path]:
    """Preset scenarios by name."""
    return presets(SCENARIO_DIR)


def preset_or_path(name_or_path: str, folder: Path, kind: str, error: type[ValueError],
                   unknown: str | None = None) -> Path:
    """The file of a preset by name (a ``.toml`` file of ``folder``), or a file given by its path.

    A name that is neither raises ``error`` with ``unknown``, by default a line listing the presets.
    """
    found = presets(folder)
    if name_or_path in found:
        return found[name_or_path]
    if not name_or_path.strip():  # Path("") is the current folder
        raise error(f"{kind} {name_or_path!r} is not allowed: give a preset name "
                    f"({', '.join(found) or 'none'}) or the path of a .toml file")
    candidate = Path(name_or_path)
    if candidate.suffix == ".toml" or candidate.exists() or "/" in name_or_path:
        return candidate
    raise error(unknown or f"unknown {kind} '{name_or_path}'; presets: {', '.join(found) or 'none'} "
                "(or give the path of a .toml file)")


def read_toml_text(path: Path, what: str, error: type[ValueError]) -> tuple[dict[str, Any], str]:
    """A TOML file's contents and its text, or ``error`` with one line saying why not.

    ``what`` names the file in that line: "scenario file", "lesson file", "sweep spec".
    """
    if path.is_dir():
        raise error(f"{what} {path} is a folder; give the path of a .toml file")
    if not path.is_file():
        raise error(f"{what} {path} does not exist")
    try:
        text = path.read_text(encoding="utf-8")
        return tomllib.loads(text), text
    except tomllib.TOMLDecodeError as exc:
        raise error(f"malformed TOML in {path}: {exc}") from None
    except UnicodeDecodeError:
        raise error(f"{what} {path} is not UTF-8 text") from None


def read_toml(path: Path, what: str, error: type[ValueError]) -> dict[str, Any]:
    """The contents of a TOML file (see ``read_toml_text``)."""
    return read_toml_text(path, what, error)[0]


def load_file(path: Path) -> Scenario:
    """Read and validate one scenario file."""
    path = Path(path)
    raw = read_toml(path, "scenario file", ScenarioError)

    for key in raw:
        if key not in TOP_LEVEL_KEYS:
            if key in Parameters.model_fields:
                where = " (parameters go under [parameters])"
            elif did_you_mean(key, TOP_LEVEL_KEYS):
                where = did_you_mean(key, TOP_LEVEL_KEYS)
            elif suggest(key):
                where = suggest(key).replace("?)", ", under [parameters]?)")
            else:
                where = ""
            raise ScenarioError(
                f"unknown key '{key}' in {path}{where}; allowed: {', '.join(TOP_LEVEL_KEYS)}"
            )
    description = raw.get("description")
    if not isinstance(description, str) or not description.strip():
        raise ScenarioError(f"scenario {path} needs a one-line 'description' (a string)")
    days = raw.get("days", DEFAULT_DAYS)
    if not isinstance(days, int) or isinstance(days, bool) or not 1 <= days <= MAX_DAYS:
        raise ScenarioError(
            f"'days' in {path} = {days!r} is not allowed: it must be a whole number "
            f"from 1 to {MAX_DAYS}"
        )
    overrides = raw.get("parameters", {})
    if not isinstance(overrides, dict):
        raise ScenarioError(f"'parameters' in {path} must be a table ([parameters])")
    try:
        params = validate(overrides, source=str(path), strict=True)
        events = parse_events(raw.get("events"), params, days, source=str(path), strict=True)
    except ParameterError as exc:  # EventError included
        raise ScenarioError(str(exc)) from None
    return Scenario(path.stem, description.strip(), days, dict(overrides), path, events)


def resolve(name_or_path: str | None) -> Scenario:
    """A preset by name, or a scenario file by path (None: the default preset)."""
    if name_or_path is None:
        name_or_path = DEFAULT_SCENARIO
    if not name_or_path.strip():
        raise ScenarioError(f"scenario {name_or_path!r} is not allowed: give a preset name "
                            f"({', '.join(available())}) or the path of a .toml file")
    return load_file(preset_or_path(name_or_path, SCENARIO_DIR, "scenario", ScenarioError))
