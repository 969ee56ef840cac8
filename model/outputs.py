"""Writing a run's outputs: all of them, or none.

Files are written into a hidden sibling folder and moved into place only when
every one of them is complete, with ``summary.json`` (the mark of a finished
run) written last; an interrupted run leaves the target folder as it was.
"""

from __future__ import annotations

import json
import os
import shutil
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


def check_target(out_dir: Path) -> None:
    """Refuse to overwrite a folder that holds anything but an earlier run's files."""
    if out_dir.exists():
        if not out_dir.is_dir():
            raise OutputError(f"output path {out_dir} exists and is not a folder")
        foreign = sorted(p.name for p in out_dir.iterdir() if p.name not in RUN_FILES)
        if foreign:
            raise OutputError(
                f"output folder {out_dir} holds other files ({', '.join(foreign[:3])}); "
                "choose an empty or new folder with --out"
            )


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


def write_run(out_dir: Path, model: MoraleModel, scenario: Scenario, seed: int, days: int) -> None:
    out_dir = Path(out_dir)
    check_target(out_dir)
    out_dir.parent.mkdir(parents=True, exist_ok=True)
    staging = out_dir.parent / f".{out_dir.name}.partial-{os.getpid()}"
    shutil.rmtree(staging, ignore_errors=True)
    staging.mkdir()
    try:
        model.timeseries().to_parquet(staging / "timeseries.parquet", index=False)
        unit_table(model).to_parquet(staging / "units.parquet", index=False)
        model.cascades.table().to_parquet(staging / "cascades.parquet", index=False)
        text = json.dumps(summary(model, scenario, seed, days), indent=2, sort_keys=False)
        (staging / "summary.json").write_text(text + "\n", encoding="utf-8")
        out_dir.mkdir(exist_ok=True)
        # A finished earlier run loses its completion mark first, then every file is replaced.
        (out_dir / "summary.json").unlink(missing_ok=True)
        for name in RUN_FILES:
            os.replace(staging / name, out_dir / name)
    finally:
        shutil.rmtree(staging, ignore_errors=True)
