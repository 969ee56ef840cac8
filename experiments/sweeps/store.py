"""The output folder of a sweep: part files written atomically, one per run, and ``runs.parquet``."""

from __future__ import annotations

import json
import os
import threading
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq

from experiments.sweeps.outcomes import runs_schema
from experiments.sweeps.spec import Sweep, SweepError, plan_fingerprint


def write_atomic(path: Path, write: Callable[[Path], None]) -> None:
    """Write a file under a hidden temporary name, flush it to disk, then rename it into place."""
    tmp = path.parent / f".{path.name}.{os.getpid()}.{threading.get_ident()}.tmp"
    try:
        write(tmp)
        with open(tmp, "rb") as handle:
            os.fsync(handle.fileno())
        os.replace(tmp, path)
    finally:
        tmp.unlink(missing_ok=True)


def row_table(row: dict[str, Any]) -> pa.Table:
    schema = runs_schema()
    return pa.Table.from_pylist([{name: row.get(name) for name in schema.names}], schema=schema)


# What a sweep writes into its folder: the manifest first, then these (sweep.json last, when the
# folder is first set up).
MANIFEST = ".morale-sweep"
OWN_FILES = ("spec.toml", "design.parquet", "sweep.json", "parts", "timeseries", "runs.parquet", "report")


def _readable(path: Path) -> bool:
    """Whether a parquet file can be read (exists, is complete, is parquet)."""
    try:
        pq.read_table(path)
    except (OSError, pa.ArrowException):
        return False
    return True


class ResultStore:
    """The output folder of one sweep: part files, time series, the consolidated table.

    The folder is marked as a sweep's by its manifest (``.morale-sweep``), written before
    anything else; a folder without it (or, from before the manifest, without a
    ``sweep.json``) that holds anything is someone else's, and is refused.
    """

    def __init__(self, out_dir: Path):
        self.dir = Path(out_dir)
        self.parts = self.dir / "parts"
        self.series = self.dir / "timeseries"
        self.runs_file = self.dir / "runs.parquet"
        self.manifest = self.dir / MANIFEST
        self.info_file = self.dir / "sweep.json"

    # -- opening ---------------------------------------------------------------
    def check(self, sweep: Sweep) -> None:
        """Raise SweepError unless this sweep may use the folder; writes nothing."""
        from model.outputs import OutputError, check_writable

        try:
            check_writable(self.dir)
        except OutputError as exc:
            raise SweepError(str(exc)) from None
        if self.dir.exists() and not self.dir.is_dir():
            raise SweepError(f"output path {self.dir} exists and is not a folder; choose a folder "
                             "with --out")
        if self.info_file.exists():
            try:
                previous = json.loads(self.info_file.read_text(encoding="utf-8"))
                if not isinstance(previous, dict):
                    raise ValueError("not a table")
            except (OSError, ValueError):
                again = ("delete it and rerun the same command: finished runs are kept"
                         if self.manifest.exists() else "choose a new --out")
                raise SweepError(f"{self.info_file} is unreadable or damaged; {again}") from None
            if previous.get("plan") != plan_fingerprint(sweep.tasks):
                raise SweepError(
                    f"output folder {self.dir} holds a different sweep ('{previous.get('name')}': its "
                    "spec, base scenario, time-series setting or the model version's parameters "
                    "differ); choose another --out"
                )
        elif self.dir.exists() and not self.manifest.exists():
            ours = (MANIFEST, f".{MANIFEST}.")  # the manifest, or its temporary file (killed meanwhile)
            others = sorted(p.name for p in self.dir.iterdir() if not p.name.startswith(ours))
            if others:
                raise SweepError(f"output folder {self.dir} holds other files ({', '.join(others[:3])}) "
                                 "and is not a sweep's folder; choose an empty or new folder with --out")

    def open(self, sweep: Sweep) -> None:
        """Create the folder for this sweep, or check that it already holds this same sweep."""
        self.check(sweep)
        self.dir.mkdir(parents=True, exist_ok=True)
        if not self.manifest.exists():
            mark = json.dumps({"kind": "morale sweep", "name": sweep.name,
                               "plan": plan_fingerprint(sweep.tasks)})
            write_atomic(self.manifest, lambda p: p.write_text(mark + "\n", encoding="utf-8"))
        self.parts.mkdir(exist_ok=True)
        if sweep.tasks and sweep.tasks[0].timeseries_every:
            self.series.mkdir(exist_ok=True)
        for folder in (self.parts, self.series):
            for stale in folder.glob(".*.tmp") if folder.exists() else ():
                stale.unlink(missing_ok=True)
        if not self.info_file.exists() or not (self.dir / "spec.toml").is_file():
            write_atomic(self.dir / "spec.toml", lambda p: p.write_text(sweep.text, encoding="utf-8"))
        if not self.info_file.exists() or not _readable(self.dir / "design.parquet"):
            # the design depends on the plan only: a missing or damaged one is rebuilt
            write_atomic(self.dir / "design.parquet", lambda p: sweep.design.to_parquet(p, index=False))
        if not self.info_file.exists():
            info = json.dumps(sweep.info(), indent=2)
            write_atomic(self.info_file, lambda p: p.write_text(info + "\n", encoding="utf-8"))

    # -- state -----------------------------------------------------------------
    def _ids(self, status: str) -> set[str]:
        suffix = f".{status}.parquet"
        return {p.name.removesuffix(suffix) for p in self.parts.glob(f"*{suffix}")
                if not p.name.startswith(".")}

    def finished(self) -> set[str]:
        """Run ids that finished successfully (their ``.ok`` part exists)."""
        return self._ids("ok")

    def failed(self) -> set[str]:
        return self._ids("failed") - self.finished()

    # -- writing ---------------------------------------------------------------
    def write(self, result: dict[str, Any]) -> None:
        """Save one run: its time series first, then its part file (the mark that it is done)."""
        row = result["row"]
        rid, status = row["run_id"], row["status"]
        if result.get("timeseries") is not None:
            frame = result["timeseries"]
            write_atomic(self.series / f"{rid}.parquet", lambda p: frame.to_parquet(p, index=False))
        table = row_table(row)
        write_atomic(self.parts / f"{rid}.{status}.parquet", lambda p: pq.write_table(table, p))
        if status == "ok":
            (self.parts / f"{rid}.failed.parquet").unlink(missing_ok=True)

    def read_runs(self) -> tuple[pd.DataFrame, bool]:
        """The runs recorded so far, writing nothing: ``runs.parquet`` if the sweep finished,
        else the part files of the runs finished so far; and whether it finished.

        A run with both an ``ok`` and a ``failed`` part counts as ok; an unreadable part (being
        written, or damaged) is skipped here and left for the sweep to redo.
        """
        schema = runs_schema()
        ints = {pa.int64(): pd.Int64Dtype()}.get
        if _readable(self.runs_file):
            return pq.read_table(self.runs_file).to_pandas(types_mapper=ints), True
        tables = []
        for part in sorted(self.parts.glob("*.parquet")) if self.parts.is_dir() else ():
            if part.name.startswith("."):
                continue
            try:
                tables.append(pq.read_table(part).cast(schema))
            except (OSError, pa.ArrowException, ValueError):
                continue
        if not tables:
            return pd.DataFrame({name: pd.Series(dtype=object) for name in schema.names}), False
        frame = pa.concat_tables(tables).to_pandas(types_mapper=ints)
        frame = frame.sort_values("status", key=lambda s: s != "ok", kind="stable")
        return frame.drop_duplicates("run_id").sort_index().reset_index(drop=True), False

    def consolidate(self, sweep: Sweep) -> pd.DataFrame:
        """Write ``runs.parquet`` from the part files: one row per planned run, in plan order.

        Reads the parts from disk rather than keeping results in memory, so a sweep of any
        size needs no more memory than its plan. A run with both an ``ok`` and an older
        ``failed`` part (killed between the two) counts as ok.
        """
        import pyarrow.dataset as ds

        schema = runs_schema()
        # Hidden temporary files (".name.tmp") are skipped by the dataset reader.
        try:
            table = ds.dataset(self.parts, format="parquet", schema=schema).to_table()
        except (OSError, pa.ArrowException):
            damaged = [p for p in self.parts.glob("*.parquet")
                       if not p.name.startswith(".") and not _readable(p)]
            for part in damaged:  # a damaged part is no result: its run is redone on the next rerun
                part.unlink(missing_ok=True)
            raise SweepError(f"{len(damaged)} part file(s) in {self.parts} were damaged (e.g. "
                             f"{damaged[0].name if damaged else '?'}) and were removed; rerun the same "
                             "command to redo those runs") from None
        frame = table.to_pandas(types_mapper={pa.int64(): pd.Int64Dtype()}.get)
        frame = frame.sort_values("status", key=lambda s: s != "ok", kind="stable")
        frame = frame.drop_duplicates("run_id").set_index("run_id")
        order = [t.run_id for t in sweep.tasks]
        missing = [rid for rid in order if rid not in frame.index]
        if missing:
            raise SweepError(f"run {missing[0]} has no part file in {self.parts} ({len(missing)} missing); "
                             "rerun the sweep")
        runs = frame.loc[order].reset_index()
        table = pa.Table.from_pandas(runs, schema=schema, preserve_index=False)
        write_atomic(self.runs_file, lambda p: pq.write_table(table, p))
        return table.to_pandas()
