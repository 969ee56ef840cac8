"""The command line the design scripts share: their own options, then parameter overrides.

    uv run python docs/design/SCRIPT.py [option=value ...] [name=value ...]

A script names its own options with their defaults (``seeds``, ``days``, ...); every other
``name=value`` is a parameter override, read with the parameter's type and checked as
``morale run --set`` checks it (`model.parameters.parse_assignment`).
"""

import sys
from typing import Any

from model.parameters import parse_assignment


def read_options(defaults: dict[str, str]) -> tuple[dict[str, str], dict[str, Any]]:
    """(the script's own options as text, defaulted; the parameter overrides) from ``sys.argv``."""
    given = dict(argument.split("=", 1) for argument in sys.argv[1:])
    own = {name: given.pop(name, default) for name, default in defaults.items()}
    overrides = dict(parse_assignment(f"{name}={value}") for name, value in given.items())
    return own, overrides


def seed_range(text: str) -> range:
    """Seeds given as ``LOW-HIGH`` (both included)."""
    low, high = (int(x) for x in text.split("-"))
    return range(low, high + 1)
