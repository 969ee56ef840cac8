"""The report of a finished sweep: means and 95% intervals, plots, sensitivity indices.

``write_report(DIR)`` reads ``DIR/runs.parquet``, ``DIR/design.parquet`` and
``DIR/sweep.json`` (all written by ``experiments.sweeps``) and writes ``DIR/report/``:

- ``summary.csv``: one row per parameter combination (design point): the varied
  values, runs ok and failed, and for each metric the mean over seeds, the
  standard deviation and the 95% confidence interval of the mean (Student's t
  with n - 1 degrees of freedom for shares and levels; a bootstrap of the seeds
  for counts, such as the largest cascade, whose interval never goes below zero;
  empty with a single seed);
- PNG plots per metric: lines with a 95% band for one varied parameter, a
  heatmap for a grid over two, one panel per parameter otherwise;
- for ``sobol`` and ``morris`` designs, ``sensitivity.csv`` (SALib's indices,
  each sample's outcome averaged over its seeds) and a bar chart per metric;
- ``report.md``, the same tables in Markdown with links to the plots.
"""

from __future__ import annotations

import json
import os
import shutil
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
from matplotlib.figure import Figure

from experiments.stats import bootstrap_interval, interval
from experiments.sweeps import OUTCOMES
from model.parameters import did_you_mean

DEFAULT_METRICS = ("desertion_rate", "desertion_rate_frontline", "largest_cascade", "combat_effectiveness")
MAX_MARKDOWN_ROWS = 60


class ReportError(ValueError):
    """A folder that holds no finished sweep, or a metric that does not exist; one line."""


@dataclass
class SweepResults:
    """A finished sweep read back from its folder."""

    dir: Path
    info: dict[str, Any]
    runs: pd.DataFrame
    design: pd.DataFrame

    @property
    def varied(self) -> list[str]:
        return [v["name"] for v in self.info["varied"]]


@dataclass
class Report:
    """What was written, for the command line to show."""

    dir: Path
    summary: pd.DataFrame
    sensitivity: pd.DataFrame | None
    files: list[Path] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)


INFO_KEYS = ("name", "description", "scenario", "design", "seeds", "days", "varied", "design_points")


def _damaged(path: Path, what: str, out_dir: Path) -> ReportError:
    """One line: which file is damaged, how, and how to recover (the sweep rebuilds it)."""
    return ReportError(f"{path} is damaged ({what}); rebuild it by rerunning the sweep into this folder "
                       f"(`morale sweep {out_dir}/spec.toml --out {out_dir}`, or the original command): "
                       "finished runs are kept")


def _read_parquet(path: Path, out_dir: Path, columns: list[str]) -> pd.DataFrame:
    if not path.is_file():
        raise ReportError(f"{path} is missing; rebuild it by rerunning the sweep into this folder "
                          f"(`morale sweep {out_dir}/spec.toml --out {out_dir}`, or the original "
                          "command): finished runs are kept")
    try:
        frame = pd.read_parquet(path)
    except Exception as exc:  # pyarrow's errors for an empty, truncated or foreign file
        raise _damaged(path, f"not a readable parquet table: {' '.join(str(exc).split())[:120]}",
                       out_dir) from None
    lacking = [c for c in columns if c not in frame.columns]
    if lacking:
        raise _damaged(path, f"no column {', '.join(repr(c) for c in lacking[:3])}", out_dir)
    return frame


def _info_advice(out_dir: Path) -> str:
    """How to recover from a damaged sweep.json: the sweep rewrites it in a folder marked as its own."""
    from experiments.sweeps.store import MANIFEST

    if (out_dir / MANIFEST).exists():
        return (f"delete it and rerun the sweep into this folder (`morale sweep {out_dir}/spec.toml --out "
                f"{out_dir}`, or the original command): finished runs are kept")
    return f"rerun the sweep into a new folder (`morale sweep {out_dir}/spec.toml --out NEW_FOLDER`)"


def load_results(out_dir: Path, metrics: list[str] | None = None) -> SweepResults:
    """Read a finished sweep; raise ReportError, naming the file and how to recover, if it has not
    finished or a file is damaged."""
    out_dir = Path(out_dir)
    if not out_dir.is_dir():
        raise ReportError(f"{out_dir} is not a folder; give the output folder of a `morale sweep`")
    info_file = out_dir / "sweep.json"
    if not info_file.is_file():
        raise ReportError(f"{out_dir} holds no sweep (no sweep.json); run "
                          f"`morale sweep SPEC --out {out_dir}` first")
    if not (out_dir / "runs.parquet").is_file():
        raise ReportError(f"the sweep in {out_dir} has not finished (no runs.parquet); rerun the same "
                          "`morale sweep` command to complete it")
    try:
        info = json.loads(info_file.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise ReportError(f"{info_file} is damaged ({type(exc).__name__}); {_info_advice(out_dir)}") from None
    lacking = [k for k in INFO_KEYS if not isinstance(info, dict) or k not in info]
    if not lacking and not (isinstance(info["varied"], list) and all(
            isinstance(v, dict) and isinstance(v.get("name"), str) for v in info["varied"])
            and isinstance(info["seeds"], list)):
        lacking = ["varied" if not isinstance(info["varied"], list) else "seeds"]
    if lacking:
        raise ReportError(f"{info_file} is damaged (no valid {lacking[0]!r}); {_info_advice(out_dir)}")
    varied = [v["name"] for v in info["varied"]]
    runs = _read_parquet(out_dir / "runs.parquet", out_dir,
                         ["run_id", "status", *varied, *(metrics or [])])
    design = _read_parquet(out_dir / "design.parquet", out_dir, ["sample", "seed", "run_id", *varied])
    if runs["run_id"].duplicated().any():
        raise _damaged(out_dir / "runs.parquet", "a run appears twice", out_dir)
    absent = set(design["run_id"]) - set(runs["run_id"])
    if absent:
        raise _damaged(out_dir / "runs.parquet", f"{len(absent)} planned runs are missing", out_dir)
    return SweepResults(out_dir, info, runs, design)


def check_metrics(metrics: list[str] | None) -> list[str]:
    """The metrics to report; unknown names raise ReportError with a hint."""
    chosen = list(metrics) if metrics else list(DEFAULT_METRICS)
    for name in chosen:
        if name not in OUTCOMES:
            raise ReportError(f"unknown metric '{name}'{did_you_mean(name, OUTCOMES)}; "
                              f"metrics: {', '.join(OUTCOMES)}")
    return chosen


def per_sample(results: SweepResults) -> pd.DataFrame:
    """Every (design point, seed) with the run's status, varied values and outcomes."""
    cols = ["run_id", "status", *results.varied, *OUTCOMES]
    return results.design[["sample", "seed", "run_id"]].merge(
        results.runs[cols], on="run_id", how="left", validate="many_to_one"
    )


def metric_interval(metric: str, values: np.ndarray) -> tuple[float, float, float, float]:
    """Mean, sd and 95% interval of the mean: a bootstrap for counts (never below zero), t otherwise."""
    if OUTCOMES[metric][0] == "int":
        return bootstrap_interval(values)
    return interval(values)


def summarise(results: SweepResults, metrics: list[str]) -> pd.DataFrame:
    """One row per design point: varied values, runs ok/failed, mean/sd/95% CI per metric."""
    rows = []
    for sample, group in per_sample(results).groupby("sample", sort=True):
        ok = group[group["status"] == "ok"]
        row: dict[str, Any] = {"sample": sample}
        row.update({name: group[name].iloc[0] for name in results.varied})
        row["runs_ok"], row["runs_failed"] = len(ok), len(group) - len(ok)
        for metric in metrics:
            mean, sd, low, high = metric_interval(metric, ok[metric].to_numpy(dtype=float))
            row.update({f"{metric}_mean": mean, f"{metric}_sd": sd,
                        f"{metric}_ci95_low": low, f"{metric}_ci95_high": high})
        rows.append(row)
    return pd.DataFrame(rows)


# --------------------------------------------------------------------------- #
# Sensitivity (SALib)
# --------------------------------------------------------------------------- #


def _problem(info: dict[str, Any]) -> dict[str, Any]:
    names = [v["name"] for v in info["varied"]]
    return {"num_vars": len(names), "names": names,
            "bounds": [[v["min"], v["max"]] for v in info["varied"]]}


def sensitivity(results: SweepResults, metrics: list[str]) -> tuple[pd.DataFrame | None, list[str]]:
    """SALib indices per metric for a sobol or morris design (seeds averaged per sample)."""
    design = results.info["design"]
    if design not in ("sobol", "morris"):
        return None, []
    notes: list[str] = []
    rows = per_sample(results)
    problem = _problem(results.info)
    frames = []
    for metric in metrics:
        ok = rows[rows["status"] == "ok"]
        y = ok.groupby("sample")[metric].mean().reindex(range(results.info["design_points"]))
        if y.isna().any():
            notes.append(f"{metric}: no sensitivity indices, {int(y.isna().sum())} design points have "
                         "no successful run (or the metric is empty); rerun the sweep to retry failures")
            continue
        y = y.to_numpy(dtype=float)
        if np.ptp(y) == 0:
            notes.append(f"{metric}: no sensitivity indices, it is the same ({y[0]:g}) at every design "
                         "point")
            continue
        if design == "sobol":
            from SALib.analyze import sobol

            found = sobol.analyze(problem, y, calc_second_order=results.info["second_order"], seed=0)
            frame = pd.DataFrame({"parameter": problem["names"], "S1": found["S1"],
                                  "S1_conf": found["S1_conf"], "ST": found["ST"],
                                  "ST_conf": found["ST_conf"]})
        else:
            from SALib.analyze import morris

            first_seed = results.design.drop_duplicates("sample").sort_values("sample")
            x = first_seed[problem["names"]].to_numpy(dtype=float)
            found = morris.analyze(problem, x, y, num_levels=results.info["levels"], seed=0)
            frame = pd.DataFrame({"parameter": problem["names"], "mu": found["mu"],
                                  "mu_star": found["mu_star"], "mu_star_conf": found["mu_star_conf"],
                                  "sigma": found["sigma"]})
        frame.insert(0, "metric", metric)
        frames.append(frame)
    return (pd.concat(frames, ignore_index=True) if frames else None), notes


# --------------------------------------------------------------------------- #
# Plots (matplotlib's object API: no display, no global state)
# --------------------------------------------------------------------------- #


def _figure(width: float = 6.4, height: float = 4.2) -> Figure:
    return Figure(figsize=(width, height), dpi=110, layout="constrained")


def _label(metric: str) -> str:
    return metric.replace("_", " ")


def plot_lines(summary: pd.DataFrame, x: str, metric: str) -> Figure:
    """Mean over seeds against one varied parameter, with its 95% interval as a band."""
    data = summary.sort_values(x)
    fig = _figure()
    ax = fig.add_subplot()
    ax.plot(data[x], data[f"{metric}_mean"], marker="o", color="tab:red")
    ax.fill_between(data[x], data[f"{metric}_ci95_low"], data[f"{metric}_ci95_high"],
                    color="tab:red", alpha=0.2, label="95% interval of the mean")
    ax.set_xlabel(x)
    ax.set_ylabel(_label(metric))
    ax.set_title(f"{_label(metric)} against {x}")
    ax.legend(loc="best")
    return fig


def plot_heatmap(summary: pd.DataFrame, x: str, y: str, metric: str) -> Figure:
    """Mean over seeds for every combination of two grid parameters."""
    grid = summary.pivot_table(index=y, columns=x, values=f"{metric}_mean", aggfunc="mean")
    fig = _figure(6.8, 5.0)
    ax = fig.add_subplot()
    image = ax.imshow(grid.to_numpy(), origin="lower", aspect="auto", cmap="magma_r")
    ax.set_xticks(range(grid.shape[1]), [f"{v:g}" for v in grid.columns])
    ax.set_yticks(range(grid.shape[0]), [f"{v:g}" for v in grid.index])
    ax.set_xlabel(x)
    ax.set_ylabel(y)
    ax.set_title(f"{_label(metric)} (mean over seeds)")
    values = grid.to_numpy()
    finite = values[np.isfinite(values)]
    middle = (finite.min() + finite.max()) / 2 if finite.size else 0.0
    if values.size <= 150:
        for (i, j), value in np.ndenumerate(values):
            if np.isfinite(value):
                ax.text(j, i, f"{value:.3g}", ha="center", va="center", fontsize=8,
                        color="white" if value > middle else "black")
    fig.colorbar(image, ax=ax, label=_label(metric))
    return fig


def plot_panels(results: SweepResults, summary: pd.DataFrame, metric: str) -> Figure:
    """One panel per varied parameter: main effect (grid) or each design point (sampled)."""
    varied = results.varied
    fig = _figure(min(4.0 * len(varied), 16), 3.6)
    axes = fig.subplots(1, len(varied), sharey=True, squeeze=False)[0]
    rows = per_sample(results)
    ok = rows[rows["status"] == "ok"]
    for ax, name in zip(axes, varied, strict=True):
        if results.info["design"] == "grid":
            stats = [(level, *metric_interval(metric, group[metric].to_numpy(dtype=float)))
                     for level, group in ok.groupby(name, sort=True)]
            xs, means = [s[0] for s in stats], [s[1] for s in stats]
            ax.plot(xs, means, marker="o", color="tab:red")
            ax.fill_between(xs, [s[3] for s in stats], [s[4] for s in stats], color="tab:red", alpha=0.2)
        else:
            ax.scatter(summary[name], summary[f"{metric}_mean"], s=8, alpha=0.6, color="tab:red")
        ax.set_xlabel(name)
    axes[0].set_ylabel(_label(metric))
    fig.suptitle(f"{_label(metric)}: mean over seeds" + (
        " and other parameters, with 95% interval" if results.info["design"] == "grid" else
        " at each design point"))
    return fig


def plot_sensitivity(frame: pd.DataFrame, design: str, metric: str) -> Figure:
    """Bar chart of the indices of one metric, with their confidence intervals."""
    fig = _figure()
    ax = fig.add_subplot()
    names = frame["parameter"].tolist()
    pos = np.arange(len(names))
    if design == "sobol":
        ax.bar(pos - 0.2, frame["S1"], 0.4, yerr=frame["S1_conf"], label="first order S1", capsize=3)
        ax.bar(pos + 0.2, frame["ST"], 0.4, yerr=frame["ST_conf"], label="total order ST", capsize=3)
        ax.set_ylabel("Sobol index")
        ax.legend(loc="best")
    else:
        ax.bar(pos, frame["mu_star"], 0.6, yerr=frame["mu_star_conf"], capsize=3, color="tab:purple")
        ax.set_ylabel("Morris mu* (mean |elementary effect|)")
    ax.set_xticks(pos, names, rotation=30, ha="right")
    ax.set_title(f"Sensitivity of {_label(metric)}")
    return fig


# --------------------------------------------------------------------------- #
# The whole report
# --------------------------------------------------------------------------- #


def _markdown(frame: pd.DataFrame, digits: int = 4) -> str:
    cols = list(frame.columns)
    lines = ["| " + " | ".join(cols) + " |", "|" + "---|" * len(cols)]
    for _, row in frame.iterrows():
        cells = [f"{v:.{digits}g}" if isinstance(v, float) else str(v) for v in row]
        lines.append("| " + " | ".join(cells) + " |")
    return "\n".join(lines)


def check_report_folder(out_dir: Path) -> Path:
    """The report folder, ``DIR/report``: refuse a file there, or a folder that cannot be written."""
    from model.outputs import OutputError, check_writable

    target = Path(out_dir) / "report"
    if target.exists() and not target.is_dir():
        raise ReportError(f"{target} is a file, not a folder; move it away (the report is written "
                          "there) and rerun `morale report`")
    try:
        check_writable(target, option="report folder")
    except OutputError as exc:
        raise ReportError(str(exc)) from None
    return target


def write_report(out_dir: Path, metrics: list[str] | None = None) -> Report:
    """Write ``DIR/report/`` (see the module docstring) and return what was written.

    The files are written into a hidden sibling folder, which replaces ``report/`` only when
    every file is complete: a failure leaves the earlier report (or none), never half of one.
    """
    chosen = check_metrics(metrics)
    results = load_results(out_dir, chosen)
    target = check_report_folder(out_dir)
    staging = target.parent / f".report.partial-{os.getpid()}"
    retired = target.parent / f".report.old-{os.getpid()}"
    shutil.rmtree(staging, ignore_errors=True)
    staging.mkdir()
    try:
        report = _write_files(results, chosen, staging)
        if target.exists():
            os.rename(target, retired)
        os.rename(staging, target)
    finally:
        shutil.rmtree(staging, ignore_errors=True)
        shutil.rmtree(retired, ignore_errors=True)
    report.dir = target
    report.files = [target / p.name for p in report.files]
    return report


def _write_files(results: SweepResults, chosen: list[str], target: Path) -> Report:
    summary = summarise(results, chosen)
    report = Report(target, summary, None)

    def save(name: str, write) -> None:
        path = target / name
        write(path)
        report.files.append(path)

    save("summary.csv", lambda p: summary.to_csv(p, index=False))
    varied, design = results.varied, results.info["design"]
    for metric in chosen:
        name = f"{metric}.png"
        if len(varied) == 1:
            figure = plot_lines(summary, varied[0], metric)
        elif len(varied) == 2 and design == "grid":
            figure = plot_heatmap(summary, varied[0], varied[1], metric)
        else:
            figure = plot_panels(results, summary, metric)
        save(name, lambda p, f=figure: f.savefig(p, format="png"))

    indices, notes = sensitivity(results, chosen)
    report.sensitivity, report.notes = indices, notes
    if indices is not None:
        save("sensitivity.csv", lambda p: indices.to_csv(p, index=False))
        for metric, frame in indices.groupby("metric", sort=False):
            figure = plot_sensitivity(frame, design, metric)
            save(f"sensitivity_{metric}.png", lambda p, f=figure: f.savefig(p, format="png"))

    failed = int((results.runs["status"] != "ok").sum())
    if failed:
        report.notes.append(f"{failed} of {len(results.runs)} runs failed and are left out of the means")
    text = _report_markdown(results, summary, chosen, indices, report)
    save("report.md", lambda p: p.write_text(text, encoding="utf-8"))
    return report


def _report_markdown(results: SweepResults, summary: pd.DataFrame, metrics: list[str],
                     indices: pd.DataFrame | None, report: Report) -> str:
    info = results.info
    lines = [
        f"# Sweep report: {info['name']}",
        "",
        info["description"],
        "",
        f"Design `{info['design']}` over {', '.join(f'`{v}`' for v in results.varied)}; base scenario "
        f"`{info['scenario']}`; {info['design_points']} design points x {len(info['seeds'])} seeds; "
        f"{info['days']} days; {len(results.runs)} runs.",
        "",
        "Means are over seeds; the 95% interval is the t confidence interval of the mean (for counts, "
        "such as the largest cascade, a bootstrap of the seeds, which never goes below zero).",
        "",
    ]
    for note in report.notes:
        lines.append(f"- note: {note}")
    cols = ["sample", *results.varied, "runs_ok"]
    for metric in metrics:
        cols += [f"{metric}_mean", f"{metric}_ci95_low", f"{metric}_ci95_high"]
    lines += ["", "## Per design point", ""]
    if len(summary) <= MAX_MARKDOWN_ROWS:
        lines.append(_markdown(summary[cols]))
    else:
        lines.append(f"{len(summary)} design points: see `summary.csv`.")
    if indices is not None:
        lines += ["", f"## Sensitivity ({info['design']}, SALib)", "", _markdown(indices)]
    lines += ["", "## Plots", ""]
    lines += [f"![{p.stem}]({p.name})" for p in report.files if p.suffix == ".png"]
    return "\n".join(lines) + "\n"
