"""Same seed, same result: whole runs digested and compared with digests recorded earlier.

The digests were recorded on 2026-12-02 before the code was moved into its layers
(docs/ARCHITECTURE.md); a restructuring must leave them unchanged, byte for byte.
Re-recorded on the model-v2 branch with the revision of issue 12 (unit cohesion, desertion
norm, tipping peers on the ties gone, saturating enforcement, prison_share, bounded leadership),
and again when the peer response became a smooth step that is 0 while none of a soldier's ties
has gone (a fifth faster day) and union_army was re-tuned (combat_intensity 0.18); and for
revision 3 (docs/validation_plan.md: peer_influence covers the unit's norm, enforcement is the
hunt's effort, half the deserters caught at the default; union_army at 0.22); and for revision
4 (close calls, bad news from home, a deserter brought back no longer counts as gone); and for
revision 5 (news from home as its own pull; union_army at 0.20); and for revision 6 (the
decision at Epstein's scale; union_army at 0.11); and for revision 7 (the peer push at the
decision's scale; union_army at 0.075); and for revision 12 (officer_calm 0, threshold_mean
0.545; union_army at 0.042). The summary's digest changes alone when a parameter is added (it
lists them all), as with front_days_at_start: the tables stay bit for bit.
A deliberate change of the model's rules changes them: record them again in the same
commit as the change, and say so in its message (``python tests/test_reproducible.py``
prints the current ones).
"""

from __future__ import annotations

import hashlib
import json

import pandas as pd
from typer.testing import CliRunner

from cli.main import app
from model.metrics import unit_table
from model.model import MoraleModel

SOLDIER_COLUMNS = ("status", "fear", "grievance", "motivation", "peer_signal", "deserted_day", "cascade")

# name -> (seed, days, parameter overrides); supply is cut half-way through every run
RUNS = {
    "baseline_seed42_180": (42, 180, {}),
    "front_heavy_seed3_120": (
        3, 120, {"combat_intensity": 0.8, "penalty_severity": 0.9, "rotation_days": 30, "propaganda": 0.6}
    ),
}
RECORDED = {
    "baseline_seed42_180": "c9245c1d4f56cf72ab46adf87c2d4770d2f24a401e012ab169acc8c38326e224",
    "front_heavy_seed3_120": "b4d8e06e9172fa939ec6e66ea85e3f53d531a934cd199600011adb338db624ef",  # rev. 15
}
# `morale run union_army --days 60 --seed 5`: its three tables, its summary (less the
# package version) and what it printed (with the output folder written as OUT/)
CLI_RECORDED = {  # revision 15: union_army re-tuned (combat_intensity 0.07), sentences discounted
    "timeseries": "8584b82f53fb3945863592a42c3b876d65fe5ae83cae0089e02530bfe208f163",
    "units": "a264e18d513299201e3f74fdabee01a8f16a819dd641718fd8dbb44f8851ea45",
    "cascades": "940f703323a2bd87f6c6eb7dbdf621b36d4fcfc8d8a11c591cf037d9a1e8e5ba",
    "summary": "1815f06d7b4cace463a2f1ff54eeec2472234f8a062c82c0f973dd5fc4e175b9",
    "printed": "8010d6297a9898538feea54746ad06eb00f6c5ac8bf270db01f1591e518c41ef",
}


def sha(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def run_digest(seed: int, days: int, overrides: dict) -> str:
    model = MoraleModel(rng=seed, **overrides)
    model.run(days // 2)
    model.set_lever("supply_level", 0.5)
    model.run(days - days // 2)
    digest = hashlib.sha256()
    for table in (model.timeseries(), unit_table(model), model.cascades.table()):
        digest.update(table.to_csv(index=False).encode())  # floats written in full (repr)
    soldiers = model.soldier_table
    for name in SOLDIER_COLUMNS:
        digest.update(getattr(soldiers, name)[: soldiers.n].tobytes())
    return digest.hexdigest()


def cli_digests(out_dir) -> dict[str, str]:
    arguments = ["run", "union_army", "--days", "60", "--seed", "5", "--out", str(out_dir)]
    result = CliRunner().invoke(app, arguments)
    assert result.exit_code == 0, result.output
    digests = {
        name: sha(pd.read_parquet(out_dir / f"{name}.parquet").to_csv(index=False).encode())
        for name in ("timeseries", "units", "cascades")
    }
    summary = json.loads((out_dir / "summary.json").read_text(encoding="utf-8"))
    summary.pop("version")
    digests["summary"] = sha(json.dumps(summary, sort_keys=True).encode())
    digests["printed"] = sha(result.stdout.replace(f"{out_dir}/", "OUT/").encode())
    return digests


def test_runs_give_the_recorded_bytes():
    assert {name: run_digest(*case) for name, case in RUNS.items()} == RECORDED


def test_a_run_from_the_command_line_gives_the_recorded_files(tmp_path):
    assert cli_digests(tmp_path / "run") == CLI_RECORDED


if __name__ == "__main__":
    import tempfile
    from pathlib import Path

    print(json.dumps({name: run_digest(*case) for name, case in RUNS.items()}, indent=1))
    print(json.dumps(cli_digests(Path(tempfile.mkdtemp()) / "run"), indent=1))
