"""Classroom lessons: a scenario, a question to predict, a mid-run intervention, an explanation.

A lesson is a TOML file in ``configs/lessons/`` (see any of them for the full format)::

    title = "The morale cycle tipping"
    order = 1                           # position in `morale lessons`
    scenario = "baseline"               # a preset of configs/scenarios
    seed = 42
    days = 180
    view = "army"                       # the dashboard view to watch: army, cycle or cascades
    watch = "What to watch while it runs."
    explain = "What happened and why (written after running it)."

    [parameters]                        # optional overrides on top of the scenario
    combat_intensity = 0.5

    [intervention]                      # applied with MoraleModel.set_lever on `day`
    day = 60                            # (it takes effect from the next day, like any lever)
    text = "What the command does."
    [intervention.levers]
    combat_intensity = 0.7

    [check]                             # the claim the lesson makes, checked by tests/test_lessons.py
    metric = "deserted_cumulative"      # a daily metric of model/metrics.py
    since = 60                          # optional: read the change since this day (for counts)
    at = 180                            # optional: the day read (default: the last day)
    against = "without"                 # the reference, see AGAINST
    measure = "ratio"                   # effect = this run / reference, or "difference"
    describe = "soldiers deserting after day 60, with the offensive / without"

    [question]
    text = "What do you predict?"
    answer = 3                          # the choice the model bears out (1-based)
    [[question.choices]]
    text = "..."
    effect = [-inf, 1.1]                # the effects this choice stands for: [from, below)

Every parameter name and value (``[parameters]``, ``[intervention.levers]``,
``[check.alternative]``) is checked by the single parameter definition
(``model.parameters``); metrics by ``model.metrics.METRICS``. A bad file raises
``LessonError`` with one line naming the file, the field, the value and what is allowed.
"""

from __future__ import annotations

import difflib
import math
from dataclasses import dataclass
from itertools import pairwise
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

import configs
from experiments.runs import cached_run
from model.events import Event
from model.metrics import METRICS
from model.parameters import ARMY, ParameterError, Parameters, did_you_mean, one_line, validate
from model.scenarios import MAX_DAYS, ScenarioError, preset_or_path, presets, read_toml
from model.scenarios import available as available_scenarios
from model.scenarios import resolve as resolve_scenario

LESSON_DIR = configs.folder("lessons")
CHECK_SEEDS = tuple(range(5))  # the seeds a lesson's claim is checked over
MIN_AGREEING = 4  # of the CHECK_SEEDS, at least this many must fall in the answer's range

AGAINST = {
    "without": "the same army and seed without the intervention",
    "from_start": "the same army and seed with the intervention's levers from day 0 (as if the "
    "shock had never happened)",
    "alternative": "the same army and seed with the [check.alternative] levers on the intervention "
    "day instead",
    "day": "this run on against_day",
    "no_shock": "the same army and seed without its scenario's scheduled lever changes or the "
    "intervention (as if the shock had never happened)",
}


class LessonError(ValueError):
    """A lesson that cannot be used; the message is one line naming what is wrong."""


# ---------------------------------------------------------------------------- #
# The file format
# ---------------------------------------------------------------------------- #


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", strict=True)  # no string or boolean becomes a number


class Choice(_Strict):
    text: str = Field(min_length=1)
    effect: tuple[float, float]

    @field_validator("effect", mode="before")
    @classmethod
    def _pair(cls, value: Any) -> Any:
        return tuple(value) if isinstance(value, list) else value  # TOML gives a list

    @field_validator("effect")
    @classmethod
    def _ordered(cls, value: tuple[float, float]) -> tuple[float, float]:
        lo, hi = value
        if math.isnan(lo) or math.isnan(hi) or not lo < hi:
            raise ValueError("must be [from, below] with from < below (-inf and inf allowed)")
        return value

    def holds(self, effect: float) -> bool:
        """In [from, below); a range open to inf also holds inf (some deserters against none)."""
        low, below = self.effect
        return low <= effect < below or effect == below == math.inf


class Question(_Strict):
    text: str = Field(min_length=1)
    choices: list[Choice] = Field(min_length=2, max_length=4)
    answer: int = Field(ge=1, le=4)


class Intervention(_Strict):
    day: int = Field(ge=1, le=MAX_DAYS)
    text: str = Field(min_length=1)
    levers: dict[str, Any] = Field(min_length=1)


class Check(_Strict):
    metric: str
    at: int | None = Field(None, ge=1, le=MAX_DAYS)
    since: int | None = Field(None, ge=0, le=MAX_DAYS)
    against: Literal["without", "from_start", "alternative", "day", "no_shock"]
    against_day: int | None = Field(None, ge=0, le=MAX_DAYS)
    measure: Literal["ratio", "difference"]
    describe: str = Field(min_length=1)
    alternative: dict[str, Any] | None = None


class LessonFile(_Strict):
    title: str = Field(min_length=1)
    order: int = Field(ge=0, le=1000)
    scenario: str
    seed: int = Field(42, ge=0)
    days: int = Field(ge=2, le=MAX_DAYS)
    view: Literal["army", "cycle", "cascades"] = "army"
    watch: str = Field(min_length=1)
    explain: str = Field(min_length=1)
    parameters: dict[str, Any] = Field(default_factory=dict)
    intervention: Intervention
    check: Check
    question: Question


@dataclass(frozen=True)
class Lesson:
    name: str
    path: Path
    spec: LessonFile

    # Convenient views of the spec
    @property
    def title(self) -> str:
        return self.spec.title

    @property
    def days(self) -> int:
        return self.spec.days

    @property
    def seed(self) -> int:
        return self.spec.seed

    @property
    def intervention(self) -> Intervention:
        return self.spec.intervention

    @property
    def check(self) -> Check:
        return self.spec.check

    @property
    def question(self) -> Question:
        return self.spec.question

    @property
    def at(self) -> int:
        """The day the check reads."""
        return self.spec.check.at if self.spec.check.at is not None else self.spec.days

    @property
    def overrides(self) -> dict[str, Any]:
        """Every parameter the lesson starts from: its scenario's, then its own [parameters]."""
        return {**resolve_scenario(self.spec.scenario).overrides, **self.spec.parameters}

    @property
    def params(self) -> Parameters:
        return validate(self.overrides, source=str(self.path))

    @property
    def events(self) -> tuple[Event, ...]:
        """The scheduled lever changes of its scenario (``[[events]]``), if any."""
        return resolve_scenario(self.spec.scenario).events

    @property
    def answer(self) -> Choice:
        return self.spec.question.choices[self.spec.question.answer - 1]

    def choice_for(self, effect: float) -> int | None:
        """The 1-based choice whose range holds this effect (None if none does)."""
        for i, choice in enumerate(self.spec.question.choices, start=1):
            if choice.holds(effect):
                return i
        return None

    def value_before_intervention(self, name: str) -> Any:
        """A lever's value in force when the intervention comes: the lesson's start, then its
        scenario's events scheduled before the intervention day."""
        value = getattr(self.params, name)
        for event in sorted(self.events, key=lambda e: e.day):
            if event.day < self.intervention.day and name in event.levers:
                value = event.levers[name]
        return value

    def lever_text(self, levers: dict[str, Any] | None = None) -> str:
        """'combat_intensity 0.5 → 0.7, ...' from the values in force before the intervention."""
        levers = self.intervention.levers if levers is None else levers
        return ", ".join(f"{k} {self.value_before_intervention(k):g} → {v:g}" for k, v in levers.items())


# ---------------------------------------------------------------------------- #
# Loading and validating
# ---------------------------------------------------------------------------- #


def _check_parameters(values: dict[str, Any], path: Path, table: str, base: dict[str, Any],
                      live: bool) -> None:
    """Every name and value by the single parameter definition; `live` ones must be settable mid-run."""
    source = f"{path} [{table}]"
    if live:
        for name in values:
            if name in ARMY:
                raise LessonError(f"parameter '{name}' in {source} shapes the army and applies on "
                                  "reset, not mid-run; put it under [parameters]")
    try:
        validate({**base, **values}, source=source, strict=True)
    except ParameterError as exc:
        raise LessonError(str(exc)) from None


def load_file(path: Path) -> Lesson:
    """Read and validate one lesson file."""
    path = Path(path)
    raw = read_toml(path, "lesson file", LessonError)
    try:
        spec = LessonFile.model_validate(raw)
    except ValidationError as exc:
        needs = "{source} needs '{field}'; see configs/lessons/*.toml for the format"
        keys = tuple(LessonFile.model_fields)
        raise LessonError(one_line(exc, str(path), keys=keys, needs=needs)) from None

    scenarios = available_scenarios()
    if spec.scenario not in scenarios:
        raise LessonError(f"'scenario' in {path} = {spec.scenario!r} is not allowed: it must be a preset "
                          f"of configs/scenarios{_did_you_mean(spec.scenario, scenarios)} "
                          f"({', '.join(scenarios)})")
    try:
        base = resolve_scenario(spec.scenario).overrides
    except ScenarioError as exc:
        raise LessonError(str(exc)) from None
    _check_parameters(spec.parameters, path, "parameters", base, live=False)
    start = {**base, **spec.parameters}
    _check_parameters(spec.intervention.levers, path, "intervention.levers", start, live=True)

    c, days = spec.check, spec.days
    at = c.at if c.at is not None else days
    if not spec.intervention.day < days:
        _bad(path, "intervention.day", spec.intervention.day, f"a day from 1 to {days - 1} (days = {days})")
    if at > days:
        _bad(path, "check.at", at, f"a day from 1 to {days} (days = {days})")
    if c.metric not in METRICS:
        _bad(path, "check.metric", c.metric,
             f"a daily metric of model/metrics.py{_did_you_mean(c.metric, METRICS)}")
    if c.since is not None and not c.since < at:
        _bad(path, "check.since", c.since, f"a day from 0 to {at - 1} (before check.at = {at})")
    if c.against == "day":
        if c.against_day is None:
            raise LessonError(f"{path} needs 'check.against_day' when check.against = 'day'")
        if not c.against_day <= days or c.against_day == at:
            _bad(path, "check.against_day", c.against_day, f"a day from 0 to {days} other than check.at")
    elif c.against_day is not None:
        _bad(path, "check.against_day", c.against_day, "only used with check.against = 'day'")
    if c.against == "alternative":
        if not c.alternative:
            raise LessonError(f"{path} needs a [check.alternative] table of levers when "
                              "check.against = 'alternative'")
        _check_parameters(c.alternative, path, "check.alternative", start, live=True)
    elif c.alternative is not None:
        _bad(path, "check.alternative", c.alternative, "only used with check.against = 'alternative'")

    q = spec.question
    if q.answer > len(q.choices):
        _bad(path, "question.answer", q.answer, f"a choice from 1 to {len(q.choices)}")
    ranges = sorted(ch.effect for ch in q.choices)
    for (_, hi), (lo, _) in pairwise(ranges):
        if lo < hi:
            _bad(path, "question.choices.effect", [lo, hi], "ranges that do not overlap")
    return Lesson(path.stem, path, spec)


def _bad(path: Path, field: str, value: Any, allowed: str) -> None:
    raise LessonError(f"'{field}' in {path} = {value!r} is not allowed: it must be {allowed}")


def _did_you_mean(name: str, names) -> str:
    """``did_you_mean``, looser, and also by a word of a long name, misspelt or not:
    'tiping' -> 'morale_cycle_tipping'."""
    names = list(names)
    found = did_you_mean(name, names, cutoff=0.5)
    if not found:
        words: dict[str, str] = {}
        for n in names:
            for word in n.split("_"):
                if len(word) > 3:
                    words.setdefault(word, n)
        close = difflib.get_close_matches(name.lower(), list(words), n=1, cutoff=0.7)
        found = f" (did you mean '{words[close[0]]}'?)" if close else ""
    return found


def available() -> dict[str, Path]:
    """Lesson files by name."""
    return presets(LESSON_DIR)


def load_all() -> list[Lesson]:
    """Every lesson of configs/lessons, in their `order`; the first bad file raises LessonError."""
    return sorted((load_file(p) for p in available().values()), key=lambda lesson: lesson.spec.order)


def resolve(name_or_path: str) -> Lesson:
    """A lesson by name, or a lesson file by path."""
    unknown = (f"unknown lesson '{name_or_path}'{_did_you_mean(name_or_path, available())}; "
               "`morale lessons` lists them")
    return load_file(preset_or_path(name_or_path, LESSON_DIR, "lesson", LessonError, unknown))


# ---------------------------------------------------------------------------- #
# Running a lesson and measuring its claim
# ---------------------------------------------------------------------------- #


def apply_intervention(lesson: Lesson, model, levers: dict[str, Any] | None = None) -> bool:
    """Apply the intervention (or other levers) if the model stands on its day; True if applied.

    Called after every step, by the dashboard and by `run`; applying twice is harmless
    (a lever set to the value it has is not a change).
    """
    if model.day != lesson.intervention.day:
        return False
    model.set_levers(**(lesson.intervention.levers if levers is None else levers))
    return True


def reading(lesson: Lesson, series: dict[str, list], day: int | None = None) -> float:
    """The checked metric on ``day`` (default: check.at), as a change since check.since if given."""
    values = series[lesson.check.metric]
    day = lesson.at if day is None else day
    value = float(values[day])
    if lesson.check.since is not None and day == lesson.at:
        value -= float(values[lesson.check.since])
    return value


def effect_of(lesson: Lesson, value: float, reference: float) -> float:
    if lesson.check.measure == "difference":
        return value - reference
    if reference > 0:
        return value / reference
    return math.inf if value > 0 else 1.0


@dataclass(frozen=True)
class Outcome:
    seed: int
    value: float  # this run's reading
    reference: float  # the reference's reading
    effect: float
    choice: int | None  # the 1-based choice this effect bears out

    def agrees(self, lesson: Lesson) -> bool:
        return self.choice == lesson.question.answer


def series(lesson: Lesson, seed: int, variant: str = "lesson", days: int | None = None) -> dict[str, list]:
    """Daily metrics of a finished run of the lesson (variant: "lesson" or a key of AGAINST); read-only."""
    overrides = lesson.overrides
    if variant == "from_start":
        overrides = {**overrides, **lesson.intervention.levers}
    levers = {"lesson": lesson.intervention.levers, "alternative": lesson.check.alternative}.get(variant)
    changes = [(lesson.intervention.day, levers)] if levers else []
    events = () if variant == "no_shock" else lesson.events
    # cached: several lessons share the same reference run
    model = cached_run(seed, lesson.days if days is None else days, changes=changes, events=events,
                       **overrides)
    return {k: list(v) for k, v in model.datacollector.model_vars.items()}


def outcome_of_series(lesson: Lesson, seed: int, values: dict[str, list]) -> Outcome:
    """Measure the claim on a run's daily series (the dashboard's run, for one)."""
    value = reading(lesson, values)
    if lesson.check.against == "day":
        reference = float(values[lesson.check.metric][lesson.check.against_day])
    else:
        reference = reading(lesson, series(lesson, seed, lesson.check.against, days=lesson.at))
    effect = effect_of(lesson, value, reference)
    return Outcome(seed, value, reference, effect, lesson.choice_for(effect))


def measure(lesson: Lesson, seed: int) -> Outcome:
    """Run the lesson (and its reference) with one seed and measure its claim."""
    return outcome_of_series(lesson, seed, series(lesson, seed, days=lesson.at))


@dataclass(frozen=True)
class Verdict:
    outcomes: list[Outcome]
    mean_effect: float
    holds: bool

    def line(self, lesson: Lesson) -> str:
        agreeing = sum(o.agrees(lesson) for o in self.outcomes)
        seeds = ",".join(str(o.seed) for o in self.outcomes)
        if len(self.outcomes) > 2 and [o.seed for o in self.outcomes] == list(
                range(self.outcomes[0].seed, self.outcomes[-1].seed + 1)):
            seeds = f"{self.outcomes[0].seed}-{self.outcomes[-1].seed}"
        return (f"{lesson.name}: mean effect {format_effect(lesson, self.mean_effect)} over seeds "
                f"{seeds}, {agreeing} of {len(self.outcomes)} seeds in choice {lesson.question.answer}: "
                + ("the claim holds" if self.holds else "THE CLAIM DOES NOT HOLD"))


def verify(lesson: Lesson, seeds=CHECK_SEEDS) -> Verdict:
    """The lesson's claim over several seeds: the mean effect, and most seeds, in the answer's range."""
    outcomes = [measure(lesson, s) for s in seeds]
    finite = [o.effect for o in outcomes if math.isfinite(o.effect)]
    mean = sum(finite) / len(finite) if finite else math.inf
    agreeing = sum(o.agrees(lesson) for o in outcomes)
    needed = min(MIN_AGREEING, len(outcomes))
    return Verdict(outcomes, mean, lesson.answer.holds(mean) and agreeing >= needed)


def format_effect(lesson: Lesson, effect: float) -> str:
    if lesson.check.measure == "ratio":
        return f"x{effect:.2f}"
    return f"{effect:+.3f}" if abs(effect) < 10 else f"{effect:+,.0f}"


def format_value(value: float) -> str:
    return f"{value:.3f}" if abs(value) < 10 else f"{value:,.0f}"
