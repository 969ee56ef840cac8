"""Every parameter of the model, defined once.

Each parameter is a pydantic field carrying its name, type, range, default,
units and meaning (and, for policy levers, a short plain-English label and what
the two ends of its 0..1 scale mean in the real world). This one definition drives:

- validation of scenario files, ``--set`` overrides and live lever changes,
- the ``morale params`` table and the parameter table in ``docs/ODD.md``,
- the controls of the dashboard and the dimensions of sweep specs.

Groups:

``army``
    the shape of the army; read once when the model is built (apply on reset).
``lever``
    policy levers a commander or a teacher can pull on a running model; they
    take effect from the next simulated day.
``behaviour``
    behavioural and environmental coefficients, calibrated against the
    literature (MODEL_BRIEF section 4); also read every day, so they can be
    changed live, but they are not policy.
"""

from __future__ import annotations

import difflib
import math
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

Group = Literal["army", "lever", "behaviour"]


class ParameterError(ValueError):
    """A parameter value or name that the single definition does not allow.

    The message is one line that names the field, the value and what is allowed.
    """


# The source of a default chosen on the design seeds (docs/validation_plan.md, "Calibration of
# the revision") rather than taken from the literature.
CALIBRATED_SUFFIX = "calibrated on design seeds 100-109 to the baseline band of fact 1"
CALIBRATED = "guess, " + CALIBRATED_SUFFIX


def _param(
    default: float | int,
    *,
    ge: float,
    le: float,
    units: str,
    meaning: str,
    group: Group,
    label: str | None = None,
    low: str | None = None,
    high: str | None = None,
    source: str | None = None,
) -> Any:
    """One parameter: range, default, units and meaning, in one place.

    ``label`` is a short plain-English name for the dashboard's controls ("Hunt for deserters");
    every policy lever has one. ``source`` says where the default comes from: a literature
    citation, or how it was chosen ("guess, calibrated on design seeds ...").
    """
    extra: dict[str, Any] = {"units": units, "group": group}
    if label is not None:
        extra["label"] = label
    if low is not None:
        extra["low"] = low
    if high is not None:
        extra["high"] = high
    if source is not None:
        extra["source"] = source
    return Field(default, ge=ge, le=le, description=meaning, json_schema_extra=extra)


class Parameters(BaseModel):
    """All parameters of the unit-morale model (see the module docstring)."""

    model_config = ConfigDict(extra="forbid", validate_assignment=True, frozen=False)

    # ---- army: the shape of the force (apply on reset) -------------------------
    n_units: int = _param(
        20, ge=1, le=20_000, units="units", group="army", label="Companies",
        meaning="Number of company-sized units in the army.",
        source="the classroom sector, about 2,000 soldiers with its own police (a choice); the "
        "facts are judged on the division preset's 130 (27 rifle companies, 5,184 men: AGF study)",
    )
    unit_size: int = _param(
        100, ge=4, le=2_000, units="soldiers", group="army", label="Soldiers per company",
        meaning="Authorised strength of each unit.",
    )
    squad_size: int = _param(
        10, ge=2, le=50, units="soldiers", group="army", label="Soldiers per squad",
        meaning="Soldiers per squad; squad mates are tied to each other (the primary group).",
    )
    cross_ties: int = _param(
        2, ge=0, le=20, units="ties per soldier", group="army", label="Friends drawn outside the squad",
        meaning="Ties each soldier draws, on joining, to random comrades present in his unit; "
        "later newcomers draw him too, so he ends with about twice as many.",
    )
    frontline_share: float = _param(
        0.4, ge=0, le=1, units="share of units", group="army", label="Companies at the front",
        meaning="Share of units holding the front line at the start.",
    )
    second_line_share: float = _param(
        0.3, ge=0, le=1, units="share of units", group="army", label="Companies in the second line",
        meaning="Share of units in the second line at the start; the rest are in reserve.",
    )
    conscript_share: float = _param(
        0.6, ge=0, le=1, units="share of soldiers", group="army", label="Conscripts at the start",
        meaning="Share of mobilised conscripts (the rest are contract volunteers) at the start.",
    )
    officers_per_unit: int = _param(
        1, ge=1, le=10, units="officers", group="army", label="Officers per company",
        meaning="Officers leading each unit.",
    )
    front_days_at_start: int = _param(
        60, ge=2, le=1000, units="days", group="army", label="Days fought before day 0 (up to)",
        meaning="The war is under way: on day 0 each frontline soldier has already fought a number "
        "of days drawn uniformly from dread_days + 1 to dread_days + front_days_at_start - 1.",
        source="guess: one to two months at the front (no source); the hard-coded 60 of revisions "
        "1-12",
    )

    # ---- policy levers (live; take effect from the next day) -------------------
    combat_intensity: float = _param(
        0.5, ge=0, le=1, units="0..1", group="lever", label="Intensity of fighting",
        meaning="How hard the front is fighting.",
        low="a quiet front: no casualties", high="all-out assault: a frontline soldier of a "
        "full-strength, leaderless unit is hit with chance max_casualty_rate a day",
    )
    supply_level: float = _param(
        0.7, ge=0, le=1, units="0..1", group="lever", label="Supply budget",
        meaning="Share of the units' needs (food, ammunition, shelter) the supply budget funds.",
        low="nothing is sent", high="every need is funded",
    )
    medical_care: float = _param(
        0.4, ge=0, le=1, units="0..1", group="lever", label="Medical care",
        meaning="Quality of medical care and evacuation; reaches units with the supply delay.",
        low="no medics: casualties terrify and kill", high="prompt evacuation and surgery",
    )
    officer_competence: float = _param(
        0.5, ge=0, le=1, units="0..1", group="lever", label="Officers' skill",
        meaning="Mean leadership competence of officers (each officer varies around it).",
        low="incompetent, absent officers", high="skilled officers who lead from the front",
    )
    officer_harshness: float = _param(
        0.5, ge=0, le=1, units="0..1", group="lever", label="Officers' harshness",
        meaning="Mean punitive style of officers (each officer varies around it).",
        low="fair, trusted command", high="brutal: beatings, threats, 'pits'",
    )
    penalty_severity: float = _param(
        0.5, ge=0, le=1, units="0..1", group="lever", label="Punishment for desertion",
        meaning="Severity of the sentence a caught deserter faces: this share of "
        "max_sentence_years, weighed by its discounted years (discount_factor; the chance of "
        "prison is prison_share).",
        low="a reprimand, sent back to the unit", high="up to 10 years in prison "
        "(Russia's 2022 maximum for desertion)",
    )
    enforcement: float = _param(
        0.4, ge=0, le=1, units="0..1", group="lever", label="Hunt for deserters",
        meaning="Effort of the hunt for deserters (certainty of capture: a deserter's daily "
        "chance of being caught is enforcement x max_capture_rate while the military police "
        "outnumber the deserters, less once they are outnumbered).",
        low="nobody looks for deserters", high="every deserter hunted at full effort: "
        "checkpoints, searches, families watched",
    )
    prison_share: float = _param(
        0.25, ge=0, le=1, units="share of the caught", group="lever", label="Caught deserters jailed",
        meaning="Chance that a caught deserter is imprisoned (removed from the army); the rest "
        "are sent back to their unit.",
        low="every caught deserter is sent back", high="every caught deserter is jailed",
        source="MODEL_BRIEF section 4: most sentences were suspended and the soldier sent back "
        "(Mediazona and others, Russia 2023-2025)",
    )
    propaganda: float = _param(
        0.2, ge=0, le=1, units="0..1", group="lever", label="Propaganda campaign",
        meaning="Intensity of the campaign portraying the war as a noble cause.",
        low="no campaign", high="saturation messaging",
    )
    peer_influence: float = _param(
        0.5, ge=0, le=1, units="0..1", group="lever", label="Pull of comrades leaving",
        meaning="How strongly comrades' desertions push a soldier to leave: those of his ties "
        "(peer_gain) and his unit's desertion norm (norm_weight).",
        low="soldiers ignore who leaves (no contagion)", high="seeing friends leave "
        "weighs as much as fear",
    )
    reinforcement_rate: float = _param(
        0.5, ge=0, le=1, units="share per week", group="lever", label="Replacements sent",
        meaning="Share of a unit's vacancies filled by replacements each week.",
        low="no replacements", high="every vacancy refilled within a week",
    )
    replacement_conscript_share: float = _param(
        0.85, ge=0, le=1, units="share of replacements", group="lever", label="Conscripts among replacements",
        meaning="Share of replacements who are mobilised conscripts.",
        low="only volunteers", high="only conscripts",
    )
    rotation_days: int = _param(
        0, ge=0, le=365, units="days", group="lever", label="Days at the front before relief",
        meaning="Days a frontline unit fights before a rear unit relieves it (0 = never).",
    )

    # ---- behaviour: calibrated coefficients ------------------------------------
    contract_motivation: float = _param(
        0.65, ge=0, le=1, units="0..1", group="behaviour",
        meaning="Mean starting motivation of contract volunteers.",
    )
    conscript_motivation: float = _param(
        0.35, ge=0, le=1, units="0..1", group="behaviour",
        meaning="Mean starting motivation of mobilised conscripts (McLauchlin 2015).",
    )
    threshold_mean: float = _param(
        0.545, ge=0, le=1, units="0..1", group="behaviour",
        meaning="Mean personal desertion threshold.",
        source=CALIBRATED + " (revision 12: baseline's mean 180-day rate nearest 5.5% on design "
        "seeds 100-179; the division preset's 0.535 chosen the same way, revision 14)",
    )
    threshold_spread: float = _param(
        0.12, ge=0, le=0.5, units="0..1", group="behaviour",
        meaning="Standard deviation of personal thresholds (Granovetter 1978: the tipping lever).",
    )
    risk_aversion_mean: float = _param(
        0.5, ge=0, le=1, units="0..1", group="behaviour",
        meaning="Mean risk aversion (how much a soldier weighs the risk of punishment).",
    )
    risk_aversion_concentration: float = _param(
        2.0, ge=0.5, le=1_000, units="Beta concentration", group="behaviour",
        meaning="How alike soldiers are in risk aversion: the concentration of its Beta draw "
        "(2 with risk_aversion_mean 0.5: uniform on 0..1).",
        source="Epstein 2002: risk aversion uniform on 0..1",
    )
    start_fear: float = _param(
        0.1, ge=0, le=1, units="0..1", group="behaviour",
        meaning="Mean fear of a soldier on joining (recruits and replacements alike).",
    )
    start_grievance: float = _param(
        0.1, ge=0, le=1, units="0..1", group="behaviour",
        meaning="Mean grievance of a soldier on joining (recruits and replacements alike).",
    )
    trait_concentration: float = _param(
        10.0, ge=1, le=1_000, units="Beta concentration", group="behaviour",
        meaning="How alike soldiers of one kind start: the concentration of the Beta draws of "
        "motivation, fear, grievance and risk aversion on joining (higher: more alike).",
    )
    officer_trait_spread: float = _param(
        0.15, ge=0, le=0.5, units="0..1", group="behaviour",
        meaning="Standard deviation of each officer's competence and harshness around "
        "officer_competence and officer_harshness, drawn on appointment.",
    )
    weight_fear: float = _param(
        0.5, ge=0, le=2, units="push per unit fear", group="behaviour",
        meaning="Weight of fear in the push to leave (the usual trigger: Albrecht & Koehler 2018).",
    )
    weight_grievance: float = _param(
        0.25, ge=0, le=2, units="push per unit grievance", group="behaviour",
        meaning="Weight of grievance in the push to leave.",
    )
    weight_motivation: float = _param(
        0.3, ge=0, le=2, units="push per unit missing motivation", group="behaviour",
        meaning="Weight of missing motivation (1 - motivation) in the push to leave.",
    )
    peer_gain: float = _param(
        0.5, ge=0, le=10, units="push", group="behaviour",
        meaning="Push from peers at peer_influence = 1 once the share of a soldier's ties gone "
        "is well past his peer threshold (the top of the tipping response).",
        source="the lever's definition: at peer_influence 1 seeing friends leave weighs as much "
        "as fear (weight_fear); Granovetter 1978, Bearman 1991 (revision 7)",
    )
    peer_threshold_mean: float = _param(
        0.25, ge=0, le=1, units="share of ties", group="behaviour",
        meaning="Mean personal peer threshold: the share of a soldier's ties gone at which "
        "their leaving starts to push him (drawn on joining).",
        source="Granovetter 1978: normally distributed thresholds of mean 0.25",
    )
    peer_threshold_spread: float = _param(
        0.1, ge=0, le=0.5, units="share of ties", group="behaviour",
        meaning="Standard deviation of personal peer thresholds (clipped to 0.01..1).",
        source="Granovetter 1978: participation jumps once the spread passes about 0.10-0.12",
    )
    peer_width: float = _param(
        0.04, ge=0.001, le=0.5, units="share of ties", group="behaviour",
        meaning="Width of the tipping response around a soldier's peer threshold: it rises from 0 "
        "at 2 peer_width below the threshold to 1 at 2 peer_width above it.",
        source=CALIBRATED,
    )
    norm_weight: float = _param(
        0.2, ge=0, le=4, units="push", group="behaviour",
        meaning="Push to leave at peer_influence = 1 once leaving is the unit's norm (the "
        "saturated desertion norm).",
        source=CALIBRATED + " (as 0.1 at the default peer_influence 0.5)",
    )
    norm_half: float = _param(
        0.2, ge=0.001, le=10, units="deserters per authorised soldier", group="behaviour",
        meaning="Desertion norm at which the norm's push is half of norm_weight (saturation).",
        source=CALIBRATED,
    )
    norm_memory_days: float = _param(
        60.0, ge=1, le=10_000, units="days", group="behaviour",
        meaning="How long a unit remembers its desertions as a norm (e-folding time).",
        source="guess (Bearman 1991, McLauchlin 2015: norms outlast the soldiers who set them); "
        + CALIBRATED_SUFFIX,
    )
    cohesion_start: float = _param(
        0.7, ge=0, le=1, units="0..1", group="behaviour",
        meaning="Cohesion of every unit's primary groups at the start of the run.",
        source=CALIBRATED,
    )
    cohesion_days: float = _param(
        60.0, ge=1, le=10_000, units="days", group="behaviour",
        meaning="Time for bonds to form: cohesion grows by (1 - cohesion) / cohesion_days a day.",
        source="guess (Shils & Janowitz 1948: bonds form over weeks of shared service); "
        + CALIBRATED_SUFFIX,
    )
    cohesion_loss: float = _param(
        1.0, ge=0, le=10, units="cohesion per share lost", group="behaviour",
        meaning="Cohesion lost per share of the unit present at dawn lost that day (hit or deserted).",
        source=CALIBRATED,
    )
    cohesion_weight: float = _param(
        0.15, ge=0, le=2, units="push", group="behaviour",
        meaning="Pull to stay of a fully cohesive unit (subtracted from the push to leave).",
        source="guess (Shils & Janowitz 1948; Costa & Kahn 2003: company make-up predicted "
        "desertion); " + CALIBRATED_SUFFIX,
    )
    deterrence_weight: float = _param(
        2.0, ge=0, le=3, units="push", group="behaviour",
        meaning="Deterrence at certain capture, perceived severity 1 (the maximum sentence, "
        "undiscounted) and full risk aversion.",
        source="Epstein 2002: at the default penalty_severity (0.5) deterrence is his net risk, "
        "perceived certainty x risk aversion (revision 6)",
    )
    max_sentence_years: float = _param(
        10.0, ge=0.1, le=50, units="years", group="behaviour",
        meaning="The sentence at penalty_severity 1.",
        source="MODEL_BRIEF section 4: up to 10 years for leaving a unit during mobilisation "
        "(Russia, 2022)",
    )
    discount_factor: float = _param(
        0.74, ge=0.05, le=1, units="per year", group="behaviour",
        meaning="How much a soldier weighs a year in prison a year later than one now (1: every "
        "year of a sentence weighs the same).",
        source="offenders' average annual discount factor, estimated from a collective pardon's "
        "sentences (Mastrobuoni and Rivers 2016, IZA DP 9769); revision 15",
    )
    police_per_100: float = _param(
        0.8, ge=0, le=100, units="police per 100 authorised", group="behaviour",
        meaning="Military police who can hunt deserters, per 100 soldiers of authorised strength "
        "(the hunt's capacity; enforcement is its effort).",
        source=CALIBRATED + " (as 2 per 100 at enforcement 1, 0.8 at the default 0.4)",
    )
    capture_k: float = _param(
        2.3, ge=0, le=20, units="per police-to-deserter ratio", group="behaviour",
        meaning="Epstein's k: arrest probability = 1 - exp(-capture_k x police / deserters at large).",
        source="Epstein 2002: k = 2.3",
    )
    local_arrest_estimate: float = _param(
        0.0, ge=0, le=1, units="weight", group="behaviour",
        meaning="How far a company's estimate of being caught follows what it sees, its own "
        "deserters still pursued against its share of the police (1, Epstein's local vision), "
        "rather than the army's figure (0, the default).",
        source="0: revisions 9 and 10 (1, after Epstein 2002: the arrest probability within "
        "the agent's vision) were judged and not kept (docs/validation.md)",
    )
    certainty_days: float = _param(
        14.0, ge=1, le=1000, units="days", group="behaviour",
        meaning="Time for soldiers' belief in the certainty of capture to follow the police's "
        "real chances (e-folding).",
        source=CALIBRATED,
    )
    daily_noise: float = _param(
        0.04, ge=0, le=0.5, units="push", group="behaviour",
        meaning="Standard deviation of a soldier's day-to-day mood (letters, rumours, weather).",
    )
    max_casualty_rate: float = _param(
        0.006, ge=0, le=0.1, units="per soldier-day", group="behaviour",
        meaning="Daily chance a frontline soldier is hit at combat_intensity = 1, full "
        "strength and no officer.",
    )
    second_line_exposure: float = _param(
        0.1, ge=0, le=1, units="share of front", group="behaviour",
        meaning="Second-line exposure to fire relative to the front line (reserve: none).",
    )
    engagement_days: float = _param(
        10.0, ge=1, le=1000, units="days", group="behaviour",
        meaning="Mean days between a fighting unit's engagements (sharp actions); between them it "
        "holds its line.",
        source="guess (revision 8; Dupuy et al. 1986: casualties come in actions)",
    )
    engagement_share: float = _param(
        0.0, ge=0, le=1, units="share of casualties", group="behaviour",
        meaning="Share of a unit's casualties that fall in its engagements, on the squads in "
        "contact; the rest trickle in every day (0, the default: a steady trickle).",
        source="0: revision 8 (0.8, a guess after Dupuy et al. 1986) was judged and not kept "
        "(docs/validation.md)",
    )
    contact_share: float = _param(
        0.3, ge=0.01, le=1, units="share of squads", group="behaviour",
        meaning="Share of a unit's squads in contact in an engagement, who take its losses "
        "(about one platoon of three).",
        source="guess (revision 8: one of a rifle company's three platoons leads an action)",
    )
    engagement_spread: float = _param(
        1.5, ge=0, le=3, units="log-sd", group="behaviour",
        meaning="Spread of engagements' severity (lognormal of mean 1): most actions cost little, "
        "a few cost a squad much of its strength (0: every action alike).",
        source="guess (revision 8; Dupuy et al. 1986: action casualty rates spread over about two "
        "orders of magnitude)",
    )
    killed_share: float = _param(
        0.35, ge=0, le=1, units="share of casualties", group="behaviour",
        meaning="Share of casualties killed when there is no medical care (halved at full care).",
    )
    recovery_days: float = _param(
        30.0, ge=1, le=365, units="days", group="behaviour",
        meaning="Mean days a wounded soldier spends in hospital without medical care "
        "(halved at full care).",
    )
    fear_per_casualty: float = _param(
        1.5, ge=0, le=10, units="fear per casualty share", group="behaviour",
        meaning="Fear added to every soldier of a unit per share of the unit hit today.",
    )
    friend_fear_per_casualty: float = _param(
        0.08, ge=0, le=1, units="fear per friend hit", group="behaviour",
        meaning="Extra fear for each of a soldier's ties hit today (friends most).",
    )
    combat_stress: float = _param(
        0.006, ge=0, le=0.1, units="fear per day", group="behaviour",
        meaning="Daily fear from continuous combat at intensity 1, growing with days in combat.",
    )
    fatigue_days: float = _param(
        60.0, ge=1, le=1000, units="days", group="behaviour",
        meaning="Days of continuous combat that double the daily combat stress.",
    )
    fear_recovery: float = _param(
        0.04, ge=0, le=1, units="per day", group="behaviour",
        meaning="Daily share of fear that fades (times 1 + officer_calm x (competence - 0.5)).",
    )
    grievance_per_shortfall: float = _param(
        0.012, ge=0, le=0.2, units="grievance per day", group="behaviour",
        meaning="Daily grievance added by a total supply shortfall.",
    )
    harsh_grievance: float = _param(
        0.004, ge=0, le=0.2, units="grievance per day", group="behaviour",
        meaning="Daily grievance added by a fully harsh officer.",
    )
    grievance_decay: float = _param(
        0.02, ge=0, le=1, units="per day", group="behaviour",
        meaning="Daily share of grievance forgotten.",
    )
    overstretch_stress: float = _param(
        0.004, ge=0, le=0.2, units="per day", group="behaviour",
        meaning="Daily fear and grievance added when a unit is at half strength "
        "(same duties, fewer soldiers).",
    )
    close_call_rate: float = _param(
        0.0003, ge=0, le=1, units="per day at intensity 1", group="behaviour",
        meaning="Daily chance that a frontline soldier not hit has a close call (a shell beside "
        "him, the man next to him killed), times combat_intensity.",
        source="guess (Albrecht & Koehler 2018: fear for one's own safety is the usual trigger "
        "of desertion); " + CALIBRATED_SUFFIX,
    )
    close_call_fear: float = _param(
        0.3, ge=0, le=1, units="fear", group="behaviour",
        meaning="Fear a close call adds to the soldier who lives through it (it fades at "
        "fear_recovery).",
        source="guess (Albrecht & Koehler 2018); " + CALIBRATED_SUFFIX,
    )
    home_news_rate: float = _param(
        0.00015, ge=0, le=1, units="per day", group="behaviour",
        meaning="Daily chance that a soldier present, at the front or in the rear, gets bad "
        "news from home (a family in want, home threatened): his worry for home is fresh again.",
        source="guess (Weitz 2005: letters of families in want drove Confederate desertion; "
        "Bearman 1991; Costa & Kahn 2003: individual probabilities from about 5% to 30%); "
        + CALIBRATED_SUFFIX,
    )
    weight_home: float = _param(
        0.5, ge=0, le=2, units="push per unit worry", group="behaviour",
        meaning="Weight of worry for home in the push to leave: fresh bad news from home pushes "
        "by this much.",
        source="guess, fixed before any run: at its freshest, news that his family is in want "
        "weighs as much as the front's fear at its worst (weight_fear at fear 1); Weitz 2005: "
        "soldiers put family before cause",
    )
    home_worry_days: float = _param(
        30.0, ge=1, le=3650, units="days", group="behaviour",
        meaning="How long worry for home lasts after bad news (e-folding time).",
        source="guess, fixed before any run: a letter home and the answer back (Civil War mail: "
        "one to three weeks each way), or the trouble passing",
    )
    leadership_span: float = _param(
        0.3, ge=0, le=1, units="motivation", group="behaviour",
        meaning="How far officers pull motivation from a soldier's commitment: the target is "
        "commitment + leadership_span x (competence - 0.5); without an officer, "
        "commitment - leadership_span / 2.",
        source="guess (Costa 2014: leading from the front lowered desertion); " + CALIBRATED_SUFFIX,
    )
    leadership_days: float = _param(
        30.0, ge=1, le=1000, units="days", group="behaviour",
        meaning="Time for motivation to settle at the officers' target (e-folding).",
        source=CALIBRATED,
    )
    officer_calm: float = _param(
        0.0, ge=0, le=2, units="x (competence - 0.5)", group="behaviour",
        meaning="How much a competent officer speeds the fading of fear (trust): fear fades at "
        "fear_recovery x (1 + officer_calm x (competence - 0.5)); 0 = officers do not change it.",
        source="0 since revision 12: the brief says competent officers lower fear, which they do "
        "through the casualties they avoid; a faster fading has no source, and at 1 (revisions "
        "1-11, 0.5 + competence) it alone made fact 9's ratio x43 (docs/validation_plan.md)",
    )
    officer_protection: float = _param(
        0.5, ge=0, le=1, units="share", group="behaviour",
        meaning="Share of casualties a fully competent officer avoids.",
    )
    officer_risk: float = _param(
        1.5, ge=0, le=10, units="x soldier risk", group="behaviour",
        meaning="An officer's chance of being hit relative to his soldiers' (leading from the front).",
    )
    officer_replacement_days: float = _param(
        10.0, ge=1, le=365, units="days", group="behaviour",
        meaning="Days before a killed officer is replaced.",
    )
    peer_erosion: float = _param(
        0.03, ge=0, le=1, units="motivation per day", group="behaviour",
        meaning="Daily motivation lost per unit of peer signal (comrades leaving).",
    )
    grievance_erosion: float = _param(
        0.003, ge=0, le=0.1, units="motivation per day", group="behaviour",
        meaning="Daily motivation lost at full grievance.",
    )
    deployment_dread: float = _param(
        0.12, ge=0, le=1, units="push", group="behaviour",
        meaning="Extra push to leave at intensity 1 during the first days at the front "
        "(avoiding deployment).",
    )
    dread_days: int = _param(
        5, ge=0, le=60, units="days", group="behaviour",
        meaning="Days after arriving at the front during which deployment dread applies.",
    )
    supply_delay_days: float = _param(
        14.0, ge=1, le=365, units="days", group="behaviour",
        meaning="Time for changes in supply and medical budgets to reach units (e-folding).",
    )
    logistics_strain: float = _param(
        1.0, ge=0, le=5, units="share lost per share absent", group="behaviour",
        meaning="Share of supply lost per share of the army's authorised strength absent.",
    )
    frontline_supply_loss: float = _param(
        0.15, ge=0, le=1, units="share", group="behaviour",
        meaning="Share of supply that never reaches frontline units (long, shelled routes).",
    )
    max_capture_rate: float = _param(
        0.057, ge=0, le=1, units="per day", group="behaviour",
        meaning="Daily chance a deserter at large is caught at enforcement = 1 when police far "
        "outnumber the deserters they hunt.",
        source="half of the deserters caught within the 30-day pursuit at the default enforcement "
        "0.4: between the brief's Russian figures (about 20,500 court cases by mid-2025 against "
        "about 50,000 listed cases by the end of 2024: about 0.4) and Lonn 1928's Virginia "
        "tables (8,596 returned of 12,071 deserters: about 0.7)",
    )
    pursuit_days: int = _param(
        30, ge=1, le=3650, units="days", group="behaviour",
        meaning="Days a deserter can still be caught; after that he has escaped for good.",
    )
    salience_days: float = _param(
        10.0, ge=0.5, le=365, units="days", group="behaviour",
        meaning="How long a punishment seen in the unit stays on soldiers' minds (e-folding).",
    )
    salience_certainty: float = _param(
        0.1, ge=0, le=1, units="certainty per punishment", group="behaviour",
        meaning="Perceived certainty of capture added per comrade punished (per 100 soldiers).",
    )
    punishment_backlash: float = _param(
        0.05, ge=0, le=1, units="grievance per punishment", group="behaviour",
        meaning="Grievance added under a fully harsh officer per comrade punished "
        "(per 100 soldiers).",
    )
    returned_grievance: float = _param(
        0.2, ge=0, le=1, units="grievance", group="behaviour",
        meaning="Grievance added to a deserter sent back to his unit after capture.",
    )
    harsh_certainty: float = _param(
        0.5, ge=0, le=2, units="share", group="behaviour",
        meaning="Relative rise in perceived certainty of capture under a fully harsh officer.",
    )
    propaganda_lift: float = _param(
        0.3, ge=0, le=1, units="motivation", group="behaviour",
        meaning="Motivation a fresh, fully credible campaign at intensity 1 adds.",
    )
    propaganda_habituation_days: float = _param(
        20.0, ge=1, le=1000, units="days", group="behaviour",
        meaning="Time for soldiers to get used to a campaign (e-folding of its lift).",
    )
    propaganda_residual: float = _param(
        0.15, ge=0, le=1, units="share", group="behaviour",
        meaning="Share of a campaign's lift that remains after habituation.",
    )

    @model_validator(mode="after")
    def _postures_fit(self) -> Parameters:
        total = self.frontline_share + self.second_line_share
        if total > 1 + 1e-9:
            raise ValueError(
                f"frontline_share + second_line_share = {total:g} must be at most 1"
            )
        return self


# --------------------------------------------------------------------------- #
# The definition, read back as plain data
# --------------------------------------------------------------------------- #

PARAMETER_NAMES: tuple[str, ...] = tuple(Parameters.model_fields)


def spec(name: str) -> dict[str, Any]:
    """The definition of one parameter: name, type, group, default, range, units, meaning, label,
    the meaning of its ends (low, high) and source."""
    field = Parameters.model_fields[name]
    extra = field.json_schema_extra or {}
    bounds = {type(m).__name__: m for m in field.metadata}
    return {
        "name": name,
        "type": field.annotation.__name__,
        "group": extra["group"],
        "default": field.default,
        "min": bounds["Ge"].ge,
        "max": bounds["Le"].le,
        "units": extra["units"],
        "meaning": field.description,
        "label": extra.get("label"),
        "low": extra.get("low"),
        "high": extra.get("high"),
        "source": extra.get("source"),
    }


def specs(group: Group | None = None) -> list[dict[str, Any]]:
    """Definitions of every parameter (or one group), in definition order."""
    rows = [spec(name) for name in PARAMETER_NAMES]
    return [r for r in rows if group is None or r["group"] == group]


LEVERS: tuple[str, ...] = tuple(r["name"] for r in specs("lever"))
ARMY: tuple[str, ...] = tuple(r["name"] for r in specs("army"))


def _fmt(value: Any) -> str:
    if isinstance(value, float):
        return f"{value:g}"
    return str(value)


def describe_range(name: str) -> str:
    s = spec(name)
    kind = "a whole number" if s["type"] == "int" else "a number"
    units = "" if s["units"] == "0..1" else f" ({s['units']})"
    return f"{kind} from {_fmt(s['min'])} to {_fmt(s['max'])}{units}"


def did_you_mean(name: str, names, cutoff: float = 0.6) -> str:
    """`` (did you mean 'x'?)`` for the closest of ``names``, or nothing if none is close."""
    close = difflib.get_close_matches(name, list(names), n=1, cutoff=cutoff)
    return f" (did you mean '{close[0]}'?)" if close else ""


def suggest(name: str) -> str:
    """``did_you_mean`` among the parameter names."""
    return did_you_mean(name, PARAMETER_NAMES)


def field_path(loc: tuple) -> str:
    """A pydantic error location as the user writes it: ``check.at``, ``question.choices[2]``
    (list items numbered from 1, as the users see them)."""
    out = ""
    for part in loc:
        if isinstance(part, int):
            out += f"[{part + 1}]"
        else:
            out += f".{part}" if out else str(part)
    return out


def one_line(
    error: ValidationError,
    source: str = "",
    *,
    keys: tuple[str, ...] = (),
    hint: Any = None,
    needs: str = "{source} needs '{field}'",
    lowercase: bool = True,
) -> str:
    """One line for the first error pydantic found: the field, the value given, what is allowed.

    Without ``keys``, an error of the parameters themselves (``Parameters``). With ``keys``, an
    error of a file of keys (a sweep spec, a lesson): an unknown key names the allowed ``keys``
    (at the top level) after ``hint(key)``; a missing one says ``needs``; a bad value says what
    pydantic says (with a small first letter, unless not ``lowercase``).
    """
    first = error.errors()[0]
    loc = first.get("loc") or ()
    field = field_path(loc)
    value = first.get("input")
    message = first["msg"].removeprefix("Value error, ")
    where = f" in {source}" if source else ""
    if not keys:
        if first["type"] == "extra_forbidden":
            return f"unknown parameter '{field}'{where}{suggest(field)}; `morale params` lists them all"
        if field in Parameters.model_fields:
            return (f"parameter '{field}'{where} = {value!r} is not allowed: "
                    f"it must be {describe_range(field)}")
        return f"{message}{where}"  # a rule over several fields (e.g. posture shares)
    if first["type"] == "extra_forbidden":
        allowed = f"; allowed: {', '.join(keys)}" if len(loc) <= 1 else ""  # keys are the top level's
        return f"unknown key '{field}'{where}{hint(field) if hint else ''}{allowed}"
    if first["type"] == "missing":
        return needs.format(source=source, field=field)
    if lowercase:
        message = message[0].lower() + message[1:]
    return f"'{field}'{where} = {value!r} is not allowed: {message}"


def validate(values: dict[str, Any], source: str = "", strict: bool = False) -> Parameters:
    """Build Parameters from raw values; raise ParameterError with one clear line.

    ``strict``: for values a user wrote (scenario, lesson and sweep files, ``--set``): no
    string or boolean becomes a number, and a whole number must be written as one.
    """
    for name, value in values.items():
        # pydantic happily accepts nan/inf for a bounded float in some modes; we do not.
        if isinstance(value, float) and not math.isfinite(value):
            where = f" in {source}" if source else ""
            raise ParameterError(
                f"parameter '{name}'{where} = {value!r} is not allowed: it must be "
                f"{describe_range(name) if name in Parameters.model_fields else 'finite'}"
            )
    try:
        return Parameters.model_validate(values, strict=strict)
    except ValidationError as exc:
        raise ParameterError(one_line(exc, source)) from None


def parse_number(name: str, text: str) -> Any:
    """A ``--set`` value read from the text as the parameter's type; the text itself if it is not
    one (then ``validate(..., strict=True)`` says what is allowed)."""
    try:
        return int(text) if spec(name)["type"] == "int" else float(text)
    except ValueError:
        return text


def parse_assignment(text: str) -> tuple[str, Any]:
    """Split a ``name=value`` override, the value read as a number of the parameter's type; raise
    ParameterError if it is malformed."""
    name, sep, value = text.partition("=")
    name, value = name.strip(), value.strip()
    if not sep or not name or not value:
        raise ParameterError(f"--set expects name=value, got {text!r}")
    if name not in Parameters.model_fields:
        raise ParameterError(
            f"unknown parameter '{name}' in --set{suggest(name)}; `morale params` lists them all"
        )
    return name, parse_number(name, value)


def markdown_table(group: Group | None = None) -> str:
    """The parameter table in Markdown (used verbatim in docs/ODD.md)."""
    lines = [
        "| name | group | default | range | units | meaning |",
        "|---|---|---|---|---|---|",
    ]
    for s in specs(group):
        meaning = s["meaning"]
        if s["low"] or s["high"]:
            meaning += f" 0 = {s['low']}; 1 = {s['high']}."
        lines.append(
            f"| `{s['name']}` | {s['group']} | {_fmt(s['default'])} | "
            f"{_fmt(s['min'])} to {_fmt(s['max'])} | {s['units']} | {meaning} |"
        )
    return "\n".join(lines) + "\n"
