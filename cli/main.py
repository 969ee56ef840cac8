"""The `morale` command line."""

from __future__ import annotations

import json
import os
import sys
import tempfile
import time
import traceback
from contextlib import contextmanager
from pathlib import Path
from typing import Annotated

import typer
from typer.core import TyperGroup

from dashboards.server import HOST, PORT
from model.events import check_days
from model.parameters import ParameterError, markdown_table, parse_assignment, specs, validate
from model.scenarios import MAX_DAYS, ScenarioError, available, load_file, resolve

try:  # typer >= 0.25 carries its own copy of click
    from typer._click.exceptions import ClickException, NoArgsIsHelpError, UsageError
except ImportError:  # pragma: no cover - older typer uses click itself
    from click.exceptions import ClickException, NoArgsIsHelpError, UsageError

USAGE_ERROR = 2  # bad input: a value, a path, a damaged folder, a plan too large, no scheduler
BUG = 1  # an unexpected failure (also: runs that failed, claims or facts that do not hold)

# The errors the project raises for bad input, each with a one-line message (module, class);
# looked up in sys.modules when one is caught, so the command line imports none of them early.
EXPECTED_ERRORS = (
    ("model.parameters", "ParameterError"),
    ("model.scenarios", "ScenarioError"),
    ("model.outputs", "OutputError"),
    ("experiments.sweeps.spec", "SweepError"),
    ("experiments.report", "ReportError"),
    ("experiments.discover", "DiscoverError"),
    ("experiments.lessons", "LessonError"),
    ("experiments.calibration", "CalibrationError"),
    ("dashboards.server", "AddressError"),
)


def one_line(message: str) -> str:
    """A message as one line (a wrapped or multi-line message joined with spaces)."""
    return " ".join(part.strip() for part in str(message).splitlines() if part.strip())


def fail(message: str) -> None:
    """Print one line and exit with the usage-error code; never a traceback."""
    typer.echo(f"error: {one_line(message)}", err=True)
    raise typer.Exit(USAGE_ERROR)


def expected_errors() -> tuple[type[BaseException], ...]:
    return tuple(getattr(sys.modules[module], name) for module, name in EXPECTED_ERRORS
                 if module in sys.modules)


def os_error_message(exc: OSError) -> str:
    """An operating-system error on a path, as one line: what, which path, what would work."""
    where = f" {exc.filename}" if exc.filename else ""
    also = f" -> {exc.filename2}" if getattr(exc, "filename2", None) else ""
    return (f"cannot use{where}{also}: {exc.strerror or type(exc).__name__}; check that the path exists, "
            "is of the right kind (file or folder) and that you may read or write it")


def crash(exc: BaseException) -> None:
    """An unexpected failure: one line naming it and a log file with the traceback; exit 1."""
    text = "".join(traceback.format_exception(exc))
    try:
        handle, log = tempfile.mkstemp(prefix=f"morale-error-{time.strftime('%Y%m%d-%H%M%S')}-",
                                       suffix=".log")
        with os.fdopen(handle, "w", encoding="utf-8") as file:
            file.write(f"morale {' '.join(sys.argv[1:])}\n\n{text}")
        where = f"the traceback is in {log}"
    except OSError:
        where = "no log could be written to the temporary folder"
    summary = one_line(str(exc))[:200] or "(no message)"
    typer.echo(f"error: unexpected {type(exc).__name__}: {summary} (a bug: {where}; please report "
               "it with that file)", err=True)
    raise typer.Exit(BUG)


def reader_gone() -> None:
    """The reader of our output went away (``morale params | head``): stop quietly, as Unix tools do.

    Not a path the user gave, so no message. Further writes to stdout (Python flushes it at exit)
    go to the null device instead of raising again; exit code 1, as click gives when the help
    text meets a closed pipe.
    """
    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
    except (OSError, ValueError):  # no real stdout (an in-process runner): nothing to redirect
        pass
    raise typer.Exit(1)


def boundary(exc: Exception) -> None:
    """Turn any exception that reached the command line into one line and an exit code."""
    if isinstance(exc, BrokenPipeError):
        reader_gone()
    if isinstance(exc, expected_errors()):
        fail(str(exc))
    if isinstance(exc, OSError):
        fail(os_error_message(exc))
    if isinstance(exc, MemoryError):
        fail("out of memory: the plan or the army is too large for this machine; make it smaller")
    crash(exc)


def usage_message(error: UsageError) -> str:
    """One line for a bad command line: the option, the value given and what is allowed.

    Options with a range (``--days``, ``--seed``, ``--port``) say it; click's own message is
    kept for the rest (an unknown option or command, a missing argument).
    """
    context = getattr(error, "ctx", None)
    # the program's name as users type it, whatever the runner calls it
    command = " ".join(["morale", *context.command_path.split()[1:]]) if context is not None else "morale"
    see = f" (see `{command} --help`)"
    param, cause = getattr(error, "param", None), error.__cause__
    errors = cause.errors() if hasattr(cause, "errors") else None
    if param is None or not errors:
        return f"{error.format_message()}{see}"
    name = "/".join(param.opts) if getattr(param, "opts", None) else param.human_readable_name
    given = errors[0].get("input")
    shown = given if isinstance(given, str) and given and given.split() == [given] else repr(given)
    low, high = getattr(param, "min", None), getattr(param, "max", None)
    if low is not None and high is not None:
        allowed = f"give {low} to {high}"
    elif low is not None:
        allowed = f"give a whole number of at least {low}"
    elif high is not None:
        allowed = f"give a whole number of at most {high}"
    elif errors[0].get("type", "").startswith("int_"):
        allowed = "give a whole number"
    else:
        allowed = errors[0]["msg"][0].lower() + errors[0]["msg"][1:]
    return f"{name} {shown} is not allowed: {allowed}"


class OneLineErrors(TyperGroup):
    """Every usage error of a command as one line starting ``error:``, exit code 2."""

    def parse_args(self, ctx, args):
        """The options before the command (``morale --bogus``): one line too."""
        try:
            return super().parse_args(ctx, args)
        except NoArgsIsHelpError:
            raise  # `morale` run bare prints its help
        except UsageError as error:
            fail(usage_message(error))

    def invoke(self, ctx):
        try:
            return super().invoke(ctx)
        except NoArgsIsHelpError:
            raise  # a command run bare prints its help
        except UsageError as error:
            fail(usage_message(error))
        except (typer.Exit, typer.Abort, ClickException):
            raise
        except Exception as exc:  # the error boundary: one line, never a traceback
            boundary(exc)


app = typer.Typer(
    cls=OneLineErrors,
    add_completion=False,
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    help="unit-morale: soldiers' morale, desertion cascades and the morale cycle.",
)


def _show_version(value: bool) -> None:
    if value:
        from model.outputs import package_version

        typer.echo(f"morale {package_version()}")
        raise typer.Exit()


@app.callback()
def _options(
    version: Annotated[
        bool, typer.Option("--version", callback=_show_version, is_eager=True,
                           help="Print the version and exit.")
    ] = False,
) -> None:
    """unit-morale: soldiers' morale, desertion cascades and the morale cycle."""


@app.command()
def run(
    scenario: Annotated[
        str, typer.Argument(help="Preset name (`morale scenarios`) or path of a .toml file.")
    ] = "baseline",
    days: Annotated[
        int | None, typer.Option(min=1, max=MAX_DAYS, help="Days to simulate (default: the scenario's, 180).")
    ] = None,
    seed: Annotated[int, typer.Option(min=0, help="Random seed: same seed, same run.")] = 42,
    set_: Annotated[
        list[str] | None,
        typer.Option("--set", help="Override a parameter: name=value (repeatable)."),
    ] = None,
    out: Annotated[
        str | None, typer.Option(help="Output folder (default: runs/SCENARIO_seedSEED, or _2, _3, ... "
                                  "if it exists).")
    ] = None,
    overwrite: Annotated[
        bool, typer.Option(help="Replace an earlier run in the --out folder.")
    ] = False,
    quiet: Annotated[bool, typer.Option(help="No progress bar or summary.")] = False,
) -> None:
    """Run a scenario headless and write its time series, units, cascades and summary."""
    from model.outputs import check_target, fresh_folder, write_run

    chosen = resolve(scenario)
    overrides = dict(chosen.overrides)
    for name, value in parse_overrides(set_ or []).items():
        overrides[name] = value
    params = validate(overrides, source="--set" if set_ else str(chosen.path), strict=True)
    n_days = days if days is not None else chosen.days
    check_days(chosen.events, n_days, source=str(chosen.path))
    out_dir = fresh_folder(Path("runs") / f"{chosen.name}_seed{seed}") if out is None else checked_out(out)
    check_target(out_dir, overwrite)  # before the run: a path that cannot be written loses nothing

    from model.model import MoraleModel

    try:
        model = MoraleModel(rng=seed, params=params, events=chosen.events)
        if quiet:
            model.run(n_days)
        else:
            from rich.progress import TimeRemainingColumn

            with progress_bar("[progress.description]{task.description}", TimeRemainingColumn()) as bar:
                task = bar.add_task(f"{chosen.name}, seed {seed}: day", total=n_days)
                model.run(n_days, progress=lambda _day: bar.advance(task))
        write_run(out_dir, model, chosen, seed, n_days, overwrite)
    except KeyboardInterrupt:
        typer.echo("interrupted: nothing was written", err=True)
        raise typer.Exit(130) from None

    if not quiet:
        _print_summary(model, chosen.name, seed, n_days, out_dir)


def checked_out(out: str, option: str = "--out") -> Path:
    """The --out path as given; an empty one is an error (it would mean the current folder)."""
    if not out.strip():
        fail(f"{option} {out!r} is not allowed: give the name of a folder")
    if "\0" in out:
        fail(f"{option} {out!r} is not allowed: a path cannot hold a NUL character")
    return Path(out)


def parse_overrides(items: list[str]) -> dict[str, object]:
    """``--set name=value`` options as parameter values (numbers parsed from the text); a name
    given twice is an error."""
    found: dict[str, object] = {}
    texts: dict[str, str] = {}
    for item in items:
        name, value = parse_assignment(item)
        text = item.partition("=")[2].strip()
        if name in found:
            raise ParameterError(f"--set {name} is given twice ({texts[name]} and {text}): give each "
                                 "parameter once")
        found[name], texts[name] = value, text
    return found


@contextmanager
def progress_bar(label: str, *columns, transient: bool = True):
    """A rich progress bar on stderr: ``label``, the bar, done of total, then ``columns``."""
    from rich.console import Console
    from rich.progress import BarColumn, MofNCompleteColumn, Progress

    with Progress(label, BarColumn(), MofNCompleteColumn(), *columns, transient=transient,
                  console=Console(stderr=True)) as bar:
        yield bar


def _print_summary(model, scenario: str, seed: int, days: int, out_dir: Path) -> None:
    from model.metrics import unit_table, units_over_10pct

    m = model.metrics
    units = unit_table(model)
    over = units_over_10pct(units["desertion_rate"])
    lines = [
        f"{scenario}, seed {seed}, {days} days: {m['soldiers_ever']} soldiers ever assigned, "
        f"{m['present']} present at the end",
        f"  desertion rate   {m['desertion_rate']:6.1%}  (frontline {m['desertion_rate_frontline']:.1%}, "
        f"rear {m['desertion_rate_rear']:.1%})",
        f"  units >= 10%     {over} of {len(units)}  (worst {units['desertion_rate'].max():.1%})",
        f"  cascades         {m['cascades']}  (largest {m['largest_cascade']} deserters)",
        f"  killed {m['killed_cumulative']}, wounded {m['wounded_cumulative']}, "
        f"deserters caught {m['caught_cumulative']}",
        f"  mean motivation {m['mean_motivation']:.2f}, fear {m['mean_fear']:.2f}, "
        f"grievance {m['mean_grievance']:.2f}; combat effectiveness {m['combat_effectiveness']:.2f}",
        f"wrote {out_dir}/ (timeseries.parquet, units.parquet, cascades.parquet, summary.json)",
    ]
    typer.echo("\n".join(lines))


@app.command()
def sweep(
    spec: Annotated[
        str, typer.Argument(help="Preset sweep (configs/sweeps/NAME.toml) or path of a .toml spec.")
    ],
    workers: Annotated[
        int | None,
        typer.Option(min=1, max=1024, help="Worker processes (default: one per core); with --dask local, "
                     "the cluster's workers."),
    ] = None,
    dask: Annotated[
        str | None,
        typer.Option(help="Run on Dask: 'local' starts a LocalCluster; tcp://HOST:PORT uses a running "
                     "scheduler."),
    ] = None,
    out: Annotated[
        str | None, typer.Option(help="Output folder (default: runs/sweeps/SPEC); rerun to resume.")
    ] = None,
    quiet: Annotated[bool, typer.Option(help="No progress bar.")] = False,
) -> None:
    """Run a parameter sweep; resumable: rerunning the same command skips finished runs."""
    from experiments.sweeps import ResultStore, SweepError, load

    plan = load(spec)
    if dask is not None and dask != "local" and ":" not in dask:
        raise SweepError(f"--dask {dask!r} is not allowed: give local or a scheduler address "
                         "such as tcp://HOST:8786")
    n_workers = workers or os.cpu_count() or 1
    out_dir = checked_out(out) if out is not None else Path("runs") / "sweeps" / plan.name
    ResultStore(out_dir).check(plan)  # before anything is written: a folder this sweep may use
    where = (f"Dask scheduler {dask}" if dask not in (None, "local") else
             f"{'a Dask LocalCluster of ' if dask else ''}{n_workers} worker process"
             f"{'es' if n_workers > 1 else ''}")
    points = plan.design["sample"].nunique()
    typer.echo(f"sweep {plan.name}: {len(plan.tasks)} runs ({plan.spec.design}, {points} design points x "
               f"{len(plan.seeds)} seeds, {plan.days} days) on {where}; results in {out_dir}/", err=True)
    try:
        outcome = _run_sweep_with_progress(plan, out_dir, n_workers, dask, quiet)
    except KeyboardInterrupt:
        typer.echo(f"interrupted: finished runs are saved in {out_dir}/parts; rerun the same command "
                   "to resume", err=True)
        raise typer.Exit(130) from None
    from experiments.sweeps import format_seconds

    rate = outcome.ran / outcome.seconds * 60 if outcome.seconds > 0 and outcome.ran else 0.0
    typer.echo(f"wrote {outcome.runs_file}: {outcome.total} runs ({outcome.skipped} already done, "
               f"{outcome.ran} run now in {format_seconds(outcome.seconds)}, {rate:.1f} runs/min), "
               f"{outcome.failed} failed")
    if outcome.failed:
        typer.echo(f"error: {outcome.failed} of {outcome.total} runs failed; their errors are in the "
                   f"'error' column of {outcome.runs_file}; rerun the same command to retry them",
                   err=True)
        raise typer.Exit(1)


def _run_sweep_with_progress(plan, out_dir: Path, workers: int, dask: str | None, quiet: bool):
    """Run the sweep under a progress bar: runs done, failed, elapsed and ETA."""
    from experiments.sweeps import run_sweep

    if quiet:
        return run_sweep(plan, out_dir, workers=workers, dask=dask)
    from rich.progress import TextColumn, TimeElapsedColumn, TimeRemainingColumn

    columns = (TextColumn("{task.fields[failed]} failed"), TimeElapsedColumn(), "ETA", TimeRemainingColumn())
    with progress_bar("runs", *columns, transient=False) as bar:
        task, failed = None, 0

        def started(total: int, done: int) -> None:
            nonlocal task
            # Runs already done count as done, not as speed: the ETA comes from this session.
            task = bar.add_task("runs", total=total, completed=done, failed=0)

        def advanced(row: dict) -> None:
            nonlocal failed
            failed += row["status"] != "ok"
            bar.update(task, advance=1, failed=failed)

        return run_sweep(plan, out_dir, workers=workers, dask=dask, progress=advanced, on_start=started)


@app.command()
def calibrate(
    spec: Annotated[
        str, typer.Argument(help="Preset calibration spec (configs/calibration/NAME.toml) or path of a .toml "
                            "spec.")
    ],
    budget: Annotated[
        str, typer.Option(help="small (minutes: 12 particles, 2 generations), medium (40, 4) or full "
                          "(100, 6).")
    ] = "small",
    workers: Annotated[
        int | None,
        typer.Option(min=1, max=1024, help="Worker processes (default: one per core); with --scheduler "
                     "local, the cluster's workers."),
    ] = None,
    scheduler: Annotated[
        str | None,
        typer.Option(help="Run on Dask: 'local' starts a LocalCluster; tcp://HOST:PORT uses a running "
                     "scheduler."),
    ] = None,
    out: Annotated[
        str | None, typer.Option(help="Output folder (default: runs/calibration/SPEC_BUDGET_seedSEED); "
                                 "rerun the same command to resume.")
    ] = None,
    seed: Annotated[int, typer.Option(min=0, max=2**63 - 1, help="Seed: same seed, same posterior, "
                                      "whatever the workers.")] = 42,
    resume: Annotated[
        bool, typer.Option("--resume", help="Only continue a calibration already in the folder (an error if "
                           "there is none).")
    ] = False,
    quiet: Annotated[bool, typer.Option(help="No progress bar.")] = False,
) -> None:
    """Calibrate behavioural parameters against several historical patterns at once (ABC-SMC).

    Resumable: a killed calibration rerun with the same command continues from its last
    completed generation and ends with the same posterior.
    """
    from experiments import calibration as cal

    chosen = cal.load(spec)
    plan = cal.budget(budget)
    if scheduler is not None and scheduler != "local" and ":" not in scheduler:
        fail(f"--scheduler {scheduler!r} is not allowed: give local or a scheduler address such as "
             "tcp://HOST:8786")
    n_workers = workers or os.cpu_count() or 1
    out_dir = checked_out(out) if out is not None else cal.default_out(chosen, plan, seed)
    ours = cal.check_folder(out_dir, chosen, plan, seed, resume)  # before anything is written
    where = (f"Dask scheduler {scheduler}" if scheduler not in (None, "local") else
             f"{'a Dask LocalCluster of ' if scheduler else ''}{n_workers} worker process"
             f"{'es' if n_workers > 1 else ''}")
    typer.echo(f"calibrate {chosen.name}: {len(chosen.priors)} parameters, {len(chosen.targets)} targets; "
               f"{plan.name} budget: {plan.population} particles x {plan.generations} generations, "
               f"{chosen.replicates} seed(s) per particle, {chosen.days} days (the spec's full horizon), "
               f"{plan.draws} predictive draws; seed {seed}; on {where}; results in {out_dir}/"
               + (("; already complete" if (out_dir / "summary.json").is_file() else "; resuming from its "
                   "history") if ours else ""), err=True)
    try:
        result = _calibrate_with_progress(chosen, out_dir, plan, seed, n_workers, scheduler, resume, quiet)
    except KeyboardInterrupt:
        typer.echo(f"interrupted: completed generations are kept in {out_dir}/history.db; rerun the same "
                   "command to resume", err=True)
        raise typer.Exit(130) from None
    _print_calibration(result, chosen)


def _calibrate_with_progress(chosen, out_dir: Path, plan, seed: int, workers: int, scheduler: str | None,
                             resume: bool, quiet: bool):
    """Run the calibration under a progress bar: per generation, particles accepted and simulated."""
    from experiments import calibration as cal

    if quiet:
        return cal.run_calibration(chosen, out_dir, plan, seed, workers=workers, scheduler=scheduler,
                                   resume=resume)
    from rich.progress import TextColumn, TimeElapsedColumn

    with progress_bar("[progress.description]{task.description}", TextColumn("{task.fields[note]}"),
                      TimeElapsedColumn(), transient=False) as bar:
        tasks: dict[int, object] = {}

        def generation(t: int):
            if t not in tasks:
                label = "prior sample" if t < 0 else f"generation {t}"
                tasks[t] = bar.add_task(label, total=plan.population, note="")
            return tasks[t]

        def particle(t: int, evaluated: int) -> None:
            bar.update(generation(t), note=f"accepted; {evaluated} particles simulated")

        def batch(t: int, accepted: int, n: int, _considered: int) -> None:
            bar.update(generation(t), completed=accepted)

        drawn: dict[str, object] = {}

        def predictive(done: int, total: int) -> None:
            if "task" not in drawn:
                drawn["task"] = bar.add_task("predictive check", total=total, note="posterior draws")
            bar.update(drawn["task"], completed=done)

        return cal.run_calibration(chosen, out_dir, plan, seed, workers=workers, scheduler=scheduler,
                                   resume=resume, progress=cal.Progress(particle, batch, predictive))


def _print_calibration(result, chosen) -> None:
    from rich.console import Console
    from rich.table import Table

    summary = result.summary
    console = Console(width=max(140, Console().width))
    if result.already_complete:
        typer.echo(f"{result.dir} holds this calibration, complete: nothing to do (delete the folder or "
                   "choose another --out to run it again)", err=True)
    elif result.resumed_from:
        typer.echo(f"resumed: generations 0-{result.resumed_from - 1} were already done", err=True)
    rates = ", ".join(f"{r:.0%}" for r in summary["acceptance_rates"])
    epsilons = ", ".join(f"{e:.2f}" for e in summary["epsilons"])
    stopped = (" (stopped early: a generation accepted too rarely)" if summary.get("stopped_early") else "")
    typer.echo(f"{summary['generations_done']} of {summary['generations_planned']} generations{stopped}; "
               f"epsilon {epsilons}; acceptance {rates}; {summary['model_runs_this_session']} model runs in "
               f"{summary['seconds']:.0f} s this session")
    posterior = Table("parameter", "prior", "scenario", "posterior mean", "90% credible interval",
                      title="posterior (last generation, weighted)")
    for row in result.posterior_table.itertuples(index=False):
        posterior.add_row(row.parameter, f"{row.prior_low:g}..{row.prior_high:g}", f"{row.scenario_value:g}",
                          f"{row.mean:.3f}", f"{row.q05:.3f} .. {row.q95:.3f}")
    console.print(posterior)
    check = Table("target", "value", "uncertainty", "predictive median", "90% predictive interval", "inside",
                  title="posterior predictive check")
    for row in result.predictive.itertuples(index=False):
        check.add_row(row.target, f"{row.value:g}", str(row.uncertainty), f"{row.predictive_median:.3f}",
                      f"{row.predictive_q05:.3f} .. {row.predictive_q95:.3f}",
                      "yes" if row.inside else "[red]no[/red]")
    console.print(check)
    typer.echo(f"wrote {result.dir}/: {', '.join(result.files)}")


@app.command()
def report(
    directory: Annotated[Path, typer.Argument(help="Output folder of a finished `morale sweep`.")],
    metric: Annotated[
        list[str] | None,
        typer.Option(help="Outcome to report (repeatable) (default: desertion_rate, "
                     "desertion_rate_frontline, largest_cascade, combat_effectiveness)."),
    ] = None,
) -> None:
    """Summarise a sweep: means and 95% intervals per combination, plots, sensitivity indices."""
    from experiments.report import ReportError, write_report

    try:
        made = write_report(directory, metric)
    except ReportError as exc:
        fail(str(exc))
    for note in made.notes:
        typer.echo(f"note: {note}", err=True)
    if made.sensitivity is not None:
        from rich.console import Console
        from rich.table import Table

        table = Table(*made.sensitivity.columns, title="sensitivity indices")
        for row in made.sensitivity.itertuples(index=False):
            table.add_row(*(f"{v:.3f}" if isinstance(v, float) else str(v) for v in row))
        Console(width=140).print(table)
    typer.echo(f"wrote {made.dir}/: {', '.join(p.name for p in made.files)}")


@app.command()
def discover(
    directory: Annotated[Path, typer.Argument(help="Output folder of a `morale sweep` (finished or not).")],
    where: Annotated[
        str, typer.Option(help="The outcome range wanted: COLUMN < x (or <=, >, >=), e.g. "
                          "'desertion_rate < 0.05'.")
    ],
    min_coverage: Annotated[
        float | None, typer.Option(help="Choose the densest box holding at least this share of the runs "
                                   "that meet the condition (default: 0.5).")
    ] = None,
    density: Annotated[
        float | None, typer.Option(help="Instead: the box with the highest coverage whose density is at "
                                   "least this.")
    ] = None,
    box: Annotated[
        int | None, typer.Option(help="Instead: this box of the peeling trajectory (the plot numbers them).")
    ] = None,
    mean_over_seeds: Annotated[
        bool, typer.Option(help="One row per design point, its outcome averaged over its seeds "
                           "(default: one row per run).")
    ] = False,
    plot: Annotated[
        str | None, typer.Option(help="Where to write the trade-off plot, .svg or .png "
                                 "(default: DIRECTORY/discover_COLUMN.svg).")
    ] = None,
    json_: Annotated[
        bool, typer.Option("--json", help="Print the box, its statistics and the trajectory as JSON "
                           "instead of the table.")
    ] = False,
) -> None:
    """Scenario discovery (PRIM): which ranges of the swept levers keep an outcome where you want it?

    Prints the box (per lever its range, or any), its coverage and density, and writes a plot of
    the coverage/density trade-off along PRIM's peeling trajectory.
    """
    from experiments.discover import check_choice, default_plot_path, discover, plot_tradeoff

    check_choice(min_coverage, density, box)
    target = checked_out(plot, "--plot") if plot is not None else None
    if target is not None and target.suffix.lower() not in (".svg", ".png"):
        fail(f"--plot {plot} is not allowed: give a file name ending in .svg or .png")
    from rich.console import Console

    # importing the EMA Workbench takes most of the time (about 9 s here): say what is going on
    with Console(stderr=True).status("reading the sweep, loading the EMA Workbench, running PRIM"):
        found = discover(directory, where, min_coverage, density, box, mean_over_seeds)
    target = target or default_plot_path(directory, found.condition)
    chosen_by = None if density is not None or box is not None else (min_coverage or 0.5)
    sweep_, data, chosen = found.sweep, found.data, found.box
    title = f"{sweep_.name}: {len(data.y)} {data.unit}, {int(data.y.sum())} meet {found.condition}"
    plot_tradeoff(found.trajectory, chosen, found.condition, title, target, data.unit, chosen_by)
    notes = list(data.notes)
    if not sweep_.finished:
        notes.append(f"the sweep has not finished: {len(sweep_.runs)} of its {sweep_.planned} planned runs "
                     "so far (rerun `morale sweep` to complete it)")
    if sweep_.failed:
        notes.append(f"{sweep_.failed} failed run(s) left out")
    for note in notes:
        typer.echo(f"note: {note}", err=True)
    if json_:
        from experiments.discover import box_json

        typer.echo(json.dumps(box_json(sweep_, found.condition, data, found.trajectory, chosen, target),
                              indent=2))
        return
    _print_box(found, chosen_by, density, box, target)


def _print_box(found, min_coverage: float | None, density: float | None, box: int | None,
               plot: Path) -> None:
    from rich.console import Console
    from rich.table import Table

    from experiments.discover import fmt

    chosen, unit = found.box, found.data.unit
    last = len(found.trajectory) - 1
    how = (f"the box you chose (--box {box})" if box is not None else
           f"the highest-coverage box with density at least {density:g}" if density is not None else
           f"the densest box with coverage at least {min_coverage:g}")
    typer.echo(f"{found.sweep.name}: {chosen.total} {unit}, {chosen.total_meeting} meet {found.condition}; "
               f"box {chosen.index} of 0-{last} on PRIM's peeling trajectory, {how}:")
    table = Table("lever", "box", "in the sweep", "quasi-p")
    for lever in chosen.levers:
        sides = [(side, p) for side, p in zip(("from", "to"), lever.quasi_p, strict=True) if p is not None]
        qp = ", ".join(f"{side} {p:.2g}" if len(sides) > 1 else f"{p:.2g}" for side, p in sides)
        if lever.weak:
            qp = f"[yellow]{qp} (may be noise)[/yellow]"
        table.add_row(lever.name, lever.text() if lever.restricted else "[dim]any[/dim]",
                      f"{fmt(lever.sweep_low)} to {fmt(lever.sweep_high)}", qp)
    console = Console(width=max(100, Console().width))
    console.print(table)
    typer.echo("\n".join([
        f"{unit} in the box: {chosen.n} of {chosen.total}; {chosen.k} of them meet {found.condition}",
        f"coverage {chosen.coverage:.2f} = {chosen.k} of the {chosen.total_meeting} {unit} that meet the "
        "condition are in the box",
        f"density  {chosen.density:.2f} = {chosen.k} of the {chosen.n} {unit} in the box meet the condition "
        f"(all {unit}: {chosen.total_meeting / chosen.total:.2f})",
        "quasi-p: the EMA Workbench's test that a restriction (of the range's low end, 'from', or high "
        "end, 'to') raises the density more than chance would; above 0.05 it may be noise",
        f"wrote {plot} (coverage against density of each box on the trajectory; --box N picks another)",
    ]))


@app.command()
def facts(
    seeds: Annotated[
        int, typer.Option(help="Seeds per experiment (0 .. N-1, held out from calibration); at least 2.")
    ] = 20,  # experiments.facts.DEFAULT_SEEDS (not imported here: it loads the model)
    first_seed: Annotated[
        int, typer.Option(help="First seed: judge on seeds FIRST .. FIRST+N-1 (0 = the held-out "
                          "0 .. N-1; the defaults were chosen on 100-109).")
    ] = 0,
    workers: Annotated[
        int | None, typer.Option(help="Worker processes (default: one per core, at most 4).")
    ] = None,
    fact: Annotated[
        list[str] | None,
        typer.Option("--fact", help="Only this fact: 1..9 or G (repeatable) (default: all)."),
    ] = None,
    scenario: Annotated[
        str, typer.Option(help="The army every experiment starts from: a preset (morale scenarios) "
                          "or the path of a .toml file, without scheduled events.")
    ] = "division",  # experiments.facts.JUDGED_ON
    set_: Annotated[
        list[str] | None,
        typer.Option("--set", help="Start every experiment from this parameter value instead of "
                     "the scenario's: name=value (repeatable); an experiment's own levers win."),
    ] = None,
    strict: Annotated[bool, typer.Option(help="Exit 1 if any fact does not hold.")] = False,
    quiet: Annotated[bool, typer.Option(help="No progress bar.")] = False,
) -> None:
    """Check the stylized facts of the brief (and Granovetter 1978) over several seeds.

    Prints one row per fact: its source, the experiment, the model's figure with a 95%
    interval over seeds, and whether it holds. Exits 0 whatever the verdicts, unless --strict.
    The facts are judged on a division (the `division` preset); with --scenario or --set they
    are checked on another army or other values (a candidate revision): the table's title
    names them.
    """
    from experiments.facts import FACTS, default_workers, run_facts

    if seeds < 2 or seeds > 1000:
        fail(f"--seeds {seeds} is not allowed: give 2 to 1000 (an interval needs at least 2 seeds)")
    if not 0 <= first_seed <= 2**32 - 1 - seeds:
        fail(f"--first-seed {first_seed} is not allowed: give 0 to {2**32 - 1 - seeds}")
    if workers is not None and not 1 <= workers <= 1024:
        fail(f"--workers {workers} is not allowed: give 1 to 1024")
    chosen = [f.upper() for f in fact] if fact else list(FACTS)
    unknown = [f for f in chosen if f not in FACTS]
    if unknown:
        fail(f"--fact {unknown[0]!r} is not allowed: choose one of {', '.join(FACTS)}")
    chosen = list(dict.fromkeys(chosen))
    army = resolve(scenario)  # an unknown name or a bad file: one line, exit 2
    if army.events:
        fail(f"--scenario {scenario!r} is not allowed: it schedules lever changes, and the facts' "
             "experiments pull their own; give a scenario without [[events]]")
    changes = parse_overrides(set_ or [])
    validate(changes, source="--set", strict=True)  # a bad name or value: one line, exit 2
    base = {**army.overrides, **changes}
    n_workers = workers or default_workers()
    typer.echo(f"facts {', '.join(chosen)}: {seeds} seeds each, {len(chosen) * seeds} tasks on "
               f"{n_workers} worker process{'es' if n_workers > 1 else ''}", err=True)
    chosen_seeds = range(first_seed, first_seed + seeds)
    try:
        if quiet:
            results = run_facts(chosen, chosen_seeds, n_workers, base=base)
        else:
            from rich.progress import TimeElapsedColumn, TimeRemainingColumn

            with progress_bar("fact x seed", TimeElapsedColumn(), "ETA", TimeRemainingColumn()) as bar:
                task = bar.add_task("facts", total=len(chosen) * seeds)
                results = run_facts(chosen, chosen_seeds, n_workers,
                                    progress=lambda _n, _s: bar.advance(task), base=base)
    except KeyboardInterrupt:
        typer.echo("interrupted: no verdicts", err=True)
        raise typer.Exit(130) from None
    _print_facts(results, chosen_seeds, army.name, changes)
    failed = [r.fact.number for r in results if not r.holds]
    if strict and failed:
        typer.echo(f"error: {len(failed)} of {len(results)} facts do not hold: {', '.join(failed)}", err=True)
        raise typer.Exit(1)


def _print_facts(results, seeds: range, scenario: str, changes: dict[str, object]) -> None:
    from rich.console import Console
    from rich.table import Table

    from experiments.facts import EMERGES

    title = f"stylized facts on {scenario}, seeds {seeds[0]}-{seeds[-1]}"
    if changes:
        title += " (with " + ", ".join(f"{name}={value}" for name, value in changes.items()) + ")"
    table = Table("fact", "source", "experiment", "figure [95% interval over seeds]", "verdict",
                  "emerges or assumed", title=title, show_lines=True)
    for r in results:
        verdict = "[green]holds[/green]" if r.holds else "[red]fails[/red]"
        table.add_row(f"{r.fact.number}. {r.fact.statement}", r.fact.source, r.fact.experiment,
                      r.verdict.figure, f"{verdict}\n[dim]{r.verdict.criterion}[/dim]", r.fact.label)
    Console(width=max(180, Console().width)).print(table)
    emergent = [r for r in results if r.fact.label == EMERGES]
    others: dict[str, list[str]] = {}
    for r in results:
        if r.fact.label != EMERGES:
            others.setdefault(r.fact.label, []).append(r.fact.number)
    not_counted = "; ".join(f"{label} {', '.join(numbers)}" for label, numbers in others.items())
    typer.echo(f"{sum(r.holds for r in results)} of {len(results)} hold; of the facts that emerge "
               f"(validation), {sum(r.holds for r in emergent)} of {len(emergent)} hold"
               + (f"; not counted as validation: {not_counted}" if not_counted else ""))


@app.command()
def scenarios() -> None:
    """List the preset scenarios with their descriptions."""
    presets = available()
    width = max(len(n) for n in presets)
    for name, path in presets.items():
        try:
            description = load_file(path).description
        except ScenarioError as exc:
            description = f"(invalid: {exc})"
        typer.echo(f"{name:<{width}}  {description}")


@app.command()
def lessons(
    lesson: Annotated[
        str | None, typer.Argument(help="A lesson (name or path of a .toml file) to show; all by default.")
    ] = None,
    check: Annotated[
        bool, typer.Option("--check", help="Run each lesson's claim over several seeds and say whether "
                           "the model bears it out (exit 1 if not).")
    ] = False,
    seeds: Annotated[
        str, typer.Option(help="Seeds for --check: a range such as 0-4, or a list such as 42 or 0,1,42.")
    ] = "0-4",
) -> None:
    """List the classroom lessons (configs/lessons), or check what they claim."""
    from experiments import lessons as lessons_mod

    try:
        chosen = [lessons_mod.resolve(lesson)] if lesson else lessons_mod.load_all()
        seed_list = _parse_seeds(seeds)
    except lessons_mod.LessonError as exc:
        fail(str(exc))
    if not check:
        width = max(len(item.name) for item in chosen)
        for item in chosen:
            typer.echo(f"{item.name:<{width}}  {item.title}")
        return
    failed = 0
    for item in chosen:
        verdict = lessons_mod.verify(item, seeds=seed_list)
        typer.echo(f"{item.name}: {item.check.describe}; claim: choice {item.question.answer}, "
                   f"{item.answer.text}")
        for o in verdict.outcomes:
            typer.echo(f"  seed {o.seed}: {lessons_mod.format_value(o.value)} vs "
                       f"{lessons_mod.format_value(o.reference)}, effect "
                       f"{lessons_mod.format_effect(item, o.effect)}, choice {o.choice}")
        typer.echo("  " + verdict.line(item))
        failed += not verdict.holds
    if failed:
        typer.echo(f"error: {failed} lesson claim(s) not borne out by the model", err=True)
        raise typer.Exit(1)


def _parse_seeds(text: str) -> list[int]:
    from experiments.lessons import LessonError

    try:
        if "-" in text:
            first, last = (int(part) for part in text.split("-", 1))
            seeds = list(range(first, last + 1))
        else:
            seeds = [int(part) for part in text.split(",")]
    except ValueError:
        seeds = []
    if not seeds or min(seeds) < 0 or len(seeds) > 100:
        raise LessonError(f"--seeds {text!r} is not allowed: give a range such as 0-4 or a list "
                          "such as 0,1,42")
    return seeds


@app.command("validate")
def validate_cmd(
    file: Annotated[Path, typer.Argument(help="Scenario .toml file to check.")],
) -> None:
    """Check a scenario file against the parameter definition."""
    try:
        chosen = load_file(file)
    except ScenarioError as exc:
        fail(str(exc))
    changed = ", ".join(f"{k}={v}" for k, v in chosen.overrides.items()) or "no overrides"
    events = f"; {len(chosen.events)} scheduled lever changes" if chosen.events else ""
    typer.echo(f"ok: {file} ({chosen.days} days; {changed}{events})")


@app.command()
def params(
    format_: Annotated[
        str, typer.Option("--format", help="table, markdown or json.")
    ] = "table",
    group: Annotated[str | None, typer.Option(help="Only one group: army, lever or behaviour.")] = None,
) -> None:
    """Print every parameter: name, group, default, range, units and meaning."""
    if group not in (None, "army", "lever", "behaviour"):
        fail(f"--group {group!r} is not allowed: choose army, lever or behaviour")
    if format_ == "markdown":
        typer.echo(markdown_table(group), nl=False)
    elif format_ == "json":
        typer.echo(json.dumps(specs(group), indent=2))
    elif format_ == "table":
        from rich.console import Console
        from rich.table import Table

        table = Table("name", "group", "default", "range", "units", "meaning", show_lines=False)
        for s in specs(group):
            meaning = s["meaning"]
            if s["low"] or s["high"]:
                meaning += f" [dim]0 = {s['low']}; 1 = {s['high']}.[/dim]"
            table.add_row(s["name"], s["group"], f"{s['default']:g}", f"{s['min']:g}..{s['max']:g}",
                          s["units"], meaning)
        Console(width=max(140, Console().width)).print(table)
    else:
        fail(f"--format {format_!r} is not allowed: choose table, markdown or json")


@app.command()
def dashboard(
    scenario: Annotated[str, typer.Option(help="Preset to open first.")] = "baseline",
    lesson: Annotated[
        str | None, typer.Option(help="Open in lesson mode on this lesson (`morale lessons`).")
    ] = None,
    host: Annotated[str, typer.Option(help="Address to bind (this machine only by default).")] = HOST,
    port: Annotated[int, typer.Option(min=1, max=65535, help="Port to serve on.")] = PORT,
) -> None:
    """Serve the classroom dashboard in the browser (works offline)."""
    from dashboards import server
    from dashboards.presets import not_on_the_page, page_presets

    if scenario in available() and scenario not in page_presets():
        fail(f"--scenario {scenario!r} is not allowed: {not_on_the_page(scenario)}")
    if scenario not in available():
        fail(f"unknown scenario '{scenario}'; presets: {', '.join(page_presets())}")
    lesson_path = None
    if lesson is not None:
        from experiments.lessons import LessonError
        from experiments.lessons import resolve as resolve_lesson

        try:
            lesson_path = resolve_lesson(lesson).path
        except LessonError as exc:
            fail(str(exc))
    if not server.check_address(host, port):
        typer.echo(f"warning: listening on {host}: other machines on the network can open this "
                   f"dashboard; use --host {HOST} for this machine only", err=True)
    typer.echo("unit-morale dashboard: starting (the address follows once the server is ready) ...")
    server.serve(scenario, lesson_path, host, port)


def main() -> None:
    try:
        app()
    except KeyboardInterrupt:
        typer.echo("interrupted", err=True)
        sys.exit(130)
    except Exception as exc:  # outside a command (typer's own setup): the same boundary
        try:
            boundary(exc)
        except typer.Exit as done:
            sys.exit(done.exit_code)
