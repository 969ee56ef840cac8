"""The daily processes of the morale model, one small pure function each.

Two kinds of function, both pure (they return new values; the model's ``step()``
applies them in the order of the day):

- army- and unit-level processes work on whole arrays (all units, or the few
  soldiers concerned: today's casualties, deserters at large) with numpy;
- the per-soldier rules (``@soldier_rule``: days in combat, fear, grievance,
  motivation, ties gone and the peer signal, propaganda's lift, deployment, the
  push terms, deterrence, the day's mood, the decision)
  are written for one soldier and compiled by numba; ``model/passes.py``
  applies them to every soldier in one compiled pass a day, so that the day
  reads each soldier's state once instead of once per arithmetic operation
  (docs/performance.md). They are callable from Python for one soldier, and
  ``p`` is then ``kernel_parameters(params)[0]``.

Each docstring names the claim of the source article it encodes
(``shared/seed``; the mapping is MODEL_BRIEF section 2) and the parameters it
reads. "Per unit" arrays are indexed by unit id; ``x[unit]`` spreads them over
soldiers.
"""

from __future__ import annotations

import math

import numpy as np
from numba import njit

from model.parameters import Parameters
from model.state import Posture

# ---------------------------------------------------------------------------- #
# Small helpers
# ---------------------------------------------------------------------------- #


def soldier_rule(function):
    """Compile a per-soldier rule (numba, cached on disk next to this file)."""
    return njit(cache=True, error_model="numpy")(function)


# One float field per parameter: a record numba reads by name (``p.fear_recovery``) and
# recognises cheaply on every call (a namedtuple of this size costs ~0.2 ms a call to type).
KERNEL_DTYPE = np.dtype([(name, np.float64) for name in Parameters.model_fields])


def kernel_parameters(p: Parameters) -> np.ndarray:
    """The parameters as a one-element record array; compiled rules read ``p = params[0]``."""
    values = p.model_dump()
    record = np.array([tuple(float(values[name]) for name in KERNEL_DTYPE.names)], dtype=KERNEL_DTYPE)
    return record.view(np.recarray)  # p.name also works in plain Python (tests, the inspector)


@soldier_rule
def clip01(value: float) -> float:
    return min(max(value, 0.0), 1.0)


def relax(current: np.ndarray | float, target: np.ndarray | float, days: float):
    """Move ``current`` a 1/days step towards ``target`` (first-order delay)."""
    return current + (target - current) / days


def per_unit_sum(unit: np.ndarray, weights: np.ndarray | None, n_units: int) -> np.ndarray:
    """Sum of ``weights`` (or count) over the soldiers of each unit."""
    return np.bincount(unit, weights=weights, minlength=n_units).astype(np.float64)


def draw_beta(rng: np.random.Generator, mean: np.ndarray | float, size: int, concentration: float):
    """Beta draws with a given mean (clipped away from 0 and 1) and concentration."""
    mean = np.clip(mean, 0.01, 0.99)
    return rng.beta(mean * concentration, (1 - mean) * concentration, size=size)


# ---------------------------------------------------------------------------- #
# Logistics
# ---------------------------------------------------------------------------- #


def supply_reaching_units(p: Parameters, absent_share: float, posture: np.ndarray) -> np.ndarray:
    """Share of needs that today's deliveries would meet, per unit.

    Article: "desertions can disrupt supply routes and lead to shortages"; units
    "stretched thin" strain logistics. Reads ``supply_level`` (the budget),
    ``logistics_strain`` (share of supply lost per share of the army absent) and
    ``frontline_supply_loss`` (shelled routes to the front).
    """
    reaching = p.supply_level * max(0.0, 1.0 - p.logistics_strain * absent_share)
    return np.where(posture == Posture.FRONTLINE, reaching * (1 - p.frontline_supply_loss), reaching)


def absent_share(unit_present: np.ndarray, authorised: np.ndarray) -> float:
    """Share of the army's authorised strength that is not present (wounded, killed, deserted, jailed).

    Article: "desertions can disrupt supply routes and lead to shortages": the
    logistics strain of ``supply_reaching_units`` grows with it. No parameter.
    """
    return 1.0 - unit_present.sum() / max(authorised.sum(), 1)


def supply_after_delivery(p: Parameters, supply: np.ndarray, target: np.ndarray) -> np.ndarray:
    """Supply on hand per unit after today's deliveries: a first-order delay towards ``target``.

    Article: shortages follow disrupted routes with a lag (loop R3). Supply moves
    1/``supply_delay_days`` of the way to what deliveries would meet, within 0..1.
    """
    return np.clip(relax(supply, target, p.supply_delay_days), 0.0, 1.0)


def medical_care_reaching(p: Parameters, medical: float) -> float:
    """Medical care that has reached the units, after one more day of delivery.

    Article: "lack of proper medical care". It follows the ``medical_care`` lever
    with the same delay as supplies (``supply_delay_days``).
    """
    return float(relax(medical, p.medical_care, p.supply_delay_days))


# ---------------------------------------------------------------------------- #
# Leadership
# ---------------------------------------------------------------------------- #


def officer_competence(p: Parameters, competence_offset: np.ndarray) -> np.ndarray:
    """Each officer's competence: the lever ``officer_competence`` plus his own offset, within 0..1."""
    return np.clip(p.officer_competence + competence_offset, 0, 1)


def unit_leadership(
    p: Parameters,
    officer_unit: np.ndarray,
    officer_serving: np.ndarray,
    competence_offset: np.ndarray,
    harshness_offset: np.ndarray,
    n_units: int,
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Competence and harshness of each unit's serving officers, and whether it is led.

    Article: "ineffective leadership", "rigid and often punitive command
    structure". Each officer's trait is the lever (``officer_competence``,
    ``officer_harshness``) plus his own offset, clipped to 0..1; a unit whose
    officers are all dead has competence 0 and harshness 0 until a replacement
    arrives.
    """
    competence = officer_competence(p, competence_offset)
    harshness = np.clip(p.officer_harshness + harshness_offset, 0, 1)
    units = officer_unit[officer_serving]
    count = per_unit_sum(units, None, n_units)
    led = count > 0
    safe = np.maximum(count, 1)
    unit_competence = per_unit_sum(units, competence[officer_serving], n_units) / safe
    unit_harshness = per_unit_sum(units, harshness[officer_serving], n_units) / safe
    return unit_competence, unit_harshness, led


def overstretch(present: np.ndarray, authorised: np.ndarray) -> np.ndarray:
    """How much extra duty falls on each soldier present, per unit (0 at full strength).

    Article: "units are stretched thin", "additional strain on the remaining
    troops". 1 means twice the duty (half strength); capped at 2.
    """
    return np.clip(authorised / np.maximum(present, 1) - 1.0, 0.0, 2.0)


# ---------------------------------------------------------------------------- #
# Combat
# ---------------------------------------------------------------------------- #


def casualty_hazard(
    p: Parameters, posture: np.ndarray, stretch: np.ndarray, competence: np.ndarray
) -> np.ndarray:
    """Daily chance that a soldier present is hit, per unit.

    Article: "intense fighting and heavy casualties". Frontline units are
    exposed fully, the second line at ``second_line_exposure``, the reserve not
    at all; ``max_casualty_rate`` x ``combat_intensity`` sets the level;
    understrength units expose each soldier more (overstretch); competent
    officers avoid up to ``officer_protection`` of the losses.
    """
    exposure = np.select(
        [posture == Posture.FRONTLINE, posture == Posture.SECOND_LINE],
        [1.0, p.second_line_exposure],
        0.0,
    )
    hazard = (
        p.max_casualty_rate
        * p.combat_intensity
        * exposure
        * (1.0 + stretch)
        * (1.0 - p.officer_protection * competence)
    )
    return np.clip(hazard, 0.0, 1.0)


def todays_engagements(
    p: Parameters, rng: np.random.Generator, squad_unit: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """Where today's fighting falls: each unit's and each squad's share of its usual hazard.

    Article: "intense fighting and heavy casualties". Casualties come in
    engagements, not as a steady trickle (Dupuy et al. 1986): each unit is in
    an engagement with chance 1 / ``engagement_days``, of a severity drawn
    lognormal with mean 1 and log-sd ``engagement_spread``; each squad is in
    contact with chance ``contact_share``. ``engagement_share`` of the
    losses fall in engagements on the squads in contact, the rest every day on
    everyone. Both factors have expectation 1, so the mean hazard is
    ``casualty_hazard``'s; what changes is that a squad in a bad action sees
    several friends hit on one day, and its survivors' fear rises together
    (revision 8: the shared blow that lets a departure find comrades near
    their thresholds). ``squad_unit`` is each squad's unit.
    """
    n_units, n_squads = p.n_units, squad_unit.size
    if p.engagement_share == 0.0:  # the steady trickle: no draws, so its runs stay as they were
        return np.ones(n_units), np.ones(n_squads)
    engaged = rng.random(n_units) < 1.0 / p.engagement_days
    sigma = p.engagement_spread
    severity = rng.lognormal(-0.5 * sigma * sigma, sigma, n_units)
    in_contact = rng.random(n_squads) < p.contact_share
    action = engaged * severity * p.engagement_days  # per unit, expectation 1
    steady = 1.0 - p.engagement_share
    unit_factor = steady + p.engagement_share * action
    squad_factor = steady + p.engagement_share * action[squad_unit] * in_contact / p.contact_share
    return unit_factor, squad_factor


def killed_share(p: Parameters, medical: float) -> float:
    """Share of today's casualties who die; medical care halves it at best.

    Article: "lack of proper medical care". Reads ``killed_share``.
    """
    return p.killed_share * (1.0 - 0.5 * medical)


def wound_days(p: Parameters, medical: float, rng: np.random.Generator, size: int) -> np.ndarray:
    """Days each of today's wounded spends in hospital: exponential, shorter with medical care.

    Article: "lack of proper medical care". Mean ``recovery_days`` with no care,
    halved with full care.
    """
    return rng.exponential(p.recovery_days * (1.0 - 0.5 * medical), size=size)


def heal_one_day(wound_days_left: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """The wounded's days left in hospital after one more day, and who is healed (back to his unit).

    Article: casualties are lost to units for a while ("heavy casualties"); a
    wounded soldier returns when his ``wound_days`` have passed. No parameter.
    """
    left = wound_days_left - 1.0
    return left, left <= 0


def officer_killed_chance(p: Parameters, hazard: np.ndarray, medical: float) -> np.ndarray:
    """Daily chance that a serving officer is killed, given his unit's casualty hazard.

    Article: "ineffective leadership" follows losses among officers, who lead
    from the front: ``officer_risk`` times his soldiers' hazard, times the share
    of casualties who die (``killed_share``; officers are not wounded).
    """
    return hazard * p.officer_risk * killed_share(p, medical)


def unit_hit_share(hit_units: np.ndarray, unit_present: np.ndarray, n_units: int) -> np.ndarray:
    """Share of each unit's soldiers present (before the fight) hit today, per unit.

    The "heavy casualties" every soldier of the unit sees (``fear_after_combat``).
    ``hit_units`` is the unit of each soldier hit. No parameter.
    """
    return per_unit_sum(hit_units, None, n_units) / np.maximum(unit_present, 1)


@soldier_rule
def combat_days_after_day(at_front, combat_days):
    """A soldier's days of continuous combat: one more at the front, back to 0 elsewhere.

    Article: "the psychological toll of constant combat" grows with its length
    (``fear_after_combat``) and newcomers dread being deployed (``is_deploying``).
    No parameter.
    """
    return combat_days + 1 if at_front else 0


def personal_events(chance: float, candidates: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """Which of the ``candidates`` (rows) live through a personal event today, each with ``chance``.

    The number of events is binomial and their rows are drawn uniformly (a row
    drawn twice has one event; with chances of a few percent that is rare), so
    the cost grows with the events, not with the army. No parameter.
    """
    if candidates.size == 0 or chance <= 0.0:
        return candidates[:0]
    k = rng.binomial(candidates.size, min(chance, 1.0))
    return np.unique(candidates[rng.integers(0, candidates.size, k)])


def close_call_chance(p: Parameters) -> float:
    """Daily chance that a frontline soldier not hit has a close call: ``close_call_rate`` x intensity.

    Albrecht & Koehler (2018): fear for one's own safety is the usual trigger of
    desertion. A close call (a shell beside him, the man next to him killed)
    is his own event, not his company's average (``fear_after_close_call``).
    """
    return p.close_call_rate * p.combat_intensity


def fear_after_close_call(p: Parameters, fear: np.ndarray) -> np.ndarray:
    """A soldier's fear after a close call: ``close_call_fear`` more (it fades at ``fear_recovery``).

    Albrecht & Koehler (2018); article: "fear of death and injury".
    """
    return np.clip(fear + p.close_call_fear, 0.0, 1.0)


def worry_after_home_news(worry: np.ndarray) -> np.ndarray:
    """A soldier's worry for home after bad news from home: fresh again, 1.

    Weitz (2005): letters of families in want drove Confederate desertion;
    Bearman (1991): soldiers left for home when home was threatened. Not a
    grievance against the army but a pull toward home (the ``home`` term of
    ``push_terms``). It reaches soldiers at the front and in the rear alike
    (each with ``home_news_rate`` a day, ``personal_events``) and fades
    (``home_worry_after_day``). No parameter.
    """
    return np.ones_like(worry)


@soldier_rule
def home_worry_after_day(p, worry):
    """A soldier's worry for home after a day: it fades with e-folding time ``home_worry_days``.

    Weitz (2005); the worry lasts until an answer comes back or the trouble
    passes. Most soldiers have none (0 stays 0).
    """
    return worry - worry / p.home_worry_days


@soldier_rule
def fear_after_combat(
    p, fear, unit_hit_share, ties_hit, at_front, combat_days, stretch, competence, medical
):
    """A soldier's fear after today's fighting.

    Article: "fear of death and injury", "the psychological toll of constant
    combat". Each casualty raises the fear of those who saw it: all of the unit
    (``fear_per_casualty`` per share of the unit hit) and friends most
    (``friend_fear_per_casualty`` per tie hit); medical care softens the shock.
    Continuous combat (``at_front``) adds ``combat_stress`` a day, growing
    linearly with days in combat (doubled after ``fatigue_days``); overstretch
    adds ``overstretch_stress``. Fear fades at ``fear_recovery``, scaled by
    1 + ``officer_calm`` x (competence - 0.5): trust in a competent officer
    would speed it, but ``officer_calm`` is 0 by default since revision 12 (no
    source for the speed-up; competent officers lower fear through the
    casualties they avoid).
    """
    shock = (p.fear_per_casualty * unit_hit_share + p.friend_fear_per_casualty * ties_hit) * (
        1.0 - 0.5 * medical
    )
    stress = p.combat_stress * p.combat_intensity * (1.0 + combat_days / p.fatigue_days) if at_front else 0.0
    strain = p.overstretch_stress * stretch
    recovery = p.fear_recovery * (1.0 - 0.5 * p.officer_calm + p.officer_calm * competence) * fear
    return clip01(fear + shock + stress + strain - recovery)


# ---------------------------------------------------------------------------- #
# Conditions and leadership -> grievance and motivation
# ---------------------------------------------------------------------------- #


@soldier_rule
def grievance_after_conditions(p, grievance, supply, harshness, stretch, backlash):
    """A soldier's grievance after a day of living conditions and command.

    Article: "inadequate supplies, substandard living conditions" breed
    resentment; "rigid and often punitive command structure"; "strain on the
    remaining troops". A supply shortfall adds ``grievance_per_shortfall`` a
    day, a harsh officer ``harsh_grievance``, overstretch
    ``overstretch_stress``; punishment seen under a harsh officer adds the
    backlash; grievance fades at ``grievance_decay``.
    """
    added = (
        p.grievance_per_shortfall * (1.0 - supply)
        + p.harsh_grievance * harshness
        + p.overstretch_stress * stretch
        + backlash
    )
    return clip01(grievance + added - p.grievance_decay * grievance)


@soldier_rule
def leadership_target(p, commitment, competence, led):
    """The motivation a soldier's officers pull him towards: a bounded pull around his commitment.

    Article: "ineffective leadership", "absence of trust between soldiers and
    their superiors"; Costa (2014): leading from the front lowered desertion.
    ``commitment`` is his motivation at enlistment; a led unit pulls it up or
    down by ``leadership_span`` x (competence - 0.5), a unit without an officer
    down by ``leadership_span`` / 2; within 0..1. Officers move motivation
    within a band around what the soldier brought, not without limit.
    """
    if led:
        return clip01(commitment + p.leadership_span * (competence - 0.5))
    return clip01(commitment - 0.5 * p.leadership_span)


@soldier_rule
def motivation_after_day(p, motivation, commitment, competence, led, peer_signal, grievance):
    """A soldier's motivation after a day.

    Article: "lack of motivation ... lack the ideological commitment";
    "absence of trust between soldiers and their superiors"; seeing comrades
    leave makes them "question the purpose of the war". Motivation relaxes
    towards the officers' target (``leadership_target``) with e-folding time
    ``leadership_days``; then comrades' desertions erode it (``peer_erosion``
    x the peer signal), so does grievance (``grievance_erosion``).
    """
    target = leadership_target(p, commitment, competence, led)
    led_to = motivation + (target - motivation) / p.leadership_days
    erosion = p.peer_erosion * peer_signal + p.grievance_erosion * grievance
    return clip01(led_to - erosion)


def propaganda_habituation(p: Parameters, habituation: float) -> float:
    """Soldiers' habituation to the campaign, after one more day of it.

    Article: propaganda had "limited success in the face of the harsh
    realities". Habituation follows the campaign's intensity with an e-folding
    time of ``propaganda_habituation_days``.
    """
    return relax(habituation, p.propaganda, p.propaganda_habituation_days)


@soldier_rule
def propaganda_lift(p, habituation, motivation, fear, grievance):
    """Motivation the campaign adds to a soldier today: short, decaying, weakest where fear is high.

    Article: campaigns "portray the war as a noble cause" with "limited success
    in the face of the harsh realities". The campaign's strength is its novelty
    (intensity above habituation) plus a ``propaganda_residual`` share that
    never fades; its credibility to a soldier is (1 - fear) x (1 - grievance);
    ``propaganda_lift`` is the lift of a fresh, fully credible campaign at 1.
    """
    novelty = max(p.propaganda - habituation, 0.0)
    strength = p.propaganda_residual * p.propaganda + (1.0 - p.propaganda_residual) * novelty
    credibility = (1.0 - fear) * (1.0 - grievance)
    return p.propaganda_lift * strength * credibility * (1.0 - motivation)


# ---------------------------------------------------------------------------- #
# Contagion
# ---------------------------------------------------------------------------- #


@soldier_rule
def peer_signal(p, ties_gone, n_ties, peer_threshold):
    """A soldier's response to the share of his ties who have deserted since he joined (0..1).

    Article: "seeing their comrades leave ... create a sense of unease and
    disillusionment", "a self-perpetuating cycle" (loop R1). Granovetter
    (1978): a threshold is crossed by how many have acted so far. The share is
    ``ties_gone`` / ``n_ties``; the response is a smooth step (0 to 1, cubic
    "smoothstep") centred on his personal ``peer_threshold`` (drawn from
    ``peer_threshold_mean``, ``peer_threshold_spread``), rising from 0 at
    ``2 x peer_width`` below it to 1 at ``2 x peer_width`` above it: nothing
    well below his threshold, all of it well above. (The same 12%-88% rise as
    a logistic of scale ``peer_width``, without an exponential per soldier.)
    With none of his ties gone there is nothing to respond to: 0, whatever his
    threshold (most soldiers, most days; it also spares them the arithmetic).
    """
    if ties_gone <= 0.0:
        return 0.0
    share = ties_gone / max(n_ties, 1)
    x = min(max((share - peer_threshold) / (4.0 * p.peer_width) + 0.5, 0.0), 1.0)
    return x * x * (3.0 - 2.0 * x)


@soldier_rule
def ties_gone_after_day(ties_gone, gone_yesterday):
    """Ties of a soldier who have deserted since he joined and are still gone, after yesterday.

    Granovetter (1978): participation so far, not only this week's. Newcomers
    start at 0 (they did not see who left before them). ``gone_yesterday`` is
    the sum over his ties (``ties_total``) of yesterday's deserters (+1 each)
    and of yesterday's caught deserters, jailed or sent back (-1 each): a
    deserter brought back no longer counts as gone (Epstein 2002: citizens see
    the active rebels, not the jailed), so capture acts on contagion too.
    Never below 0 (a newcomer may see the capture of someone who left before
    he came). Counted while he is present. No parameter.
    """
    return max(ties_gone + gone_yesterday, 0.0)


def tie_sums(
    rows: np.ndarray, values: np.ndarray, squad: np.ndarray, ties, n_squads: int, n: int
) -> tuple[np.ndarray, np.ndarray]:
    """Sums over ties of a quantity that is non-zero for a few soldiers only.

    ``values`` are the quantity at ``rows`` (today's casualties, yesterday's
    deserters) and zero elsewhere. Returns (per squad, per soldier over his
    cross ties); a soldier's sum over all his ties is ``per_squad[his squad] -
    his own value + cross[him]`` (``ties_total``). Only those few soldiers are
    visited (``ties`` is a ``model.ties.Ties``).
    """
    per_squad = np.bincount(squad[rows], weights=values, minlength=n_squads)
    return per_squad, ties.spread(rows, values, n)


@soldier_rule
def n_ties(squad_places, cross_ties):
    """How many comrades a soldier is tied to: his squad's other places plus his cross ties.

    Article: "seeing their comrades leave": the peer signal is the share of
    them who have left (``peer_signal``). A squad keeps its places, so a
    comrade who left still counts as a tie. No parameter.
    """
    return squad_places - 1 + cross_ties


@soldier_rule
def ties_total(per_squad, own, cross):
    """One soldier's sum over his squad mates and cross ties (see ``tie_sums``)."""
    return per_squad - own + cross


# ---------------------------------------------------------------------------- #
# The unit's memory: cohesion and the desertion norm
# ---------------------------------------------------------------------------- #


def cohesion_after_day(
    p: Parameters, cohesion: np.ndarray, lost: np.ndarray, present_at_dawn: np.ndarray
) -> np.ndarray:
    """Cohesion of each unit's primary groups after a day, per unit (0..1).

    Shils & Janowitz (1948), Costa & Kahn (2003): the primary group holds a
    soldier; bonds take weeks to form and every loss cuts them. Cohesion grows
    by (1 - cohesion) / ``cohesion_days`` and falls by ``cohesion_loss`` x the
    share of the soldiers present at dawn lost today (``lost``: hit or deserted).
    """
    grown = cohesion + (1.0 - cohesion) / p.cohesion_days
    cut = p.cohesion_loss * lost / np.maximum(present_at_dawn, 1)
    return np.clip(grown - cut, 0.0, 1.0)


def cohesion_after_reinforcement(
    cohesion: np.ndarray, present: np.ndarray, newcomers: np.ndarray
) -> np.ndarray:
    """Cohesion per unit once today's replacements have joined: newcomers dilute it.

    Shils & Janowitz (1948): a unit that has lost its old hands integrates
    newcomers badly; a newcomer to a broken company starts in a broken company.
    cohesion x present / (present + newcomers). No parameter.
    """
    total = present + newcomers
    return np.where(total > 0, cohesion * present / np.maximum(total, 1), cohesion)


def desertion_norm_after_day(
    p: Parameters,
    norm: np.ndarray,
    deserted: np.ndarray,
    brought_back: np.ndarray,
    authorised: np.ndarray,
) -> np.ndarray:
    """The unit's desertion norm after today's desertions and captures, per unit.

    Bearman (1991), McLauchlin (2015): once many of a unit have gone, leaving
    stops being shameful; the norm is the unit's, and newcomers inherit it. It
    fades with e-folding time ``norm_memory_days`` and gains today's deserters
    (``deserted``) per ``authorised`` soldier. A deserter caught today takes
    back what he still weighs in it (``brought_back``: per unit, the sum of
    ``captured_norm_weight`` of today's caught): a comrade brought back and
    punished does not make leaving less shameful (Epstein 2002). Never below 0.
    """
    added = (deserted - brought_back) / np.maximum(authorised, 1)
    return np.maximum(norm * np.exp(-1.0 / p.norm_memory_days) + added, 0.0)


def captured_norm_weight(p: Parameters, days_since_desertion: np.ndarray) -> np.ndarray:
    """What a deserter caught today still weighs in his unit's norm: exp(-days gone / ``norm_memory_days``).

    His desertion entered the norm with weight 1 and has faded since
    (``desertion_norm_after_day``).
    """
    return np.exp(-days_since_desertion / p.norm_memory_days)


# ---------------------------------------------------------------------------- #
# Decision
# ---------------------------------------------------------------------------- #


PUSH_TERMS = ("fear", "grievance", "motivation", "peers", "deployment", "norm", "cohesion", "home")


@soldier_rule
def push_terms(p, fear, grievance, motivation, lift, signal, deploying, norm, cohesion, home_worry):
    """A soldier's push to leave, term by term (in the order of ``PUSH_TERMS``).

    Article: the root causes ("lack of motivation", "poor treatment and
    conditions", "fear of death and injury"), peers leaving, and soldiers going
    to great lengths to "avoid being deployed". Weights: ``weight_fear``, ``weight_grievance``,
    ``weight_motivation`` (on 1 - motivation, after the propaganda lift),
    ``peer_influence`` x ``peer_gain`` (on the peer signal) and
    ``deployment_dread`` x ``combat_intensity`` in a soldier's first
    ``dread_days`` at the front (``deploying``). The unit's memory: its
    desertion ``norm`` pushes by ``peer_influence`` x ``norm_weight`` x norm /
    (norm + ``norm_half``) (Bearman 1991: the stigma of leaving falls as more
    have left, saturating; brief: desertions among a soldier's ties *and unit*
    push him, so the peer lever covers both);
    its ``cohesion`` pulls back by ``cohesion_weight`` x cohesion (Shils &
    Janowitz 1948: the primary group holds a soldier). His ``home_worry`` pulls
    him home by ``weight_home`` x worry (Weitz 2005, Bearman 1991).
    """
    return (
        p.weight_fear * fear,
        p.weight_grievance * grievance,
        p.weight_motivation * (1.0 - clip01(motivation + lift)),
        p.peer_influence * p.peer_gain * signal,
        p.deployment_dread * p.combat_intensity if deploying else 0.0,
        p.peer_influence * p.norm_weight * norm / (norm + p.norm_half),
        -p.cohesion_weight * cohesion,
        p.weight_home * home_worry,
    )


@soldier_rule
def is_deploying(p, at_front, combat_days):
    """Whether a soldier is deploying: in his first ``dread_days`` at the front.

    Article: soldiers go to great lengths to "avoid being deployed" (the
    ``deployment_dread`` term of ``push_terms``): a replacement, a soldier back
    from hospital or capture, or a unit just rotated in.
    """
    return at_front and combat_days <= p.dread_days


@soldier_rule
def total_push(terms):
    """A soldier's push to leave: the sum of ``push_terms``, in their order."""
    return terms[0] + terms[1] + terms[2] + terms[3] + terms[4] + terms[5] + terms[6] + terms[7]


@soldier_rule
def mood_noise(p, draw):
    """Today's mood of a soldier: a standard normal ``draw`` scaled by ``daily_noise``.

    Epstein (2002) and Granovetter (1978): individual decisions carry noise
    beyond the modelled causes; it is drawn anew every day.
    """
    return p.daily_noise * draw


def police_strength(p: Parameters, authorised_total: float) -> float:
    """Military police who can hunt deserters: ``police_per_100`` per 100 authorised soldiers.

    Epstein (2002): the police are a number, not a probability. They are the
    pursuit's capacity; the ``enforcement`` lever is its effort (``capture_chance``).
    """
    return p.police_per_100 / 100.0 * authorised_total


def arrest_probability(p: Parameters, police: float, at_large: int) -> float:
    """Epstein's arrest probability: 1 - exp(-``capture_k`` x police / max(deserters at large, 1)).

    Epstein (2002), k = 2.3; the Confederate army of 1865: when desertion
    outruns the provosts, each deserter is less likely caught (loop R5).
    ``at_large`` counts the deserters still pursued (within ``pursuit_days``).
    """
    return 1.0 - float(np.exp(-p.capture_k * police / max(at_large, 1)))


def local_arrest_factor(p: Parameters, police: np.ndarray, at_large: np.ndarray) -> np.ndarray:
    """How a company's own deserters at large scale its belief in being caught, per unit.

    Epstein (2002): an agent estimates the arrest probability from the police
    and the actives *within his vision*, which is what makes his bursts local.
    A company sees its share of the ``police`` and its own deserters still
    pursued (``at_large``): Epstein's ratio, 1 - exp(-``capture_k`` x c / max(a, 1)),
    against the same with at most one at large (the army's belief holds).
    Weighted by ``local_arrest_estimate`` (0: the army's figure everywhere).
    """
    seen = 1.0 - np.exp(-p.capture_k * police / np.maximum(at_large, 1))
    calm = 1.0 - np.exp(-p.capture_k * police)
    ratio = np.divide(seen, calm, out=np.ones_like(seen, dtype=float), where=calm > 0)
    return 1.0 - p.local_arrest_estimate * (1.0 - ratio)


def capture_chance(p: Parameters, arrest: float) -> float:
    """Today's chance that a deserter still pursued is caught.

    Brief: "enforcement (certainty of being caught)". ``enforcement`` (the
    effort of the pursuit) x ``max_capture_rate`` (the daily chance at full
    effort with police to spare) x the arrest probability (which falls when
    the deserters outnumber the police: ``arrest_probability``).
    """
    return p.enforcement * p.max_capture_rate * arrest


def caught_before_escape(p: Parameters, daily_chance: float) -> float:
    """The chance that a deserter is caught before the pursuit ends: 1 - (1 - daily)^``pursuit_days``.

    What soldiers can see happen to deserters (brought back, or never seen
    again); the certainty of capture they come to believe (``certainty_belief``).
    """
    return 1.0 - (1.0 - daily_chance) ** p.pursuit_days


def certainty_belief(p: Parameters, belief: float, caught_share: float) -> float:
    """Soldiers' army-wide belief in being caught, after a day: it follows ``caught_before_escape``.

    Epstein (2002): perceived arrest probability. Soldiers learn from what
    happens to deserters, with e-folding time ``certainty_days``; when
    desertion outruns the police, fewer are brought back and soldiers come
    to know it (loop R5).
    """
    return float(relax(belief, caught_share, p.certainty_days))


def perceived_certainty(
    p: Parameters, belief: float | np.ndarray, harshness: np.ndarray, salience: np.ndarray
) -> np.ndarray:
    """Perceived certainty of being caught, per unit (0..1).

    Article: "stricter laws"; a "rigid and often punitive command structure".
    The army-wide ``belief`` (``certainty_belief``; per unit when
    ``local_arrest_factor`` scales it), raised under harsh officers
    (by up to ``harsh_certainty``) and for a while after comrades are punished
    (``salience_certainty`` per punishment per 100 soldiers).
    """
    certainty = belief * (1.0 + p.harsh_certainty * harshness) + p.salience_certainty * salience
    return np.clip(certainty, 0.0, 1.0)


def fade_salience(p: Parameters, salience: np.ndarray) -> np.ndarray:
    """Punishments seen in a unit weigh less as days pass (e-folding ``salience_days``), per unit.

    Article: a "rigid and often punitive command structure" deters (and angers)
    while the punishment is fresh in mind (``perceived_certainty``,
    ``punishment_backlash``).
    """
    return salience * np.exp(-1.0 / p.salience_days)


def salience_after_punishments(
    salience: np.ndarray, punished: np.ndarray, authorised: np.ndarray
) -> np.ndarray:
    """Punishment salience per unit after today's captures: +1 per punishment per 100 soldiers.

    Article: "stricter laws", "harsher punishments": comrades caught (jailed or
    sent back alike) are seen by the unit. ``punished`` counts them per unit;
    ``authorised`` is the unit's strength. No parameter.
    """
    return salience + 100.0 * punished / np.maximum(authorised, 1)


# The severity at which deterrence is Epstein's net risk (``deterrence_weight``'s source,
# revision 6): perceived severity equals the lever there, whatever the discounting.
EPSTEIN_SEVERITY = 0.5


def discounted_years(years: float, discount_factor: float) -> float:
    """A sentence of ``years`` as a soldier weighs it: each year discounted by ``discount_factor``
    a year, ``(1 - b^L) / (-ln b)``; ``L`` itself when nothing is discounted (``b`` = 1)."""
    if discount_factor >= 1.0:
        return years
    rate = -math.log(discount_factor)
    return (1.0 - math.exp(-rate * years)) / rate


def perceived_severity(p: Parameters) -> float:
    """How severe soldiers perceive the penalties: the sentence's discounted years (revision 15).

    Article: "harsher punishments, including lengthy prison sentences". The
    sentence is ``penalty_severity x max_sentence_years``; offenders weigh its
    later years less (``discount_factor``; Mastrobuoni and Rivers 2016: 0.74 a
    year, so most of a sentence's deterrence is in its first years). Scaled so
    that at ``EPSTEIN_SEVERITY`` it equals the lever: at ``discount_factor`` 1 it
    is ``penalty_severity`` itself, and deterrence is symmetric in certainty and
    severity (Epstein 2002). The same for every soldier (computed once a day).
    """
    if p.discount_factor >= 1.0:
        return p.penalty_severity  # exactly the lever, not a ratio equal to it up to rounding
    sentence = discounted_years(p.penalty_severity * p.max_sentence_years, p.discount_factor)
    default_sentence = discounted_years(EPSTEIN_SEVERITY * p.max_sentence_years, p.discount_factor)
    return EPSTEIN_SEVERITY * sentence / default_sentence


@soldier_rule
def deterrence(p, certainty, severity, risk_aversion):
    """Deterrence = certainty x perceived severity x risk aversion (Epstein 2002).

    Certainty of capture (per unit, ``perceived_certainty``) and severity
    (``perceived_severity``) are separate levers; scaled by ``deterrence_weight``.
    """
    return p.deterrence_weight * certainty * severity * risk_aversion


@soldier_rule
def decide_to_desert(push, deter, threshold, noise):
    """Whether a soldier deserts today: push minus deterrence (plus today's mood) above his threshold.

    The civil-violence rule (Epstein 2002) with heterogeneous personal
    thresholds (Granovetter 1978); ``noise`` is drawn with ``daily_noise``.
    """
    return push - deter + noise > threshold


# ---------------------------------------------------------------------------- #
# Enforcement
# ---------------------------------------------------------------------------- #


def pursued(p: Parameters, days_at_large: np.ndarray) -> np.ndarray:
    """Which deserters at large are still pursued: gone ``pursuit_days`` or fewer.

    Article: the government's crack-down on deserters; after the pursuit window
    a deserter has escaped for good.
    """
    return days_at_large <= p.pursuit_days


def capture(chance: float, draws: np.ndarray) -> np.ndarray:
    """Which of the deserters still pursued are caught today, each with ``chance`` (``capture_chance``).

    Article: the government's crack-down on deserters. No parameter of its own.
    """
    return draws < chance


def imprisoned(p: Parameters, draws: np.ndarray) -> np.ndarray:
    """Which of the caught (one draw each) are imprisoned (removed); the rest are sent back to their unit.

    Article: "lengthy prison sentences"; brief: "most sentences were suspended
    and the soldier sent back". The chance of prison is ``prison_share``.
    """
    return draws < p.prison_share


def grievance_on_return(p: Parameters, grievance: np.ndarray) -> np.ndarray:
    """Grievance of deserters caught and sent back to their unit (loop R4).

    Brief: "most sentences were suspended and the soldier sent back"; article:
    the "punitive command structure" breeds resentment. Each gains
    ``returned_grievance`` at once.
    """
    return np.clip(grievance + p.returned_grievance, 0.0, 1.0)


def punishment_backlash(
    p: Parameters, salience: np.ndarray, harshness: np.ndarray
) -> np.ndarray:
    """Grievance a punishment seen in the unit adds under a harsh officer, per unit (loop R4).

    Article: a "rigid and often punitive command structure" breeds resentment.
    ``punishment_backlash`` per punishment per 100 soldiers, scaled by the
    officer's harshness and ``penalty_severity``, spread over the salience time.
    """
    return p.punishment_backlash * salience * harshness * p.penalty_severity / p.salience_days


# ---------------------------------------------------------------------------- #
# Reinforcement and rotation
# ---------------------------------------------------------------------------- #


def vacancies(squad_places: np.ndarray, on_books: np.ndarray) -> np.ndarray:
    """Vacancies per squad: its places minus its soldiers present or wounded (never negative).

    Implied by the article's manpower shortage: the killed, deserted and jailed
    leave places that ``replacements`` fill. No parameter.
    """
    return np.maximum(squad_places - on_books, 0)


def replacements(
    p: Parameters, vacancies: np.ndarray, rng: np.random.Generator
) -> np.ndarray:
    """How many replacements reach each squad today (loop B2).

    Implied by the article's manpower shortage: ``reinforcement_rate`` is the
    share of vacancies filled in a week.
    """
    daily = 1.0 - (1.0 - p.reinforcement_rate) ** (1.0 / 7.0)
    return rng.binomial(vacancies, daily)


def rotation_orders(
    p: Parameters, posture: np.ndarray, days_in_posture: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """Which frontline units are relieved today, and which rear units relieve them (loop B3).

    Article: units "stretched thin" under "constant combat". A frontline unit
    that has fought ``rotation_days`` days (0 = never) swaps posture with the
    rear unit that has rested longest.
    """
    if p.rotation_days <= 0:
        empty = np.empty(0, dtype=np.int64)
        return empty, empty
    due = np.flatnonzero((posture == Posture.FRONTLINE) & (days_in_posture >= p.rotation_days))
    rear = np.flatnonzero(posture != Posture.FRONTLINE)
    rested = rear[np.argsort(-days_in_posture[rear], kind="stable")]
    k = min(due.size, rested.size)
    return due[:k], rested[:k]
