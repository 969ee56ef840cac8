"""Throughput of the `penalty_vs_conditions` sweep: runs per minute, whole command timed.

Usage (from the repository root)::

    uv run python benchmarks/sweep_throughput.py

Measures, one after the other in one session, each as a separate process timed
from start to exit (interpreter start, planning, worker start-up and writing
included):

- ``morale sweep penalty_vs_conditions --workers 1`` (runs in the command's own process)
- ``morale sweep penalty_vs_conditions --workers 2`` (two local worker processes)
- ``morale sweep penalty_vs_conditions --dask local --workers 2`` (a Dask LocalCluster)
- the same 100 runs (5 x 5 grid x 4 seeds, 180 days) through ``mesa.batch_run`` with
  ``number_processes=1`` and ``2`` (results kept in memory, nothing written)

``uptime`` is printed before and after: other work on the machine slows every figure.
"""

from __future__ import annotations

import subprocess
import sys
import tempfile
import time
from pathlib import Path

SPEC = "penalty_vs_conditions"


def batch_run(processes: int) -> int:
    """The sweep's design through mesa.batch_run; returns the number of runs."""
    import mesa

    from experiments.sweeps import load
    from model.model import MoraleModel

    plan = load(SPEC)
    values = {d.name: list(d.values) for d in plan.dimensions}
    rows = mesa.batch_run(MoraleModel, parameters=values, rng=list(plan.seeds), max_steps=plan.days,
                          number_processes=processes, data_collection_period=-1, display_progress=False)
    return len(rows)


def timed(command: list[str]) -> float:
    start = time.perf_counter()
    subprocess.run(command, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    return time.perf_counter() - start


def main() -> None:
    from experiments.sweeps import load

    runs = len(load(SPEC).tasks)
    morale = str(Path(sys.executable).parent / "morale")
    here = str(Path(__file__).resolve())
    print("before:", subprocess.run(["uptime"], capture_output=True, text=True).stdout.strip())
    rows = []
    with tempfile.TemporaryDirectory() as tmp:
        cases = [
            ("morale sweep, 1 worker", [morale, "sweep", SPEC, "--workers", "1", "--quiet",
                                        "--out", f"{tmp}/w1"]),
            ("morale sweep, 2 worker processes", [morale, "sweep", SPEC, "--workers", "2", "--quiet",
                                                  "--out", f"{tmp}/w2"]),
            ("morale sweep, Dask LocalCluster of 2", [morale, "sweep", SPEC, "--dask", "local",
                                                      "--workers", "2", "--quiet", "--out", f"{tmp}/dask"]),
            ("mesa.batch_run, 1 process", [sys.executable, here, "batch_run", "1"]),
            ("mesa.batch_run, 2 processes", [sys.executable, here, "batch_run", "2"]),
        ]
        for label, command in cases:
            seconds = timed(command)
            rows.append((label, seconds))
            print(f"{label}: {runs} runs in {seconds:.1f} s = {runs / seconds * 60:.0f} runs/min", flush=True)
    print("after:", subprocess.run(["uptime"], capture_output=True, text=True).stdout.strip())
    print()
    print("| how | runs | wall time (s) | runs/min |")
    print("|---|---|---|---|")
    for label, seconds in rows:
        print(f"| {label} | {runs} | {seconds:.1f} | {runs / seconds * 60:.0f} |")


if __name__ == "__main__":
    if sys.argv[1:2] == ["batch_run"]:
        batch_run(int(sys.argv[2]))
    else:
        main()
