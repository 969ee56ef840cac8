"""The configuration files that ship with the package: scenarios, sweeps, lessons, calibration specs.

Read through ``importlib.resources`` so that an installed wheel finds them as
well as a checkout does. This package holds data only and imports nothing of
the project: every layer may read it.
"""

from __future__ import annotations

from importlib.resources import files
from pathlib import Path

KINDS = ("scenarios", "sweeps", "lessons", "calibration")


def folder(kind: str) -> Path:
    """The folder of one kind of configuration file (``scenarios``, ``sweeps``, ``lessons``, ...)."""
    if kind not in KINDS:
        raise ValueError(f"no configuration kind {kind!r}; the kinds are {', '.join(KINDS)}")
    # A wheel is installed unzipped, so the resource is a real folder on disk.
    return Path(str(files(__name__) / kind))
