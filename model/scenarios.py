"""Scenarios: TOML files that override parameters of the single definition.

A scenario file looks like::

    description = "One line saying what this scenario shows."
    days = 180                      # optional, default 180

    [parameters]                    # optional; any parameter of `morale params`
    penalty_severity = 0.9

Unknown keys, unknown parameters and out-of-range values are errors.
"""

from __future__ import annotations

import difflib
import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import configs
from model.parameters import ParameterError, Parameters, suggest, validate

SCENARIO_DIR = configs.folder("scenarios")
DEFAULT_SCENARIO = "baseline"
DEFAULT_DAYS = 180
MAX_DAYS = 3650
TOP_LEVEL_KEYS = ("description", "days", "parameters")


class ScenarioError(ValueError):
    """A scenario that cannot be used; the message is one line naming what is wrong."""


@dataclass(frozen=True)
class Scenario:
    name: str
    description: str
    days: int = DEFAULT_DAYS
    overrides: dict[str, Any] = field(default_factory=dict)
    path: Path | None = None

    @property
    def params(self) -> Parameters:
        return validate(self.overrides, source=str(self.path or self.name))


def available() -> dict[str, Path]:
    """Preset scenarios by name."""
    return {p.stem: p for p in sorted(SCENARIO_DIR.glob("*.toml"))}


def read_toml(path: Path, kind: str, error: type[ValueError]) -> dict[str, Any]:
    """The contents of a TOML file (a scenario, a lesson), or ``error`` with one line saying why not."""
    if not path.is_file():
        raise error(f"{kind} file {path} does not exist")
    try:
        return tomllib.loads(path.read_text(encoding="utf-8"))
    except tomllib.TOMLDecodeError as exc:
        raise error(f"malformed TOML in {path}: {exc}") from None
    except UnicodeDecodeError:
        raise error(f"{kind} file {path} is not UTF-8 text") from None


def load_file(path: Path) -> Scenario:
    """Read and validate one scenario file."""
    path = Path(path)
    raw = read_toml(path, "scenario", ScenarioError)

    for key in raw:
        if key not in TOP_LEVEL_KEYS:
            close = difflib.get_close_matches(key, TOP_LEVEL_KEYS, n=1)
            if key in Parameters.model_fields:
                where = " (parameters go under [parameters])"
            elif close:
                where = f" (did you mean '{close[0]}'?)"
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
        validate(overrides, source=str(path))
    except ParameterError as exc:
        raise ScenarioError(str(exc)) from None
    return Scenario(path.stem, description.strip(), days, dict(overrides), path)


def resolve(name_or_path: str | None) -> Scenario:
    """A preset by name, or a scenario file by path."""
    name_or_path = name_or_path or DEFAULT_SCENARIO
    presets = available()
    if name_or_path in presets:
        return load_file(presets[name_or_path])
    candidate = Path(name_or_path)
    if candidate.suffix == ".toml" or candidate.exists() or "/" in name_or_path:
        return load_file(candidate)
    raise ScenarioError(
        f"unknown scenario '{name_or_path}'; presets: {', '.join(presets)} "
        "(or give the path of a .toml file)"
    )
