"""Same seed, same result: whole runs digested and compared with digests recorded earlier.

The digests were recorded on 2026-12-02 before the code was moved into its layers
(docs/ARCHITECTURE.md); a restructuring must leave them unchanged, byte for byte.
Re-recorded on the model-v2 branch with the revision of issue 12 (unit cohesion, desertion
norm, tipping peers on the ties gone, saturating enforcement, prison_share, bounded leadership),
and again when the peer response became a smooth step that is 0 while none of a soldier's ties
has gone (a fifth faster day) and union_army was re-tuned (combat_intensity 0.18).
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
    "baseline_seed42_180": "ed88937e1662ac09b0cd0c31fbe7c54d18c4cb80d6dfdf9c1124183b7c860603",
    "front_heavy_seed3_120": "9e20dc3352523d3f53ab5d42104b2663754ac694d7f3fbf30fb95089198c043d",
}
# `morale run union_army --days 60 --seed 5`: its three tables, its summary (less the
# package version) and what it printed (with the output folder written as OUT/)
CLI_RECORDED = {
    "timeseries": "d4d955221bdc53fe3469bb22da73de6c00928ea3123f7afdda480c0aed8d969f",
    "units": "c3aaf07fb7b253aec59b76d7074cfe64204e4c2ae646c068edb7e7fe20f76d14",
    "cascades": "8e8b22f2a8a99c26915e510ea798499b8d221c559f02cebaae571c4c249cc749",
    "summary": "7da2da8831dcde8325ee36ae3b387262f8bb325572ef6ed47477572765c7b465",
    "printed": "11eaac3f7b0426b23fb44c11c7867a6c86eb652a43d3f0752fbcbad4a92dd485",
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
