"""Evaluate a candidate set of defaults on chosen facts (the calibration study of docs/validation.md).

    uv run python docs/calibration/study.py '{"deployment_dread": 1.0, "threshold_mean": 0.97}' 1,4,7 10

The candidate's values replace the defaults in every model the facts build (patched
in-process, in forked worker processes; nothing in the repository changes); the facts are
judged exactly as `morale facts` judges them. Each evaluation is printed and appended to
`log.txt` next to this file: HOLDS (the 95% intervals meet the criterion), means-ok (only
the means do) or FAILS.
"""

from __future__ import annotations

import json
import multiprocessing as mp
import sys
import time
from pathlib import Path

LOG = Path(__file__).resolve().parent / "log.txt"
CANDIDATE: dict = {}


def _init(candidate: dict) -> None:
    global CANDIDATE
    CANDIDATE = candidate
    import experiments.runs as runs
    import model.model as model_module
    from model import parameters

    original = parameters.validate

    def patched(values, source=""):
        return original({**CANDIDATE, **values}, source)

    model_module.validate = patched
    runs.forget_runs()


def _task(args):
    name, seed = args
    import experiments.facts as facts

    return name, seed, facts.measure(name, seed)


def evaluate(candidate: dict, names: list[str], seeds, workers: int = 2) -> dict:
    import experiments.facts as facts

    tasks = [(name, seed) for seed in seeds for name in names]
    with mp.get_context("fork").Pool(workers, initializer=_init, initargs=(candidate,)) as pool:
        results = {(name, seed): r for name, seed, r in pool.imap_unordered(_task, tasks)}
    return {name: facts.FACTS[name].judge([results[(name, seed)] for seed in seeds]) for name in names}


def main() -> None:
    candidate = json.loads(sys.argv[1])
    names = sys.argv[2].split(",")
    n_seeds = int(sys.argv[3]) if len(sys.argv) > 3 else 4
    start = time.time()
    verdicts = evaluate(candidate, names, range(n_seeds))
    lines = [f"CAND {json.dumps(candidate)} seeds={n_seeds} ({time.time() - start:.0f}s)"]
    for name, v in verdicts.items():
        verdict = "HOLDS" if v.holds else ("means-ok" if v.holds_on_means else "FAILS")
        lines.append(f"  fact {name}: {verdict} | {v.figure}")
        if name == "4":
            lines.append("     share: " + " ".join(f"{100 * x:.0f}" for x in v.details["share"]))
            lines.append("     rate:  " + " ".join(f"{100 * x:.1f}" for x in v.details["rate"]))
    text = "\n".join(lines)
    print(text)
    with LOG.open("a") as log:
        log.write(text + "\n")


if __name__ == "__main__":
    main()
