"""The daily processes of the morale model, one small pure function each.

Every function works on whole arrays (all soldiers, or all units) at once and
returns new values; the model's ``step()`` applies them in the order of the
day. Each docstring names the claim of the source article it encodes
(``shared/seed``; the mapping is MODEL_BRIEF section 2) and the parameters it
reads. "Per unit" arrays are indexed by unit id; ``x[unit]`` spreads them over
soldiers.
"""

from __future__ import annotations

import numpy as np

from model.parameters import Parameters
from model.state import Posture

# ---------------------------------------------------------------------------- #
# Small helpers
# ---------------------------------------------------------------------------- #


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


# ---------------------------------------------------------------------------- #
# Leadership
# ---------------------------------------------------------------------------- #


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
    competence = np.clip(p.officer_competence + competence_offset, 0, 1)
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


def killed_share(p: Parameters, medical: float) -> float:
    """Share of today's casualties who die; medical care halves it at best.

    Article: "lack of proper medical care". Reads ``killed_share``.
    """
    return p.killed_share * (1.0 - 0.5 * medical)


def fear_after_combat(
    p: Parameters,
    fear: np.ndarray,
    unit_hit_share: np.ndarray,
    ties_hit: np.ndarray,
    at_front: np.ndarray,
    combat_days: np.ndarray,
    stretch: np.ndarray,
    competence: np.ndarray,
    medical: float,
) -> np.ndarray:
    """Fear after today's fighting, for each soldier present.

    Article: "fear of death and injury", "the psychological toll of constant
    combat". Each casualty raises the fear of those who saw it: all of the unit
    (``fear_per_casualty`` per share of the unit hit) and friends most
    (``friend_fear_per_casualty`` per tie hit); medical care softens the shock.
    Continuous combat adds ``combat_stress`` a day, growing linearly with days
    in combat (doubled after ``fatigue_days``); overstretch adds ``overstretch_stress``. Fear fades at
    ``fear_recovery``, faster under competent officers (trust).
    """
    shock = (p.fear_per_casualty * unit_hit_share + p.friend_fear_per_casualty * ties_hit) * (
        1.0 - 0.5 * medical
    )
    front = at_front.astype(np.float32)
    days = combat_days.astype(np.float32)
    stress = p.combat_stress * p.combat_intensity * front * (1.0 + days / p.fatigue_days)
    strain = p.overstretch_stress * stretch
    recovery = p.fear_recovery * (0.5 + competence) * fear
    return np.clip(fear + shock + stress + strain - recovery, 0.0, 1.0)


# ---------------------------------------------------------------------------- #
# Conditions and leadership -> grievance and motivation
# ---------------------------------------------------------------------------- #


def grievance_after_conditions(
    p: Parameters,
    grievance: np.ndarray,
    supply: np.ndarray,
    harshness: np.ndarray,
    stretch: np.ndarray,
    backlash: np.ndarray,
) -> np.ndarray:
    """Grievance after a day of living conditions and command, for each soldier present.

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
    return np.clip(grievance + added - p.grievance_decay * grievance, 0.0, 1.0)


def motivation_after_day(
    p: Parameters,
    motivation: np.ndarray,
    competence: np.ndarray,
    led: np.ndarray,
    peer_signal: np.ndarray,
    grievance: np.ndarray,
) -> np.ndarray:
    """Motivation after a day, for each soldier present.

    Article: "lack of motivation ... lack the ideological commitment";
    "absence of trust between soldiers and their superiors"; seeing comrades
    leave makes them "question the purpose of the war". Competent officers lift
    motivation and incompetent ones erode it (``leadership_lift`` x
    (competence - 0.5)); comrades' desertions erode it (``peer_erosion``), so
    does grievance (``grievance_erosion``).
    """
    lead = np.where(led, p.leadership_lift * (competence - 0.5), -0.5 * p.leadership_lift)
    erosion = p.peer_erosion * peer_signal + p.grievance_erosion * grievance
    return np.clip(motivation + lead - erosion, 0.0, 1.0)


def propaganda_habituation(p: Parameters, habituation: float) -> float:
    """Soldiers' habituation to the campaign, after one more day of it.

    Article: propaganda had "limited success in the face of the harsh
    realities". Habituation follows the campaign's intensity with an e-folding
    time of ``propaganda_habituation_days``.
    """
    return relax(habituation, p.propaganda, p.propaganda_habituation_days)


def propaganda_lift(
    p: Parameters, habituation: float, motivation: np.ndarray, fear: np.ndarray, grievance: np.ndarray
) -> np.ndarray:
    """Motivation the campaign adds today, per soldier: short, decaying, weakest where fear is high.

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


def peer_signal(
    p: Parameters,
    peer_recent: np.ndarray,
    squad: np.ndarray,
    unit: np.ndarray,
    ties,
    n_ties: np.ndarray,
    authorised: np.ndarray,
    n_squads: int,
) -> np.ndarray:
    """Recent desertions among each soldier's ties and unit, as a share (0..1).

    Article: "seeing their comrades leave ... create a sense of unease and
    disillusionment", "a self-perpetuating cycle" (loop R1; Granovetter 1978).
    ``peer_recent`` is 1 on the day a soldier deserts and fades with
    ``peer_memory_days``. The signal mixes the share of a soldier's ties who
    recently left (weight ``tie_weight``) and the share of his unit's
    authorised strength.
    """
    tie_share = tie_sum(peer_recent, squad, ties, n_squads) / np.maximum(
        n_ties, 1
    ).astype(np.float32)
    recent = np.flatnonzero(peer_recent)
    per_unit = np.bincount(unit[recent], weights=peer_recent[recent], minlength=authorised.size)
    per_unit_share = (per_unit / np.maximum(authorised, 1)).astype(np.float32)
    own_share = peer_recent / np.maximum(authorised, 1).astype(np.float32)[unit]
    unit_share = per_unit_share[unit] - own_share
    return np.clip(p.tie_weight * tie_share + (1.0 - p.tie_weight) * unit_share, 0.0, 1.0)


def tie_sum(values: np.ndarray, squad: np.ndarray, ties, n_squads: int) -> np.ndarray:
    """For each soldier, the sum of ``values`` over his ties (squad mates and cross ties).

    ``values`` is mostly zero (today's casualties, recent deserters), so only its
    non-zero entries are visited (``ties`` is a ``model.ties.Ties``).
    """
    n = values.size
    nonzero = np.flatnonzero(values)
    if nonzero.size == 0:
        return np.zeros(n, dtype=np.float32)
    per_squad = np.bincount(squad[nonzero], weights=values[nonzero], minlength=n_squads)
    in_squad = per_squad.astype(np.float32)[squad] - values
    return in_squad + ties.spread(nonzero, values[nonzero], n)


FORGOTTEN = 1e-4  # a comrade's desertion weighing less than this is forgotten (set to 0)


def fade_peer_memory(p: Parameters, peer_recent: np.ndarray) -> np.ndarray:
    """Comrades' desertions weigh less as days pass (e-folding ``peer_memory_days``).

    Below ``FORGOTTEN`` a desertion is forgotten outright, which keeps the peer
    signal's work proportional to recent deserters, not to the whole army.
    """
    faded = peer_recent * np.exp(-1.0 / p.peer_memory_days)
    faded[faded < FORGOTTEN] = 0.0
    return faded


# ---------------------------------------------------------------------------- #
# Decision
# ---------------------------------------------------------------------------- #


def push_terms(
    p: Parameters,
    fear: np.ndarray,
    grievance: np.ndarray,
    motivation: np.ndarray,
    lift: np.ndarray,
    signal: np.ndarray,
    deploying: np.ndarray,
) -> dict[str, np.ndarray]:
    """The push to leave, term by term, for each soldier.

    Article: the root causes ("lack of motivation", "poor treatment and
    conditions", "fear of death and injury"), peers leaving, and soldiers going
    to great lengths to "avoid being deployed". Weights: ``weight_fear``, ``weight_grievance``,
    ``weight_motivation`` (on 1 - motivation, after the propaganda lift),
    ``peer_influence`` x ``peer_gain`` (on the peer signal) and
    ``deployment_dread`` x ``combat_intensity`` in a soldier's first
    ``dread_days`` at the front.
    """
    return {
        "fear": p.weight_fear * fear,
        "grievance": p.weight_grievance * grievance,
        "motivation": p.weight_motivation * (1.0 - np.clip(motivation + lift, 0.0, 1.0)),
        "peers": p.peer_influence * p.peer_gain * signal,
        "deployment": p.deployment_dread * p.combat_intensity * deploying.astype(np.float32),
    }


def perceived_certainty(p: Parameters, harshness: np.ndarray, salience: np.ndarray) -> np.ndarray:
    """Perceived certainty of being caught, per unit (0..1).

    Article: "stricter laws"; a "rigid and often punitive command structure".
    Certainty rises with ``enforcement``, under harsh officers (by up to
    ``harsh_certainty``) and for a while after comrades are punished
    (``salience_certainty`` per punishment per 100 soldiers).
    """
    certainty = p.enforcement * (1.0 + p.harsh_certainty * harshness) + p.salience_certainty * salience
    return np.clip(certainty, 0.0, 1.0)


def deterrence(p: Parameters, certainty: np.ndarray, risk_aversion: np.ndarray) -> np.ndarray:
    """Deterrence = certainty x perceived severity x risk aversion (Epstein 2002).

    Article: "harsher punishments, including lengthy prison sentences". Certainty
    and severity are separate levers; perceived severity is
    ``penalty_severity`` ** ``severity_exponent`` (below 1: diminishing
    returns, so certainty deters more than severity); scaled by
    ``deterrence_weight``.
    """
    severity = p.penalty_severity**p.severity_exponent
    return p.deterrence_weight * certainty * severity * risk_aversion


def decide_to_desert(
    push: np.ndarray, deter: np.ndarray, threshold: np.ndarray, noise: np.ndarray
) -> np.ndarray:
    """Who deserts today: push minus deterrence (plus today's mood) above his threshold.

    The civil-violence rule (Epstein 2002) with heterogeneous personal
    thresholds (Granovetter 1978); ``noise`` is drawn with ``daily_noise``.
    """
    return push - deter + noise > threshold


# ---------------------------------------------------------------------------- #
# Enforcement
# ---------------------------------------------------------------------------- #


def capture(
    p: Parameters, at_large: np.ndarray, days_at_large: np.ndarray, draws: np.ndarray
) -> np.ndarray:
    """Which deserters at large are caught today.

    Article: the government's crack-down on deserters. A deserter can be caught
    within ``pursuit_days`` of leaving, each day with chance
    ``max_capture_rate`` x ``enforcement``.
    """
    catchable = at_large & (days_at_large <= p.pursuit_days)
    return catchable & (draws < p.max_capture_rate * p.enforcement)


def imprisoned(p: Parameters, caught: np.ndarray, draws: np.ndarray) -> np.ndarray:
    """Which of the caught are imprisoned (removed); the rest are sent back to their unit.

    Article: "lengthy prison sentences"; brief: "most sentences were suspended
    and the soldier sent back". The chance of prison is ``penalty_severity``.
    """
    return caught & (draws < p.penalty_severity)


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
