"""The per-soldier part of the day: the rules of ``model/processes.py`` applied to every soldier.

Each function here is one compiled pass (numba) over the soldiers' columns:
for every soldier present it reads his state and his unit's, applies the day's
rules in order, and writes his new state in place. The rules themselves (with
the article's claims and the parameters they read) are the ``@soldier_rule``
functions of ``model/processes.py``; these loops only decide who they apply
to and in what order. Soldiers absent (wounded, deserted, jailed, killed) keep
their values until they return.

Why compiled loops rather than numpy expressions: numpy evaluates a formula
one operation at a time, each a pass over every soldier with a temporary array
(about sixty passes for the day's rules); one compiled pass reads and writes
each soldier's state once. Measured in docs/performance.md.

The passes receive their arrays in named bundles (``SoldierState``,
``UnitConditions``, ``ArmyConditions``, ``TodaysContacts``; numba compiles
namedtuples of arrays as it does single arrays), so an input is read by its
name: two float columns cannot be swapped silently as positional arguments.
Per-unit arrays are indexed by ``soldiers.unit[i]``; per-squad arrays by
``soldiers.squad[i]``.
"""

from __future__ import annotations

from typing import NamedTuple

import numpy as np
from numba import njit

from model.processes import (
    combat_days_after_day,
    decide_to_desert,
    deterrence,
    fear_after_combat,
    grievance_after_conditions,
    home_worry_after_day,
    is_deploying,
    mood_noise,
    motivation_after_day,
    n_ties,
    peer_signal,
    propaganda_lift,
    push_terms,
    ties_gone_after_day,
    ties_total,
    total_push,
)


class SoldierState(NamedTuple):
    """The soldiers' columns the passes read, and update in place (views of ``SoldierTable``).

    One entry per soldier ever assigned; only those ``present`` are visited.
    """

    present: np.ndarray          # bool: with his unit today (serving or returned)
    unit: np.ndarray             # his unit, the index of every ``UnitConditions`` array
    squad: np.ndarray            # his squad, the index of the per-squad ``TodaysContacts`` arrays
    risk_aversion: np.ndarray
    threshold: np.ndarray
    commitment: np.ndarray       # his motivation at enlistment (leadership pulls around it)
    peer_threshold: np.ndarray   # share of his ties gone at which their leaving tips him
    # updated by the morale pass
    combat_days: np.ndarray
    fear: np.ndarray
    grievance: np.ndarray
    ties_gone: np.ndarray        # his ties who deserted since he joined
    home_worry: np.ndarray       # worry for home (1 on bad news, fading)
    peer_signal: np.ndarray
    motivation: np.ndarray
    propaganda_lift: np.ndarray
    # today's decision, written by the decision pass and kept for the inspector
    push: np.ndarray
    deterrence: np.ndarray
    noise: np.ndarray


class UnitConditions(NamedTuple):
    """Today's condition and command of every unit, one entry per unit."""

    at_front: np.ndarray         # bool
    competence: np.ndarray       # of its serving officers (0 if unled)
    led: np.ndarray              # bool: at least one officer serving
    harshness: np.ndarray        # of its serving officers (0 if unled)
    stretch: np.ndarray          # overstretch
    supply: np.ndarray           # supply on hand
    backlash: np.ndarray         # grievance today's punishment salience adds
    certainty: np.ndarray        # perceived certainty of capture
    cohesion: np.ndarray         # cohesion of its primary groups
    norm: np.ndarray             # its desertion norm


class ArmyConditions(NamedTuple):
    """The day's army-wide quantities, the same for every soldier."""

    medical: float               # medical care that has reached the units
    habituation: float           # soldiers' habituation to the propaganda campaign
    severity: float              # perceived severity of the penalties


class TodaysContacts(NamedTuple):
    """What each soldier saw happen to his comrades: today's casualties and yesterday's desertions.

    Sums over a soldier's ties come in parts (``processes.tie_sums``): per squad,
    over his cross ties, and his own value to take out (``processes.ties_total``).
    """

    hit: np.ndarray              # per soldier: 1 if hit today
    squad_hit: np.ndarray        # per squad: soldiers hit today
    cross_hit: np.ndarray        # per soldier: his cross ties hit today
    unit_hit_share: np.ndarray   # per unit: share of those present hit today
    squad_gone: np.ndarray       # per squad: its deserters of yesterday less its deserters caught yesterday
    cross_gone: np.ndarray       # per soldier: the same over his cross ties
    squad_places: np.ndarray     # per squad: its places (his squad mates are the others)
    cross_ties: np.ndarray       # per soldier: his number of cross ties


@njit(cache=True, error_model="numpy")
def morale_pass(params, soldiers, units, army, contacts):
    """Fear, grievance, ties gone, the peer signal, motivation and propaganda's lift of every soldier present.

    In the order of the day: days in combat (counted at the front, reset in the
    rear), fear after the fighting, grievance after the day's conditions, his
    ties gone (yesterday's deserters added) and the peer signal on their share,
    motivation (which reads today's grievance and signal), and
    the propaganda lift (which reads today's motivation, fear and grievance).
    ``params`` is ``kernel_parameters(...)``; ``soldiers`` a ``SoldierState``
    (updated in place), ``units`` ``UnitConditions``, ``army`` ``ArmyConditions``,
    ``contacts`` ``TodaysContacts``.
    """
    p = params[0]
    s, c = soldiers, contacts
    for i in range(s.present.size):
        if not s.present[i]:
            continue
        u, q = s.unit[i], s.squad[i]
        front = units.at_front[u]
        days = combat_days_after_day(front, s.combat_days[i])
        s.combat_days[i] = days
        ties_hit = ties_total(c.squad_hit[q], c.hit[i], c.cross_hit[i])
        new_fear = fear_after_combat(
            p, s.fear[i], c.unit_hit_share[u], ties_hit, front, days, units.stretch[u],
            units.competence[u], army.medical,
        )
        new_grievance = grievance_after_conditions(
            p, s.grievance[i], units.supply[u], units.harshness[u], units.stretch[u], units.backlash[u]
        )
        # yesterday's deserters are absent today, so a soldier visited here has no own value
        # (a deserter sent back yesterday is visited here: ``enforce`` counted him once more in
        # his own ties gone, so that his squad's count of yesterday's caught leaves his own intact)
        gone = ties_gone_after_day(s.ties_gone[i], ties_total(c.squad_gone[q], 0.0, c.cross_gone[i]))
        s.ties_gone[i] = gone
        new_signal = peer_signal(p, gone, n_ties(c.squad_places[q], c.cross_ties[i]), s.peer_threshold[i])
        new_motivation = motivation_after_day(
            p, s.motivation[i], s.commitment[i], units.competence[u], units.led[u], new_signal,
            new_grievance,
        )
        s.fear[i] = new_fear
        s.grievance[i] = new_grievance
        if s.home_worry[i] > 0.0:  # most soldiers have no news from home to fade
            s.home_worry[i] = home_worry_after_day(p, s.home_worry[i])
        s.peer_signal[i] = new_signal
        s.motivation[i] = new_motivation
        # the lift reads the stored (float32) values, as the inspector does
        s.propaganda_lift[i] = propaganda_lift(
            p, army.habituation, s.motivation[i], s.fear[i], s.grievance[i]
        )


@njit(cache=True, error_model="numpy")
def decision_pass(params, soldiers, units, army, mood):
    """Every soldier present weighs leaving today; returns the mask of those who desert.

    ``soldiers`` is a ``SoldierState``, ``units`` ``UnitConditions`` (certainty
    is per unit), ``army`` ``ArmyConditions`` (severity is the same for all);
    ``mood`` is a standard normal draw per soldier (scaled by ``daily_noise``).
    Today's push, deterrence and noise are kept in ``soldiers`` for the inspector.
    """
    p = params[0]
    s = soldiers
    deserts = np.zeros(s.present.size, dtype=np.bool_)
    for i in range(s.present.size):
        if not s.present[i]:
            continue
        u = s.unit[i]
        deploying = is_deploying(p, units.at_front[u], s.combat_days[i])
        terms = push_terms(
            p, s.fear[i], s.grievance[i], s.motivation[i], s.propaganda_lift[i], s.peer_signal[i],
            deploying, units.norm[u], units.cohesion[u], s.home_worry[i],
        )
        push = total_push(terms)
        deter = deterrence(p, units.certainty[u], army.severity, s.risk_aversion[i])
        noise = mood_noise(p, mood[i])
        s.push[i] = push
        s.deterrence[i] = deter
        s.noise[i] = noise
        deserts[i] = decide_to_desert(push, deter, s.threshold[i], noise)
    return deserts


@njit(cache=True, error_model="numpy")
def mark_service(present, unit, at_front, served_frontline, served_rear):
    """Remember, for every soldier present, whether he has served at the front or in the rear."""
    for i in range(present.size):
        if present[i]:
            if at_front[unit[i]]:
                served_frontline[i] = True
            else:
                served_rear[i] = True


@njit(cache=True)
def count_where(index, mask, n_bins):
    """How many rows with ``mask`` fall in each bin of ``index`` (a soldier count per unit or squad)."""
    counts = np.zeros(n_bins, dtype=np.int64)
    for i in range(index.size):
        if mask[i]:
            counts[index[i]] += 1
    return counts


@njit(cache=True)
def present_by_unit(present, unit, receiving, n_units):
    """Soldiers present in the ``receiving`` units, grouped by unit in row order.

    Returns (rows, starts, counts): unit ``k``'s soldiers are
    ``rows[starts[k]:starts[k] + counts[k]]``. A counting sort: one pass to
    count, one to place, instead of sorting the army by unit.
    """
    counts = np.zeros(n_units, dtype=np.int64)
    for i in range(present.size):
        if present[i] and receiving[unit[i]]:
            counts[unit[i]] += 1
    starts = np.cumsum(counts) - counts
    rows = np.empty(counts.sum(), dtype=np.int64)
    filled = starts.copy()
    for i in range(present.size):
        if present[i] and receiving[unit[i]]:
            rows[filled[unit[i]]] = i
            filled[unit[i]] += 1
    return rows, starts, counts
