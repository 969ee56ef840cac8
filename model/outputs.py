"""Writing a run's outputs: all of them, or none.

Files are written into a hidden sibling folder, which is renamed to the output
folder only when every one of them is complete; an interrupted or failed run
leaves the target as it was. An earlier run is replaced only when asked
(``--overwrite``); the default folder of a run takes a fresh name instead.
"""

from __future__ import annotations

import json
import os
import shutil
import tempfile
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path
from typing import TYPE_CHECKING, Any

from model.metrics import unit_table, units_over_10pct

if TYPE_CHECKING:
    from model.model import MoraleModel
    from model.scenarios import Scenario

RUN_FILES = ("timeseries.parquet", "units.parquet", "cascades.parquet", "summary.json")


class OutputError(ValueError):
    """The output folder cannot be used; one line says why."""


def package_version() -> str:
    try:
        return version("unit-morale")
    except PackageNotFoundError:  # running from a source tree that is not installed
        return "0+unknown"


# A hidden sibling name is used while a folder is written (".NAME.partial-PID"): the room it needs.
STAGING_EXTRA = len(".") + len(".partial-") + 10


def check_writable(out_dir: Path, option: str = "--out") -> None:
    """Raise OutputError, naming the path and what would work, unless ``out_dir`` can be written.

    Creates nothing that stays: it probes the nearest existing folder with a hidden temporary
    folder, removed at once. Checks, before any work starts: an empty path, a path too long
    or with a name too long for the file system, a file where a folder (or a parent folder)
    should be, and a folder that cannot be written (read-only, ``/proc``).
    """
    given = str(out_dir)
    if not given.strip():
        raise OutputError(f"{option} '' is not allowed: give the name of a folder")
    path = Path(out_dir).absolute()
    if len(os.fsencode(str(path))) + STAGING_EXTRA > 4000:
        raise OutputError(f"{option} {given[:60]}... is not allowed: the path is "
                          f"{len(os.fsencode(str(path)))} bytes long; give a shorter one")
    missing: list[str] = []
    existing = path
    while True:
        try:
            if existing.exists() or existing == existing.parent:
                break
        except OSError:  # a name too long for the file system, say
            pass
        missing.append(existing.name)
        existing = existing.parent
    if not existing.is_dir():
        where = "exists and is not a folder" if existing == path else f"is below {existing}, a file"
        raise OutputError(f"{option} {given} {where}; choose a folder path (a new or empty folder)")
    try:
        name_max = os.pathconf(existing, "PC_NAME_MAX")
    except (OSError, ValueError):
        name_max = 255
    for name in missing:
        if len(os.fsencode(name)) + STAGING_EXTRA > name_max:
            raise OutputError(f"{option} {given} is not allowed: the name '{name[:40]}...' is "
                              f"{len(os.fsencode(name))} bytes long; the file system allows "
                              f"{name_max - STAGING_EXTRA} here")
    probes = [existing] if missing else [existing, existing.parent]
    for folder in probes:
        try:
            os.rmdir(tempfile.mkdtemp(prefix=".morale-probe-", dir=folder))
        except OSError as exc:
            raise OutputError(f"{option} {given} cannot be written: {folder} is not writable "
                              f"({exc.strerror or exc}); choose a folder you can write to") from None


def is_run_folder(path: Path) -> bool:
    """Whether ``path`` is a folder holding a run's outputs (any of them)."""
    return path.is_dir() and any((path / name).exists() for name in RUN_FILES)


def check_target(out_dir: Path, overwrite: bool = False, option: str = "--out") -> None:
    """Refuse a folder that holds anything but an earlier run's files, and an earlier run's folder
    unless ``overwrite``; first check that it can be written."""
    check_writable(out_dir, option)
    if out_dir.is_dir():
        foreign = sorted(p.name for p in out_dir.iterdir() if p.name not in RUN_FILES)
        if foreign:
            raise OutputError(
                f"output folder {out_dir} holds other files ({', '.join(foreign[:3])}); "
                f"choose an empty or new folder with {option}"
            )
        if is_run_folder(out_dir) and not overwrite:
            raise OutputError(f"output folder {out_dir} holds an earlier run; add --overwrite to "
                              f"replace it, or choose another folder with {option}")


def fresh_folder(base: Path) -> Path:
    """``base``, or ``base_2``, ``base_3``, ... : the first that does not exist."""
    candidate, number = base, 1
    while candidate.exists() or candidate.is_symlink():
        number += 1
        candidate = base.with_name(f"{base.name}_{number}")
    return candidate


def summary(model: MoraleModel, scenario: Scenario, seed: int, days: int) -> dict[str, Any]:
    final = {k: (round(v, 6) if isinstance(v, float) else v) for k, v in model.metrics.items()}
    final["units_over_10pct"] = units_over_10pct(unit_table(model)["desertion_rate"])
    return {
        "scenario": scenario.name,
        "description": scenario.description,
        "seed": seed,
        "days": days,
        "version": package_version(),
        "parameters": model.params.model_dump(),
        "lever_changes": model.lever_changes,
        "final": final,
    }


def write_run(out_dir: Path, model: MoraleModel, scenario: Scenario, seed: int, days: int,
              overwrite: bool = False) -> None:
    """Write the four outputs into a hidden sibling folder, then rename it to ``out_dir``.

    An earlier run in ``out_dir`` (only with ``overwrite``) is replaced whole, at the end; a
    failure at any moment leaves ``out_dir`` as it was and nothing else behind.
    """
    out_dir = Path(out_dir)
    check_target(out_dir, overwrite)
    out_dir.parent.mkdir(parents=True, exist_ok=True)
    staging = out_dir.parent / f".{out_dir.name}.partial-{os.getpid()}"
    retired = out_dir.parent / f".{out_dir.name}.old-{os.getpid()}"
    shutil.rmtree(staging, ignore_errors=True)
    staging.mkdir()
    try:
        model.timeseries().to_parquet(staging / "timeseries.parquet", index=False)
        unit_table(model).to_parquet(staging / "units.parquet", index=False)
        model.cascades.table().to_parquet(staging / "cascades.parquet", index=False)
        text = json.dumps(summary(model, scenario, seed, days), indent=2, sort_keys=False)
        (staging / "summary.json").write_text(text + "\n", encoding="utf-8")
        if out_dir.exists():  # empty, or an earlier run (check_target): set it aside, then swap
            os.rename(out_dir, retired)
        try:
            os.rename(staging, out_dir)
        except OSError:
            if retired.exists():
                os.rename(retired, out_dir)
            raise
    finally:
        shutil.rmtree(staging, ignore_errors=True)
        shutil.rmtree(retired, ignore_errors=True)
