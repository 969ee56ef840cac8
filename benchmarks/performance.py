"""Speed and memory of the model at army scale, against the plain-Mesa reference.

    uv run python benchmarks/performance.py            # everything (about 6 minutes)
    uv run python benchmarks/performance.py --quick    # smaller sizes, fewer repeats

Reports, with the machine described:
- soldier-steps per second (soldiers at the start x days / seconds of stepping, data
  collection included) of the model at 10k, 100k, 600k and 1M soldiers, and of the
  reference (`model/reference.py`) at 10k and 100k, medians over repeats,
  each measurement in a fresh process; set-up time and peak memory (RSS) of each;
- the model / reference ratio at the sizes both ran, from this same run;
- the `army_scale` scenario (about 600,000 soldiers) for 365 days, end to end through
  `morale run` (start-up, set-up, the year, writing the outputs): wall time and peak RSS;
- where a step's time goes at 600k soldiers, phase by phase.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
UNIT_SIZE = 100


def worker(kind: str, soldiers: int, days: int) -> None:
    """Runs in its own process: build, step, print timings and peak RSS as JSON."""
    n_units = soldiers // UNIT_SIZE
    from model.model import MoraleModel  # imports before the clock starts
    from model.reference import ReferenceModel

    start = time.perf_counter()
    if kind == "model":
        model = MoraleModel(rng=1, n_units=n_units, unit_size=UNIT_SIZE)
    else:
        model = ReferenceModel(rng=1, n_units=n_units, unit_size=UNIT_SIZE)
    built = time.perf_counter()
    for _ in range(days):
        model.step()
    done = time.perf_counter()
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(json.dumps({"setup": built - start, "run": done - built, "peak_mb": peak_mb}))


def measure(kind: str, soldiers: int, days: int, repeats: int) -> dict:
    runs = []
    for _ in range(repeats):
        out = subprocess.run(
            [sys.executable, __file__, "--worker", kind, str(soldiers), str(days)],
            capture_output=True, text=True, check=True,
        )
        runs.append(json.loads(out.stdout.strip().splitlines()[-1]))
    rates = [soldiers * days / r["run"] for r in runs]
    return {
        "kind": kind, "soldiers": soldiers, "days": days, "repeats": repeats,
        "rate": statistics.median(rates), "rates": rates,
        "setup": statistics.median(r["setup"] for r in runs),
        "peak_mb": max(r["peak_mb"] for r in runs),
    }


def army_scale_worker(days: int) -> None:
    """Runs in its own process, so that its children's peak RSS is the run's alone."""
    out_dir = Path(tempfile.mkdtemp()) / "army_scale"
    command = [str(Path(sys.executable).parent / "morale"), "run", "army_scale", "--quiet",
               "--out", str(out_dir)]
    if days:
        command += ["--days", str(days)]
    start = time.perf_counter()
    subprocess.run(command, check=True)
    wall = time.perf_counter() - start
    peak_mb = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
    summary = json.loads((out_dir / "summary.json").read_text())
    shutil.rmtree(out_dir.parent, ignore_errors=True)
    print(json.dumps({"wall": wall, "peak_mb": peak_mb, "days": summary["days"],
                      "soldiers_ever": summary["final"]["soldiers_ever"]}))


def army_scale(days: int | None) -> dict:
    out = subprocess.run([sys.executable, __file__, "--army-scale-worker", str(days or 0)],
                         capture_output=True, text=True, check=True)
    return json.loads(out.stdout.strip().splitlines()[-1])


def phases(soldiers: int, days: int) -> list[tuple[str, float]]:
    """Milliseconds per day spent in each phase of `MoraleModel.step`."""
    from collections import defaultdict

    from model.model import MoraleModel

    model = MoraleModel(rng=1, n_units=soldiers // UNIT_SIZE, unit_size=UNIT_SIZE)
    model.run(3)
    spent: dict[str, float] = defaultdict(float)
    names = ["rotate_units", "_refresh_unit_state", "deliver_supplies", "fight",
             "live_through_the_day", "decide", "enforce", "heal_wounded", "replace_officers",
             "reinforce", "_mark_service", "_collect"]
    for name in names:
        original = getattr(model, name)

        def timed(*args, _original=original, _name=name, **kwargs):
            start = time.perf_counter()
            result = _original(*args, **kwargs)
            spent[_name] += time.perf_counter() - start
            return result

        setattr(model, name, timed)
    start = time.perf_counter()
    model.run(days)
    total = time.perf_counter() - start
    rows = [(name, spent[name] / days * 1000) for name in names]
    return [*rows, ("step, total", total / days * 1000)]


def describe_machine() -> str:
    import numpy

    cpu = next((line.split(":", 1)[1].strip() for line in Path("/proc/cpuinfo").read_text().splitlines()
                if line.startswith("model name")), platform.processor())
    memory = next((int(line.split()[1]) // 1024**2 for line in Path("/proc/meminfo").read_text().splitlines()
                   if line.startswith("MemTotal")), 0)
    return (f"{os.cpu_count()} cores ({cpu}), {memory} GiB; Python {platform.python_version()}, "
            f"numpy {numpy.__version__}; load average {os.getloadavg()[0]:.2f} at start")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--worker", nargs=3, metavar=("KIND", "SOLDIERS", "DAYS"), help=argparse.SUPPRESS)
    parser.add_argument("--quick", action="store_true", help="smaller sizes and fewer repeats")
    parser.add_argument("--skip-army-scale", action="store_true")
    parser.add_argument("--army-scale-only", action="store_true", help="only the army_scale year")
    parser.add_argument("--army-scale-worker", type=int, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.army_scale_worker is not None:
        army_scale_worker(args.army_scale_worker)
        return
    if args.army_scale_only:
        print(f"machine: {describe_machine()}")
        scale = army_scale(None)
        print(f"army_scale end to end (`morale run army_scale`): {scale['days']} days, "
              f"{scale['soldiers_ever']:,} soldiers ever assigned: {scale['wall']:.1f} s wall, "
              f"peak {scale['peak_mb']:.0f} MB; load average after {os.getloadavg()[0]:.2f}")
        return
    if args.worker:
        kind, soldiers, days = args.worker
        worker(kind, int(soldiers), int(days))
        return

    print(f"machine: {describe_machine()}")
    plan = [("model", 10_000, 60, 3), ("model", 100_000, 20, 3), ("model", 600_000, 10, 3),
            ("model", 1_000_000, 10, 3), ("reference", 10_000, 10, 3), ("reference", 100_000, 3, 3)]
    if args.quick:
        plan = [("model", 10_000, 30, 2), ("model", 100_000, 10, 2),
                ("reference", 10_000, 5, 2), ("reference", 100_000, 2, 1)]
    results = []
    print(f"\n{'implementation':<15}{'soldiers':>10}{'days':>6}{'soldier-steps/s':>17}"
          f"{'set-up s':>10}{'peak MB':>9}  runs (M/s)")
    for kind, soldiers, days, repeats in plan:
        r = measure(kind, soldiers, days, repeats)
        results.append(r)
        print(f"{kind:<15}{soldiers:>10,}{days:>6}{r['rate'] / 1e6:>15.2f} M{r['setup']:>10.2f}"
              f"{r['peak_mb']:>9.0f}  " + ", ".join(f"{x / 1e6:.2f}" for x in r["rates"]))

    print("\nmodel / reference, same run:")
    for ref in (r for r in results if r["kind"] == "reference"):
        model = next((r for r in results if r["kind"] == "model" and r["soldiers"] == ref["soldiers"]), None)
        if model:
            print(f"  at {ref['soldiers']:,} soldiers: {model['rate'] / ref['rate']:.0f}x")

    models = [r for r in results if r["kind"] == "model"]
    print("\nmodel cost per soldier-step (linear scaling keeps it flat):")
    for r in models:
        print(f"  {r['soldiers']:>10,}: {1e9 / r['rate']:.0f} ns")

    if not args.skip_army_scale:
        scale = army_scale(30 if args.quick else None)
        print(f"\narmy_scale end to end (`morale run army_scale`): {scale['days']} days, "
              f"{scale['soldiers_ever']:,} soldiers ever assigned: {scale['wall']:.1f} s wall, "
              f"peak {scale['peak_mb']:.0f} MB")

    size = 100_000 if args.quick else 600_000
    print(f"\nwhere a day's time goes at {size:,} soldiers (ms per day):")
    for name, ms in phases(size, 10):
        print(f"  {name:<24}{ms:7.1f}")
    print(f"\nload average at the end: {os.getloadavg()[0]:.2f}")


if __name__ == "__main__":
    main()
