"""Same seed, same result: whole runs digested and compared with digests recorded earlier.

The digests were recorded on 2026-12-02 before the code was moved into its layers
(docs/ARCHITECTURE.md); a restructuring must leave them unchanged, byte for byte.
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
    "baseline_seed42_180": "757af269940b1da2ad7fd768bc365c9d0e6883217354b0799c7fbd1c0dec1873",
    "front_heavy_seed3_120": "563dd843afde50909bc092f9aa0fde5e122f52c07f06a8bf9c1d352e98620df0",
}
# `morale run union_army --days 60 --seed 5`: its three tables, its summary (less the
# package version) and what it printed (with the output folder written as OUT/)
CLI_RECORDED = {
    "timeseries": "c16c6abe99ab79f73631b31fcd9018cdc8c752af5fa15d6af2562b8a2dcf42b5",
    "units": "7bc8f2ba4203fd36bbdbeabb54dcc736a0628d88766280c84238e8747144998d",
    "cascades": "56060e12687352419b36c2e492e615aa2fc1c767026d8b23f868b8d792f75e0a",
    "summary": "f383ac279b20fc2a3bc72926e89d7634a86915399daaaaf97ffc80f35b088f1a",
    "printed": "6d8ddaad459996b06005a1a050465fb1dbe38953224b6ac21527dd8da91d155c",
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
