"""The classroom dashboard: watch units hollow out, pull levers mid-run, inspect a soldier.

Served by ``morale dashboard`` (``solara run dashboards.app``). Every browser tab
is its own session: the reactive variables below are scoped per tab by Solara.

Why not Mesa's SolaraViz alone: its parameters apply only on Reset (our levers
act on the running model from the next day), and its Reset needs a model that
takes a ``scenario=`` argument. The controller here follows SolaraViz's play
loop (a threaded task that steps the model and re-renders).
"""

from __future__ import annotations

import html
import json
import os
import re
import threading
import time
import traceback

import solara
import solara.lab
from solara.components.input import use_change

from dashboards import links, pacing, server, views
from dashboards.components.share import ShareLink
from dashboards.components.unit_map import COLORS, Legend, UnitMapView
from dashboards.presets import page_presets
from experiments import lessons
from model.metrics import METRICS
from model.model import MoraleModel
from model.parameters import ParameterError, specs, validate
from model.scenarios import MAX_DAYS, ScenarioError, available, resolve

START_SCENARIO = os.environ.get("MORALE_SCENARIO", "baseline")
START_LESSON = os.environ.get("MORALE_LESSON")  # a lesson file: open in lesson mode on it
LEVER_SPECS = specs("lever")  # the policy levers, with their sliders
ARMY_SPECS = specs("army")  # the army's shape: applies on Reset
# every parameter that can change mid-run: the policy levers and the behaviour coefficients
LIVE_NAMES = tuple(s["name"] for s in specs() if s["group"] != "army")

# ---- per-tab session state ------------------------------------------------------
scenario_name = solara.reactive(START_SCENARIO)
seed = solara.reactive(42)
horizon = solara.reactive(180)
controls = solara.reactive({})  # every parameter value the next Reset will use
model_ref = solara.reactive(None)  # the running MoraleModel
tick = solara.reactive(0)  # bumped after every change to the model: re-render
playing = solara.reactive(False)
speed = solara.reactive(20)  # target simulated days per second
selected = solara.reactive(None)  # row of the inspected soldier
message = solara.reactive("")
tab = solara.reactive(0)
hysteresis_lever = solara.reactive("combat_intensity")  # the lever of the hysteresis chart
compare_a = solara.reactive("harsh_penalties")
compare_b = solara.reactive("root_causes_reform")
compare_result = solara.reactive(None)
# lesson mode (a lesson of configs/lessons: predict, run, explain)
lesson_ref = solara.reactive(None)  # the Lesson, or None outside lesson mode
lesson_step = solara.reactive(0)  # 0 predict, 1 run, 2 explain
prediction = solara.reactive(None)  # the student's choice (1-based)
pause_at_intervention = solara.reactive(True)
lesson_outcome = solara.reactive(None)  # lessons.Outcome of this run, measured on Explain
VIEW_TABS = {"army": 0, "cycle": 1, "cascades": 2}
# the start-here card: shown on a tab's first load (not when it opens a lesson); closed and reopened
show_start = solara.reactive(not START_LESSON)
show_info = solara.reactive(False)  # the Info panel (what is it, how it works, ...)
START_LESSON_NAME = "morale_cycle_tipping"  # the start card's lesson
COLLAPSE_PRESET = "meat_grinder"  # the start card's "Watch a company collapse"
FREE_PLAY_PRESET = "baseline"
link_message = solara.reactive("")  # what a link's query string had that could not be used


def _lock(model: MoraleModel) -> threading.RLock:
    """One lock per model: the play loop steps it while page events read it."""
    return model.__dict__.setdefault("_dashboard_lock", threading.RLock())


def reset_model() -> None:
    """A new model from the current controls and seed (army-shape parameters apply here)."""
    playing.value = False
    lesson = lesson_ref.value
    if lesson is not None:  # a lesson always restarts from its own scenario and parameters
        controls.value = {**controls.value, **lesson.params.model_dump(include=set(LIVE_NAMES))}
    lesson_outcome.value = None
    try:
        params = validate(dict(controls.value))
    except ParameterError as exc:
        message.value = str(exc)
        return
    model_ref.value = MoraleModel(rng=int(seed.value), params=params, events=scheduled_events())
    selected.value = None
    message.value = ""
    tick.value += 1


def scheduled_events() -> tuple:
    """The current preset's scheduled lever changes ([[events]]); they show as lever marks."""
    try:
        return resolve(scenario_name.value).events if scenario_name.value in available() else ()
    except ScenarioError:
        return ()


def load_preset(name: str) -> None:
    try:
        scenario = resolve(name)
    except ScenarioError as exc:
        message.value = str(exc)
        return
    lesson_ref.value = None
    scenario_name.value = name
    horizon.value = scenario.days
    controls.value = scenario.params.model_dump()
    reset_model()


def load_lesson(name: str) -> None:
    """Lesson mode: the lesson's scenario, parameters, seed and horizon; step 1 (predict)."""
    try:
        lesson = lessons.resolve(name)
        params = lesson.params
    except (lessons.LessonError, ParameterError) as exc:
        message.value = str(exc)
        return
    lesson_ref.value = lesson
    show_start.value = False
    scenario_name.value = lesson.spec.scenario
    seed.value = lesson.seed
    horizon.value = lesson.days
    controls.value = params.model_dump()
    lesson_step.value = 0
    prediction.value = None
    tab.value = VIEW_TABS[lesson.spec.view]
    reset_model()


def leave_lesson() -> None:
    lesson_ref.value = None
    lesson_outcome.value = None


def after_step(model: MoraleModel) -> bool:
    """Apply the lesson's intervention on its day; True if the run should pause there."""
    lesson = lesson_ref.value
    if lesson is None:
        return False
    with _lock(model):
        applied = lessons.apply_intervention(lesson, model)
    if applied:
        now = {k: getattr(model.params, k) for k in lesson.intervention.levers}
        controls.value = {**controls.value, **now}
    return applied and pause_at_intervention.value


def step_once() -> None:
    model = model_ref.value
    with _lock(model):
        model.step()
    after_step(model)
    tick.value += 1


def set_lever(name: str, value: float) -> None:
    """Pull a lever on the running model: it takes effect from the next day."""
    model = model_ref.value
    try:
        with _lock(model):
            model.set_lever(name, value)
    except ParameterError as exc:
        message.value = str(exc)
        return
    controls.value = {**controls.value, name: value}
    tick.value += 1


def set_army(name: str, value) -> None:
    controls.value = {**controls.value, name: value}


# ---- the run as a link (dashboards/links.py) ------------------------------------------


def open_link(query: str | None) -> bool:
    """Rebuild the run a link describes: its lesson or preset and seed, the levers it set at the
    start, then day by day its lever changes, up to its day. False if the query names no run."""
    link, ignored = links.decode(query, scenarios=page_presets(), lessons=lessons.available(),
                                 live_names=LIVE_NAMES)
    link_message.value = ("This link had values that could not be used, so they were ignored: "
                          + "; ".join(ignored)) if ignored else ""
    if link is None:
        return False
    if link.lesson:
        load_lesson(link.lesson)
    else:
        load_preset(link.scenario or START_SCENARIO)
    show_start.value = False
    if link.seed is not None:
        seed.value = link.seed
    controls.value = {**controls.value, **link.start}
    reset_model()
    model = model_ref.value
    if model is None:
        return True
    horizon.value = max(horizon.value, link.day)
    pending = list(link.changes)

    def changes_of(day: int) -> None:
        while pending and pending[0][0] == day:
            _, name, value = pending.pop(0)
            try:
                model.set_lever(name, value)
                controls.value = {**controls.value, name: value}
            except ParameterError as exc:
                link_message.value = f"This link had a lever change that could not be used: {exc}"
    with _lock(model):
        changes_of(0)
        for _ in range(link.day):
            model.step()
            after_step(model)
            changes_of(model.day)
    lesson = lesson_ref.value
    if lesson is not None:
        # predict, run, explain: the Run step only with the prediction the link records
        if link.prediction is not None and link.prediction > len(lesson.question.choices):
            link_message.value = (f"This link's prediction {_choice_label(link.prediction)} is not a "
                                  f"choice of this lesson, so it was ignored: make your prediction.")
            link.prediction = None
        prediction.value = link.prediction
        lesson_step.value = 0 if link.prediction is None else 1
    tick.value += 1
    return True


def current_link(model: MoraleModel) -> str:
    """The query string of this tab's run (see dashboards/links.py)."""
    lesson = lesson_ref.value
    if lesson is not None:
        base = lesson.params
    elif scenario_name.value in available():
        base = resolve(scenario_name.value).params
    else:
        base = None
    first_old = {}
    for c in model.lever_changes:
        first_old.setdefault(c["name"], c["old"])
    start = {}
    if base is not None:
        for name in LIVE_NAMES:
            value = first_old.get(name, getattr(model.params, name))
            if value != getattr(base, name):
                start[name] = value
    changes = [
        (c["day"], c["name"], c["new"]) for c in model.lever_changes
        if not any(c["name"] in levers for levers in model.schedule.get(c["day"], ()))
    ]
    locked = prediction.value if lesson is not None and lesson_step.value > 0 else None
    return links.encode(links.RunLink(
        scenario=scenario_name.value, lesson=lesson.name if lesson is not None else None,
        seed=int(seed.value), day=model.day, start=start, changes=changes, prediction=locked))


# ---- components -------------------------------------------------------------------


def _session_context():
    """This tab's Solara session (None outside a server, e.g. in tests of the views)."""
    try:
        from solara.server import kernel_context

        return kernel_context.get_current_context()
    except Exception:
        return None


def _has_viewer(session) -> bool:
    """Whether any page of the session is still connected."""
    if session is None:
        return True
    if session.closed_event.is_set():
        return False
    return any(getattr(status, "value", status) == "connected" for status in session.page_status.values())


# The play loop's smallest pause between two days, after the page has drawn the last one: it
# lets the render that drew it finish. Without it the loop can change the page's state during
# every render pass (a fast model at full speed), and Solara aborts the render after 100 passes.
SETTLE_SECONDS = 0.02


@solara.component
def PlayLoop(drawn: threading.Event):
    """Steps the model while playing, at most ``speed`` days per second.

    Paced by the page: after each day it waits until the page has drawn it (``drawn``, set by
    ``Page`` after every render of a new day), so the loop never outruns the browser.
    """

    def loop():
        try:
            run_days()
        except Exception as exc:  # show it on the page instead of dying silently
            traceback.print_exc()
            message.value = f"error while playing: {exc!r}"
            playing.value = False

    def run_days():
        started, first_day = time.perf_counter(), model_ref.value.day
        session = _session_context()
        last_frame, owed = time.perf_counter(), 0.0
        while playing.value:
            if not _has_viewer(session):
                return  # the tab was closed: stop using the CPU for nobody
            # the class's tabs share the server (dashboards/pacing.py): wait for this tab's turn,
            # then catch up on the days the speed asked for meanwhile, in one frame
            pacing.BUDGET.wait_turn(lambda: playing.value and _has_viewer(session))
            t0 = time.perf_counter()
            days, owed = pacing.days_this_frame(speed.value, t0 - last_frame, owed)
            last_frame = t0
            model = model_ref.value
            for _ in range(days):
                if not playing.value:
                    break  # Pause takes effect at the next day
                with _lock(model):
                    model.step()
                if after_step(model):
                    playing.value = False  # the lesson's intervention day: pause for the class
                if model.day >= horizon.value:
                    playing.value = False
            elapsed = time.perf_counter() - started
            # a plain attribute, not a reactive: setting a reactive would render the page twice a day
            model.__dict__["_dashboard_rate"] = (model.day - first_day) / max(elapsed, 1e-9)
            drawn.clear()
            tick.value += 1  # renders the page for this day
            drawn.wait(timeout=1.0)
            # the next frame comes a day after this one began, or once this one is drawn (it then
            # owes the days since: a slow frame is followed by a bigger one, not by a longer rest)
            time.sleep(max(SETTLE_SECONDS, 1.0 / speed.value - (time.perf_counter() - t0)))

    solara.lab.use_task(loop, dependencies=[playing.value], prefer_threaded=True)


def read_whole_number(text: str, low: int, high: int) -> tuple[int | None, str | None]:
    """``text`` as a whole number from ``low`` to ``high``, or None and what is allowed."""
    try:
        number = int(str(text).strip())
    except ValueError:
        return None, "a whole number"
    return (number, None) if low <= number <= high else (None, f"{low} to {high}")


@solara.component
def WholeNumberField(label: str, value: solara.Reactive, low: int, high: int):
    """A whole number a teacher types (the seed, the day to stop at). What is typed is kept as a
    draft in the field until Enter or leaving the field commits it: while a run plays, the page is
    drawn several times a second, and a field that showed only the committed value lost the
    digits typed between two frames. A value out of range says what is allowed."""
    draft, set_draft = solara.use_state(str(value.value))
    error, set_error = solara.use_state(None)
    # a preset, a lesson or a link that sets the value shows in the field
    solara.use_effect(lambda: set_draft(str(value.value)), [value.value])

    def commit(text) -> None:
        number, problem = read_whole_number(text, low, high)
        set_error(problem)
        if number is not None:
            value.value = number
            set_draft(str(number))

    field = solara.v.TextField(v_model=draft, on_v_model=set_draft, error=bool(error),
                               type="number", label=label + (f" (give {error})" if error else ""))
    use_change(field, commit)


@solara.component
def Controls():
    model = model_ref.value
    with solara.Card("Run", margin=0):
        solara.Select(
            label="Preset scenario", value=scenario_name.value, values=list(page_presets()),
            on_value=load_preset,
        )
        description = resolve(scenario_name.value).description if scenario_name.value in available() else ""
        solara.Text(f"{description} (Play, Step and Reset are above the map.)",
                    style={"font-size": "13px", "color": "#555"})
        solara.SliderInt("Speed (days per second)", value=speed, min=1, max=60)
        WholeNumberField("Seed", seed, 0, links.MAX_SEED)
        WholeNumberField("Stop at day", horizon, 1, MAX_DAYS)  # as `morale run --days`
        if model is not None:
            solara.FileDownload(
                data=lambda: model.timeseries().to_csv(index=False).encode(),
                filename=f"{scenario_name.value}_seed{seed.value}_day{model.day}.csv",
                label="Download time series (CSV)",
            )


def _units(s: dict) -> str:
    return "0 to 1" if s["units"] == "0..1" else s["units"]


def _value_text(s: dict, value) -> str:
    return str(int(value)) if s["type"] == "int" else f"{float(value):.2f}"


@solara.component
def Lever(s: dict, value, on_value):
    """One lever: its plain-English label and units, its value as text, the slider, and what its
    two ends mean (hover for the full meaning). Everything comes from the parameter's definition."""
    name = s["name"]
    is_int = s["type"] == "int"
    ends = []
    if s["low"]:
        ends.append(f"<div><b>{_value_text(s, s['min'])}</b>: {html.escape(s['low'])}</div>")
    if s["high"]:
        ends.append(f"<div><b>{_value_text(s, s['max'])}</b>: {html.escape(s['high'])}</div>")
    if not ends:
        ends.append(f"<div>{html.escape(s['meaning'])}</div>")
    with solara.v.Html(tag="div", class_="lever", attributes={"data-testid": f"lever-{name}",
                                                                 "title": s["meaning"]}):
        solara.HTML(tag="div", classes=["lever-head"], unsafe_innerHTML=(
            f'<span class="lever-label">{html.escape(s["label"] or name)} '
            f'<span class="lever-units">({html.escape(_units(s))})</span></span>'
            f'<span class="lever-value" data-testid="lever-value-{name}">{_value_text(s, value)}</span>'
        ))
        solara.v.Slider(
            v_model=value, min=s["min"], max=s["max"], step=1 if is_int else 0.05,
            on_v_model=lambda v: on_value(round(v) if is_int else float(v)),
            hide_details=True, dense=True, thumb_label=False, class_="lever-slider",
        )
        solara.HTML(tag="div", classes=["lever-ends"], unsafe_innerHTML="".join(ends))


@solara.component
def LeverControls():
    values = controls.value
    with solara.Card("Policy levers (take effect tomorrow)", margin=0):
        for s in LEVER_SPECS:
            name = s["name"]
            Lever(s, values.get(name, s["default"]), lambda v, n=name: set_lever(n, v))
    with solara.Details("Army shape (applies on Reset)"):
        for s in ARMY_SPECS:
            name = s["name"]
            if s["type"] == "int":
                solara.InputInt(f"{s['label'] or name} ({_units(s)})",
                                value=int(values.get(name, s["default"])),
                                on_value=lambda v, n=name: set_army(n, v))
                solara.Text(s["meaning"], style={"font-size": "12px", "color": "#666"})
            else:
                # drawn as a lever (label and value on their own line), so that a long label
                # cannot run into its slider in a narrow sidebar
                Lever(s, float(values.get(name, s["default"])), lambda v, n=name: set_army(n, v))


def _fmt(value) -> str:
    return f"{value:.3f}" if isinstance(value, float) else str(value)


@solara.component
def Inspector(model: MoraleModel, version: int):
    row = selected.value
    with solara.Card("Soldier inspector", margin=0):
        if row is None or row >= model.soldier_table.n:
            solara.Text("Click a soldier on the map to see why he is wavering.")
            return
        with _lock(model):
            info = views.inspect_soldier(model, row)
        cells = [
            f'<td>{label}</td><td class="insp-value" data-testid="insp-{key}">{_fmt(info[key])}</td>'
            for key, label in [
                ("id", "agent id"), ("unit", "unit"), ("posture", "posture"),
                ("service", "service"), ("status", "status"), ("motivation", "motivation"),
                ("fear", "fear"), ("grievance", "grievance"), ("risk_aversion", "risk aversion"),
                ("threshold", "threshold"), ("ties", "ties"), ("ties_deserted", "ties who left"),
                ("combat_days", "days in combat"),
            ]
        ]
        # two label-value pairs a row: the inspector stays about as tall as the map beside it
        rows = "".join(f"<tr>{''.join(cells[i:i + 2])}</tr>" for i in range(0, len(cells), 2))
        d = info["decision"]
        scale = max(abs(v) for k, v in d.items() if k != "row") or 1.0
        bars = []
        for key, label, colour, sign in [
            ("push_fear", "fear", views.PUSH, 1), ("push_grievance", "grievance", views.PUSH, 1),
            ("push_motivation", "lack of motivation", views.PUSH, 1),
            ("push_peers", "comrades leaving", views.PUSH, 1),
            ("push_deployment", "deployment dread", views.PUSH, 1),
            ("push_norm", "leaving is normal here", views.PUSH, 1),
            ("push_home", "worry for home", views.PUSH, 1),
            ("push_cohesion", "bonds with comrades", views.HOLD, 1),
            ("deterrence", "deterrence", views.HOLD, -1), ("noise", "today's mood", views.NEUTRAL, 1),
            ("threshold", "his threshold", views.HOLD, -1),
        ]:
            value = d[key] * sign
            width = 100 * abs(value) / scale
            bars.append(
                f'<tr><td>{label}</td><td style="width:120px"><div style="background:{colour};'
                f'height:9px;width:{width:.0f}%"></div></td>'
                f'<td data-testid="dec-{key}" style="text-align:right">{value:+.3f}</td></tr>'
            )
        margin = d["margin"]
        verdict = ("over his threshold: deserts" if margin > 0 else
                   f"holding, {-margin:.3f} below his threshold")
        solara.HTML(tag="div", unsafe_innerHTML=(
            f'<table class="insp-table" style="font-size:13px" data-testid="inspector">{rows}</table>'
            f'<div style="font-size:13px;margin-top:6px"><b>Today\'s decision</b> '
            f"(push to leave, in vermilion, minus what holds him, in blue, plus mood, vs his threshold)</div>"
            f'<table class="insp-table" style="font-size:13px">{"".join(bars)}</table>'
            f'<div style="font-size:13px" data-testid="dec-margin">margin {margin:+.3f}: {verdict}</div>'
        ))


@solara.component
def Charts(model: MoraleModel, version: int):
    ts = model.datacollector.model_vars
    marks = views.lever_marks(model)
    days = max(horizon.value, model.day)
    charts = [
        views.line_chart(
            "Desertion rate", [
                ("front line", views.OKABE_ITO["vermillion"], ts["desertion_rate_frontline"]),
                ("rear", views.OKABE_ITO["blue"], ts["desertion_rate_rear"]),
                ("army", views.OKABE_ITO["black"], ts["desertion_rate"]),
            ], percent=True, marks=marks, days=days, testid="chart-desertion",
        ),
        views.line_chart(
            "Motivation, fear, grievance (means)", [
                ("motivation", views.OKABE_ITO["blue"], ts["mean_motivation"]),
                ("fear", views.OKABE_ITO["vermillion"], ts["mean_fear"]),
                ("grievance", views.OKABE_ITO["orange"], ts["mean_grievance"]),
            ], y_max=1.0, marks=marks, days=days, testid="chart-morale",
        ),
        views.line_chart(
            "Strength and combat effectiveness", [
                ("present / authorised", views.OKABE_ITO["black"],
                 [p / max(int(model.unit_table.authorised.sum()), 1) for p in ts["present"]]),
                ("combat effectiveness", views.OKABE_ITO["reddish_purple"], ts["combat_effectiveness"]),
            ], y_max=1.0, marks=marks, days=days, testid="chart-strength",
        ),
        views.line_chart(
            "Supply on hand and medical care", [
                ("supply", views.OKABE_ITO["bluish_green"], ts["supply"]),
                ("medical care", views.OKABE_ITO["reddish_purple"], ts["medical"]),
            ], y_max=1.0, marks=marks, days=days, testid="chart-supply",
        ),
    ]
    solara.HTML(tag="div", unsafe_innerHTML=(
        '<div class="chart-grid">' + "".join(f"<div>{c}</div>" for c in charts) + "</div>"
    ))


@solara.component
def ArmyTab(model: MoraleModel, version: int):
    with _lock(model):
        layout = views.unit_map(model)
    with solara.Row(classes=["army-row"], gap="12px"):
        with solara.Column(classes=["army-map"], gap="4px"):
            UnitMapView(
                cells_json=json.dumps(layout.cells, separators=(",", ":")),
                units=layout.units, bands=layout.bands, width=layout.width,
                height=layout.height, colors=COLORS,
                selected=-1 if selected.value is None else int(selected.value),
                event_select_soldier=lambda row: selected.set(int(row)),
            )
            Legend()
        with solara.Column(classes=["army-inspector"]):
            Inspector(model, version)
    Charts(model, version)
    Hysteresis(model, version)


LEVER_LABELS = {s["label"] or s["name"]: s["name"] for s in LEVER_SPECS}


@solara.component
def Hysteresis(model: MoraleModel, version: int):
    """Desertion against a lever, day by day: the way back after a shock against the way out."""
    name = hysteresis_lever.value
    s = next(x for x in LEVER_SPECS if x["name"] == name)
    with _lock(model):
        ts = model.datacollector.model_vars
        points = views.hysteresis_points(ts["desertions_today"], ts["present"],
                                         views.lever_history(model, name))
    with solara.Row(classes=["hyst-row"], gap="18px"):
        with solara.Column(classes=["hyst-chart"], gap="0px"):
            solara.HTML(tag="div", unsafe_innerHTML=views.hysteresis_chart(
                points, s["label"] or name, float(s["min"]), float(s["max"]),
                days=max(horizon.value, model.day)))
        with solara.Div(classes=["hyst-text"]):
            solara.Select(label="Lever on the x axis", value=s["label"] or name,
                          values=list(LEVER_LABELS), on_value=lambda v: hysteresis_lever.set(LEVER_LABELS[v]),
                          classes=["hyst-lever"])
            _html("Each dot is a day: how many soldiers deserted (per 1000 present, a 7-day mean) "
                  "against the lever in force that day, joined day to day, light early, dark late. "
                  "Move the lever, or play the <i>hysteresis</i> lesson: if desertion came back down "
                  "the way it went up, the dark dots would lie on the light ones. Where they do not, "
                  "the army remembers the shock.")


@solara.component
def CycleTab(model: MoraleModel, version: int):
    with _lock(model):
        diagram = views.loop_diagram(model)
    with solara.Row(classes=["army-row"], gap="12px"):
        solara.HTML(tag="div", unsafe_innerHTML=diagram, classes=["cycle-diagram"])
        _html(
            "<b>The morale cycle.</b> Solid vermilion arrows are reinforcing loops (desertion "
            "breeds desertion), dashed blue ones balancing (they hold soldiers back). Every arrow is "
            "drawn to one scale: its width is how hard its loop pushes or holds today, in the same "
            "units as a soldier's push to leave, so a weak loop looks weak beside a strong one. The "
            "strongest loop now is named above the diagram and highlighted in yellow; the bar "
            "weighs all the reinforcing loops against all the balancing ones.<ul>"
            "<li><b>Friends leaving</b> <small>R1</small>: once enough of a soldier's ties have left "
            "(his own threshold), he follows.</li>"
            "<li><b>Stretched thin</b> <small>R2</small>: the same duties over fewer soldiers raise "
            "fear.</li>"
            "<li><b>Supply strain</b> <small>R3</small>: losses strain supply; shortages breed "
            "grievance.</li>"
            "<li><b>Punishment breeds anger</b> <small>R4</small>: harsh punishment breeds "
            "grievance.</li>"
            "<li><b>Police overwhelmed</b> <small>R5</small>: when deserters outnumber the military "
            "police, each is less likely caught, and soldiers know it.</li>"
            "<li><b>Bonds broken</b> <small>R6</small>: losses and raw replacements cut the bonds "
            "that hold soldiers in their unit; they take weeks to regrow.</li>"
            "<li><b>Leaving becomes normal</b> <small>R7</small>: once many of a unit have gone, "
            "leaving stops being shameful; newcomers inherit the norm.</li>"
            "<li><b>Fear of capture</b> <small>B1</small>: certainty x severity of punishment holds "
            "soldiers back.</li>"
            "<li><b>Replacements</b> <small>B2</small>, <b>Rotation</b> <small>B3</small> (their "
            "figures count replacements and relieved units, not push), <b>Propaganda</b> "
            "<small>B4</small> (weak, fading).</li>"
            "</ul>",
            classes=["cycle-text"],
        )


@solara.component
def CascadesTab(model: MoraleModel, version: int):
    with _lock(model):
        table = model.cascades.table()
        sizes = table["size"].to_numpy()
    solara.HTML(tag="div", unsafe_innerHTML=(
        f'<div class="chart-grid"><div>{views.cascade_histogram(sizes)}</div><div>'
        f"{views.cascade_timeline(table, model.unit_table.n, max(horizon.value, model.day))}</div></div>"))
    big = int((sizes >= 5).sum())
    _html(
        f"{sizes.size} cascades so far, {big} of five deserters or more; the largest has "
        f"{int(sizes.max()) if sizes.size else 0}. A cascade is a set of desertions linked "
        "along ties (squad mates or friends) within 3 days of each other; a lone deserter "
        "is a cascade of one."
    )


def run_comparison() -> None:
    """Run presets A and B headless with the same seed and horizon."""
    result = {}
    for side, name in (("A", compare_a.value), ("B", compare_b.value)):
        scenario = resolve(name)
        model = MoraleModel(rng=int(seed.value), params=scenario.params, events=scenario.events)
        model.run(int(horizon.value))
        result[side] = {"name": name, "series": model.datacollector.model_vars,
                        "final": dict(model.metrics)}
    compare_result.value = result


@solara.component
def CompareTab():
    presets = list(page_presets())
    with solara.Row():
        solara.Select(label="A", value=compare_a, values=presets)
        solara.Select(label="B", value=compare_b, values=presets)
        solara.Button("Run A/B", color="primary", on_click=run_comparison, classes=["compare-button"])
    solara.Text(f"Same seed ({seed.value}) and horizon ({horizon.value} days) for both.")
    result = compare_result.value
    if not result:
        return
    a, b = result["A"], result["B"]
    charts = []
    for metric, title, percent, y_max in [
        ("desertion_rate", "Desertion rate, A vs B", True, None),
        ("present", "Soldiers present, A vs B", False, None),
        ("mean_fear", "Mean fear, A vs B", False, 1.0),
        ("mean_grievance", "Mean grievance, A vs B", False, 1.0),
    ]:
        charts.append(views.line_chart(
            title, [(f"A: {a['name']}", views.PUSH, a["series"][metric]),
                    (f"B: {b['name']}", views.HOLD, b["series"][metric])],
            percent=percent, y_max=y_max, testid=f"compare-{metric}",
        ))
    rows = "".join(
        f"<tr><td>{label}</td><td data-testid='cmp-a-{key}'>{fmt(a['final'][key])}</td>"
        f"<td data-testid='cmp-b-{key}'>{fmt(b['final'][key])}</td></tr>"
        for key, label, fmt in [
            ("desertion_rate", "desertion rate", lambda v: f"{v:.1%}"),
            ("desertion_rate_frontline", "frontline rate", lambda v: f"{v:.1%}"),
            ("largest_cascade", "largest cascade", str),
            ("present", "present at the end", str),
        ]
    )
    solara.HTML(tag="div", unsafe_innerHTML=(
        f'<table style="font-size:13px" cellpadding="4" data-testid="compare-table"><tr><th></th>'
        f"<th>A: {a['name']}</th><th>B: {b['name']}</th></tr>{rows}</table>"
        '<div class="chart-grid">' + "".join(f"<div>{c}</div>" for c in charts) + "</div>"
    ))


# ---- lesson mode ------------------------------------------------------------------


@solara.component
def LessonPicker():
    with solara.Card("Classroom lesson", margin=0):
        names = list(lessons.available())
        current = lesson_ref.value.name if lesson_ref.value is not None else None
        solara.Select(label="Lesson", value=current, values=names, on_value=load_lesson)
        if lesson_ref.value is not None:
            solara.Button("Leave the lesson", text=True, on_click=leave_lesson, classes=["leave-lesson"])
        else:
            solara.Text("Predict, run, explain: `morale lessons` lists them.",
                        style={"font-size": "13px", "color": "#555"})


def go_explain() -> None:
    lesson, model = lesson_ref.value, model_ref.value
    playing.value = False
    with _lock(model):
        values = {k: list(v) for k, v in model.datacollector.model_vars.items()}
    lesson_outcome.value = lessons.outcome_of_series(lesson, int(seed.value), values)
    lesson_step.value = 2


def _choice_label(i: int) -> str:
    return links.CHOICE_LETTERS[i - 1]


@solara.component
def LessonPanel(model: MoraleModel, version: int):
    lesson = lesson_ref.value
    day, at, when = model.day, lesson.at, lesson.intervention.day
    applied = any(c["day"] == when and c["name"] in lesson.intervention.levers for c in model.lever_changes)
    steps = ["1 Predict", "2 Run", "3 Explain"]
    with solara.Card(f"Lesson: {lesson.title}", margin=0, classes=["lesson-panel"]):
        with solara.Row():
            for i, label in enumerate(steps):
                # in order: no Run without a prediction, no Explain before the run reaches its day
                reachable = i == 0 or (prediction.value is not None and (i == 1 or day >= at))
                solara.Button(
                    label, color="primary" if lesson_step.value == i else None,
                    outlined=lesson_step.value != i, disabled=not reachable,
                    on_click=go_explain if i == 2 else (lambda i=i: lesson_step.set(i)),
                    classes=[f"lesson-step-{i + 1}"],
                )
        if lesson_step.value == 0:
            _html(f"<b>Predict.</b> {html.escape(lesson.question.text)}")
            with solara.v.RadioGroup(v_model=prediction.value, on_v_model=prediction.set):
                for i, choice in enumerate(lesson.question.choices, start=1):
                    solara.v.Radio(label=f"{_choice_label(i)}. {choice.text}", value=i)
            solara.Button("Lock in my prediction", color="primary", disabled=prediction.value is None,
                          on_click=lambda: lesson_step.set(1), classes=["lock-prediction"])
        elif lesson_step.value == 1:
            levers = lesson.lever_text()
            if applied:
                status = f"Applied on day {when}: {levers}. It takes effect from day {when + 1}."
            else:
                status = f"Day {day} of {lesson.days}: on day {when} the lesson will apply {levers}."
            _html(f"<b>Run.</b> {html.escape(lesson.intervention.text)}")
            _html(f"<b>What to watch.</b> {html.escape(lesson.spec.watch)}")
            solara.HTML(tag="div", unsafe_innerHTML=(
                f'<div data-testid="lesson-intervention" style="font-size:13px;margin:4px 0;'
                f'color:{"#1b5e20" if applied else "#555"}">{html.escape(status)}</div>'))
            with solara.Row():
                solara.Button(
                    "Pause the lesson" if playing.value else
                    (f"Play to day {when}" if not applied and pause_at_intervention.value
                     else f"Play to day {horizon.value}"),
                    color="primary", on_click=lambda: playing.set(not playing.value),
                    disabled=day >= horizon.value and not playing.value, classes=["lesson-play"],
                )
                solara.Checkbox(label=f"Pause on day {when}", value=pause_at_intervention)
                solara.Button("Explain", disabled=day < at, on_click=go_explain, classes=["lesson-explain"])
            ts = model.datacollector.model_vars
            metric = lesson.check.metric
            solara.HTML(tag="div", style={"max-width": "520px"}, unsafe_innerHTML=views.line_chart(
                f"Watch: {metric}", [(metric, views.PUSH, ts[metric])], marks=views.lever_marks(model),
                days=max(horizon.value, day), testid="lesson-watch-chart",
            ) + f'<div style="font-size:11px;color:#666">{html.escape(metric)}: '
                f"{html.escape(METRICS[metric])}</div>")
        else:
            _explain(lesson, model)


def _explain(lesson, model: MoraleModel) -> None:
    outcome = lesson_outcome.value
    picked = prediction.value
    rows = []
    if picked is not None:
        rows.append(f"<b>Your prediction:</b> {_choice_label(picked)}. "
                    f"{html.escape(lesson.question.choices[picked - 1].text)}")
    if outcome is not None:
        c = lesson.check
        measured = (f"{lessons.format_value(outcome.value)} vs {lessons.format_value(outcome.reference)}"
                    f" ({html.escape(lessons.AGAINST[c.against])}): effect "
                    f"{lessons.format_effect(lesson, outcome.effect)}")
        bore = (f"choice {_choice_label(outcome.choice)}. "
                f"{html.escape(lesson.question.choices[outcome.choice - 1].text)}"
                if outcome.choice else "none of the choices")
        rows.append(f"<b>Measured in this run</b> (seed {outcome.seed}): {html.escape(c.describe)}: "
                    f"<span data-testid='lesson-effect'>{measured}</span>")
        rows.append(f"<b>This run bore out</b> <span data-testid='lesson-bore-out'>{bore}</span>"
                    + (" — <b>as you predicted</b>." if picked is not None and outcome.choice == picked
                       else "."))
        rows.append(f"<b>The model over seeds {lessons.CHECK_SEEDS[0]}-{lessons.CHECK_SEEDS[-1]}</b> "
                    f"(checked by the tests): choice {_choice_label(lesson.question.answer)}. "
                    f"{html.escape(lesson.answer.text)}")
    manual = [ch for ch in model.lever_changes if not (
        ch["day"] == lesson.intervention.day and ch["name"] in lesson.intervention.levers)]
    if manual:
        rows.append("<i>You also moved levers by hand, so this run is not quite the lesson's experiment.</i>")
    solara.HTML(tag="div", unsafe_innerHTML=(
        '<div data-testid="lesson-outcome" style="font-size:13px;line-height:1.5">'
        + "".join(f"<div>{r}</div>" for r in rows) + "</div>"))
    paragraphs = [p.strip() for p in lesson.spec.explain.split("\n\n") if p.strip()]
    _html("<b>What happened and why.</b> " + "".join(
        "<p>" + re.sub(r"`([^`]+)`", r"<code>\1</code>", html.escape(p)) + "</p>" for p in paragraphs))


def _html(inner: str, classes: list[str] | None = None) -> None:
    """A paragraph of HTML (not solara.Markdown: its math support fetches KaTeX from a CDN)."""
    solara.HTML(tag="div", unsafe_innerHTML=f'<div style="font-size:14px;margin:6px 0">{inner}</div>',
                classes=classes or [])


# ---- the start card, the toolbar and the Info panel --------------------------------------

# Projector fit (a 1024 x 768 classroom projector): no horizontal scrolling, lever labels and
# headings at 14 px or more, words that never break in the middle. The sidebar has one width at
# every window size: the main area's margin is measured once, on load, so a sidebar whose width
# followed the window would cover the main area after a resize.
CSS = """
.v-card__title { word-break: normal !important; overflow-wrap: normal; hyphens: none; }
.v-navigation-drawer .v-card__title { font-size: 18px; line-height: 1.3; }
.v-navigation-drawer { width: 340px !important; min-width: 340px !important; max-width: 340px !important; }
.v-navigation-drawer .v-btn { text-transform: none; letter-spacing: 0; font-size: 15px; }
.lever { margin: 2px 0 14px 0; }
.lever-head { display: flex; justify-content: space-between; align-items: baseline; gap: 8px;
              font-size: 15px; line-height: 1.3; color: #222; }
.lever-units { font-size: 14px; color: #555; white-space: nowrap; }
.lever-value { font-size: 16px; font-weight: bold; font-variant-numeric: tabular-nums; white-space: nowrap; }
.lever-ends { font-size: 12px; line-height: 1.35; color: #555; }
.lever-slider { margin-top: 0; padding-top: 0; }
.v-navigation-drawer .v-input__slider .v-input__slot { flex-wrap: wrap; }
.v-navigation-drawer .v-input__slider .v-input__slot .v-slider { flex: 1 1 100%; }
.toolbar { display: flex; flex-wrap: wrap; align-items: center; gap: 6px 12px; margin: 2px 0 6px 0; }
.toolbar .stats { font-size: 15px; flex: 1 1 320px; min-width: 0; }
.army-row { flex-wrap: wrap; align-items: flex-start; }
.army-map { flex: 1 1 560px; min-width: 0; }
.army-inspector { flex: 1 1 300px; max-width: 400px; }
.insp-value { padding: 0 12px 0 6px; font-variant-numeric: tabular-nums; }
.insp-table td { line-height: 1.35; white-space: nowrap; padding-top: 0; padding-bottom: 0; }
.cycle-diagram { flex: 3 1 560px; min-width: 0; }
.cycle-text { flex: 2 1 280px; }
.link-message { font-size: 14px; color: #7a4a00; background: #fff6d6; padding: 4px 8px; margin: 2px 0;
                white-space: nowrap; overflow: hidden; text-overflow: ellipsis; }
.share-link { display: flex; align-items: center; gap: 8px; margin: 0 0 6px 0; min-width: 0; }
.share-link .v-btn { text-transform: none; letter-spacing: 0; }
.share-input { flex: 1 1 auto; min-width: 0; max-width: 640px; font-size: 12px; color: #555;
               border: 1px solid #ccc; border-radius: 3px; padding: 2px 6px; }
.copy-status { font-size: 13px; color: #1b5e20; }
.hyst-row { flex-wrap: wrap; align-items: flex-start; margin-top: 8px; }
.hyst-chart { flex: 1 1 420px; max-width: 620px; min-width: 0; }
.hyst-text { flex: 1 1 260px; max-width: 480px; }
@media (max-width: 1200px) { .army-inspector { max-width: none; } }
.chart-grid { display: grid; gap: 6px 18px;
              grid-template-columns: repeat(auto-fit, minmax(min(100%, max(300px, calc(50% - 18px))), 1fr)); }
.chart-title { font-size: 15px; font-weight: bold; line-height: 1.3; }
.chart-legend { font-size: 13px; display: flex; flex-wrap: wrap; gap: 0 14px; line-height: 1.4; }
.chart-key { white-space: nowrap; }
.chart-key svg { vertical-align: middle; margin-right: 4px; }
.chart-marks { position: relative; margin-top: 2px; }
.lever-mark-tag { position: absolute; bottom: 0; white-space: nowrap; max-width: 100%; }
.lever-mark-stem { position: absolute; top: 0; bottom: 0; border-left: 1px dashed #444; }
.lever-mark-label { position: relative; display: inline-block; background: #fff; color: #222;
                    padding: 0 4px; max-width: 100%; overflow: hidden; text-overflow: ellipsis; }
.start-card .start-text { font-size: 16px; line-height: 1.5; max-width: 900px; }
.start-buttons { display: flex; flex-wrap: wrap; gap: 12px; margin-top: 10px; }
.start-title { font-size: 22px; font-weight: 500; margin: 0; }
.start-buttons .v-btn.v-btn { height: auto; min-height: 64px; padding: 10px 16px; flex: 1 1 200px;
                              min-width: 0; text-transform: none; font-size: 18px; letter-spacing: 0; }
.start-buttons .v-btn .v-btn__content { white-space: normal; flex: 1 1 auto; min-width: 0; }
.start-buttons .v-btn .v-btn__content > span { display: flex; flex-direction: column; align-items: center;
                                               line-height: 1.3; text-align: center; }
.start-buttons .v-btn small { font-size: 13px; font-weight: normal; opacity: 0.9; }
.info-panel { font-size: 15px; line-height: 1.5; }
.info-panel h3 { font-size: 16px; margin: 8px 0 2px 0; }
.info-panel ul { margin: 0; }
"""

START_TEXT = (
    "An army of soldiers, each with his own motivation, fear and grievance, serves in companies "
    "under officers, at the front, in the second line or in reserve. "
    "When soldiers desert, their squad mates and friends are pushed to follow, and every "
    "desertion worsens the conditions that caused it: desertion feeds back on itself. "
    "Pull the policy levers on the left (supplies, officers, punishment, the hunt for deserters, "
    "propaganda) and watch how the army answers."
)


def start_lesson() -> None:
    """The start card's first button: the lesson, as the sidebar's lesson picker opens it."""
    load_lesson(START_LESSON_NAME)
    show_start.value = False


def watch_collapse() -> None:
    """The start card's second button: the meat-grinder preset on the army view, playing."""
    load_preset(COLLAPSE_PRESET)
    tab.value = VIEW_TABS["army"]
    show_start.value = False
    if model_ref.value is not None:
        playing.value = True


def free_play() -> None:
    """The start card's third button: the baseline army, every lever free."""
    load_preset(FREE_PLAY_PRESET)
    tab.value = VIEW_TABS["army"]
    show_start.value = False


@solara.component
def StartCard():
    lesson = lessons.resolve(START_LESSON_NAME)
    collapse = resolve(COLLAPSE_PRESET)
    with solara.Card(margin=0, classes=["start-card"]):
        with solara.Row(justify="space-between", style={"align-items": "center"}):
            solara.HTML(tag="h2", unsafe_innerHTML="Start here", classes=["start-title"])
            solara.Button("Close", text=True, icon_name="mdi-close", on_click=lambda: show_start.set(False),
                          classes=["start-close"])
        solara.HTML(tag="div", unsafe_innerHTML=(
            f'<div class="start-text" data-testid="start-text">{html.escape(START_TEXT)} '
            "<i>Info</i> (above the map) says how the model works.</div>"))
        with solara.Div(classes=["start-buttons"]):
            solara.Button(
                children=[solara.HTML(tag="span", unsafe_innerHTML=(
                    f"The morale cycle lesson<small>{html.escape(lesson.title)}: predict, run, explain"
                    "</small>"))],
                color="primary", on_click=start_lesson, classes=["start-lesson"],
            )
            solara.Button(
                children=[solara.HTML(tag="span", unsafe_innerHTML=(
                    "Watch a company collapse<small>the meat_grinder scenario: combat intensity "
                    f"{collapse.params.combat_intensity:g}</small>"))],
                color="primary", on_click=watch_collapse, classes=["start-collapse"],
            )
            solara.Button(
                children=[solara.HTML(tag="span", unsafe_innerHTML=(
                    "Free play<small>the baseline army: every lever is yours</small>"))],
                color="primary", outlined=True, on_click=free_play, classes=["start-free"],
            )


INFO_HTML = """
<h3>What is it?</h3>
<p>A teaching model, not a forecast, of mass desertion as a self-perpetuating cycle. An army
(baseline: 20 companies of 100 soldiers) fights a war of attrition; there is no enemy and no
map. Each soldier has his own motivation, fear, grievance, risk aversion and desertion
threshold; conscripts start less motivated than contract volunteers. Soldiers sit in squads
(squad mates are tied to each other) with a few friends elsewhere in their company; each company
has an officer and a posture: front line, second line or reserve.</p>
<h3>How it works</h3>
<p>One step is one day. Frontline companies take casualties, which frighten the unit, friends
most; a soldier's own close calls frighten him most. Bad news from home reaches soldiers at the
front and in the rear alike and pulls them home for weeks. Supply shortfalls, harsh officers
and understrength units breed grievance; competent officers lift motivation, comrades leaving
erode it, propaganda lifts it for a while. Then each soldier weighs leaving: his <b>push</b>
(fear, grievance, missing motivation, friends who have gone, his company's desertion norm, dread
of being sent to the front, worry for home), minus the pull of a cohesive unit, minus
<b>deterrence</b> (how sure he is of being caught x how severe the punishment is x his risk
aversion: what holds most soldiers back, as in Epstein's model of civil violence), against his
own <b>threshold</b>. Military police catch some deserters: jailed, or
sent back to their unit, which sees it (and no longer counts them as gone). Replacements, mostly
conscripts, fill the gaps. The loops (see <i>Morale cycle</i>):</p>
<ul>
<li>reinforcing: <b>Friends leaving</b> (R1: friends leaving push a soldier past his threshold),
<b>Stretched thin</b> (R2: fewer soldiers, the same duties: more fear), <b>Supply strain</b> (R3: losses
strain supply: grievance), <b>Punishment breeds anger</b> (R4: harsh punishment breeds grievance),
<b>Police overwhelmed</b> (R5: deserters outnumber the police: capture grows unlikely), <b>Bonds
broken</b> (R6: losses and raw replacements cut the bonds that hold a unit), <b>Leaving becomes
normal</b> (R7: once many have gone, leaving stops being shameful);</li>
<li>balancing: <b>Fear of capture</b> (B1), <b>Replacements</b> (B2), <b>Rotation</b> (B3),
<b>Propaganda</b> (B4: a lift that fades as soldiers get used to it).</li>
</ul>
<h3>Things to notice</h3>
<ul>
<li>Where desertion comes from: the front line, or the rear? Hover a company's label on the map.</li>
<li>Whether companies lose soldiers one by one, or in clusters: bright vermilion cells, several in
one squad, are a cascade spreading along ties (<i>Cascades</i> view).</li>
<li>Which loop the <i>Morale cycle</i> view names as the strongest now, and when that changes.</li>
<li>Below the charts, desertion against a lever: after a shock, does the way back retrace the way out?</li>
<li>Supply and medical care reach the companies with a delay of about two weeks.</li>
</ul>
<h3>Things to try</h3>
<ul>
<li>Raise the <i>Hunt for deserters</i> in one run and the <i>Punishment for desertion</i> in another:
which holds the line better, and what does each cost in grievance?</li>
<li>Set <i>Pull of comrades leaving</i> to 0: do the cascades disappear?</li>
<li>Cut the <i>Supply budget</i> for a month, then restore it: does the army recover?</li>
<li>Relieve the front every 30 days (<i>Days at the front before relief</i>).</li>
<li>Change the seed and press Reset: the same army and levers, other soldiers. Does the same
company tip?</li>
<li><i>Compare A/B</i>: harsh_penalties against root_causes_reform; and the lessons in the sidebar.</li>
</ul>
<p style="font-size:13px;color:#555">Built with Mesa (the model) and Solara (this page).</p>
"""


@solara.component
def InfoPanel():
    with solara.Card("Info", margin=0, classes=["info-panel"]):
        solara.HTML(tag="div", unsafe_innerHTML=f'<div data-testid="info-panel">{INFO_HTML}</div>')
        solara.Button("Close Info", text=True, on_click=lambda: show_info.set(False), classes=["info-close"])


@solara.component
def Toolbar(model: MoraleModel, version: int):
    """Play, Step and Reset with the day's figures, above the views (where a projector shows them)."""
    m = model.metrics
    where = scenario_name.value
    if lesson_ref.value is not None:
        where = f"lesson {lesson_ref.value.name} ({where})"
    with solara.Div(classes=["toolbar"]):
        solara.Button(
            "Pause" if playing.value else "Play", color="primary",
            icon_name="mdi-pause" if playing.value else "mdi-play",
            on_click=lambda: playing.set(not playing.value), classes=["play-button"],
        )
        solara.Button("Step", on_click=step_once, disabled=playing.value, classes=["step-button"])
        solara.Button("Reset", on_click=reset_model, classes=["reset-button"])
        solara.HTML(tag="div", classes=["stats"], unsafe_innerHTML=(
            f'<b data-testid="day">Day {model.day}</b> · {where}, seed {seed.value} · '
            f'desertion <b data-testid="desertion-rate">{m["desertion_rate"]:.1%}</b> '
            f'(front line {m["desertion_rate_frontline"]:.1%}, rear {m["desertion_rate_rear"]:.1%}) · '
            f'{m["present"]} present · {m["desertions_today"]} deserted today'
            f'<span style="color:#666;font-size:13px;margin-left:12px" data-testid="play-rate">'
            + (f"playing at {model.__dict__.get('_dashboard_rate', 0.0):.1f} days/s"
               if playing.value else "") +
            "</span>"
        ))
        if not show_start.value:
            solara.Button("Start here", text=True, on_click=lambda: show_start.set(True),
                          classes=["start-open"])
        solara.Button("Hide info" if show_info.value else "Info", text=True,
                      icon_name="mdi-information-outline",
                      on_click=lambda: show_info.set(not show_info.value), classes=["info-toggle"])


def _play_hides_start(value: bool) -> None:
    if value:
        show_start.value = False


@solara.component
def Page():
    solara.Title("unit-morale")
    solara.Style(CSS)
    router = solara.use_router()
    # first render of this tab: the run in its link, else the chosen lesson or preset
    if not controls.value and not open_link(router.search):
        if START_LESSON:
            load_lesson(START_LESSON)
        if not controls.value:
            load_preset(scenario_name.value)
    model = model_ref.value
    # Components get `version` so they re-render whenever the model moves: reacton skips
    # a child whose arguments did not change, and the model object itself stays the same.
    version = tick.value
    drawn = solara.use_memo(threading.Event, [])
    solara.use_effect(drawn.set, [version])  # this day is drawn: the play loop may go on
    solara.use_effect(lambda: _play_hides_start(playing.value), [playing.value])
    PlayLoop(drawn)
    with solara.Sidebar():
        LessonPicker()
        Controls()
        LeverControls()
    if message.value:
        solara.Error(message.value)
    if link_message.value:
        solara.HTML(tag="div", unsafe_innerHTML=(
            f'<div data-testid="link-message" class="link-message">{html.escape(link_message.value)}</div>'))
    if model is None:
        solara.Text("Building the army ...")
        return
    if show_start.value:
        StartCard()
    if lesson_ref.value is not None:
        LessonPanel(model, version)
    Toolbar(model, version)
    with _lock(model):
        query = current_link(model)
    ShareLink(query=query)
    if show_info.value:
        InfoPanel()
    with solara.lab.Tabs(value=tab.value, on_value=tab.set):
        solara.lab.Tab("Army")
        solara.lab.Tab("Morale cycle")
        solara.lab.Tab("Cascades")
        solara.lab.Tab("Compare A/B")
    if tab.value == 0:
        ArmyTab(model, version)
    elif tab.value == 1:
        CycleTab(model, version)
    elif tab.value == 2:
        CascadesTab(model, version)
    else:
        CompareTab()


page = Page

# Served by `morale dashboard`: warm up before the server listens, then print the address.
server.announce_when_warm()
