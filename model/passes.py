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

Per-unit arrays are indexed by ``unit[i]``; per-squad arrays by ``squad[i]``.
"""

from __future__ import annotations

import numpy as np
from numba import njit

from model.processes import (
    combat_days_after_day,
    decide_to_desert,
    deterrence,
    fear_after_combat,
    grievance_after_conditions,
    is_deploying,
    mood_noise,
    motivation_after_day,
    n_ties,
    peer_signal,
    propaganda_lift,
    push_terms,
    ties_total,
    total_push,
)


@njit(cache=True, error_model="numpy")
def live_through_the_day(
    params, present, unit, squad, at_front, medical, habituation,
    # today's casualties: each soldier's own (0/1), summed per squad and over cross ties
    hit, squad_hit, cross_hit, unit_hit_share,
    # recent desertions (peer memory), likewise, and per unit
    recent, squad_recent, cross_recent, unit_recent,
    # ties and strength: places per squad, cross ties per soldier, authorised per unit
    squad_capacity, degree, authorised,
    # the unit's condition and command
    competence, led, stretch, supply, harshness, backlash,
    # each soldier's state, updated in place
    combat_days, fear, grievance, signal, motivation, lift,
):
    """Fear, grievance, the peer signal, motivation and propaganda's lift of every soldier present.

    In the order of the day: days in combat (counted at the front, reset in the
    rear), fear after the fighting, grievance after the day's conditions, the
    peer signal, motivation (which reads today's grievance and signal), and
    the propaganda lift (which reads today's motivation, fear and grievance).
    ``params`` is ``kernel_parameters(...)``.
    """
    p = params[0]
    for i in range(present.size):
        if not present[i]:
            continue
        u, q = unit[i], squad[i]
        front = at_front[u]
        days = combat_days_after_day(front, combat_days[i])
        combat_days[i] = days
        ties_hit = ties_total(squad_hit[q], hit[i], cross_hit[i])
        new_fear = fear_after_combat(
            p, fear[i], unit_hit_share[u], ties_hit, front, days, stretch[u], competence[u], medical
        )
        new_grievance = grievance_after_conditions(
            p, grievance[i], supply[u], harshness[u], stretch[u], backlash[u]
        )
        new_signal = peer_signal(
            p, ties_total(squad_recent[q], recent[i], cross_recent[i]),
            n_ties(squad_capacity[q], degree[i]), unit_recent[u], recent[i], authorised[u],
        )
        new_motivation = motivation_after_day(
            p, motivation[i], competence[u], led[u], new_signal, new_grievance
        )
        fear[i] = new_fear
        grievance[i] = new_grievance
        signal[i] = new_signal
        motivation[i] = new_motivation
        # the lift reads the stored (float32) values, as the inspector does
        lift[i] = propaganda_lift(p, habituation, motivation[i], fear[i], grievance[i])


@njit(cache=True, error_model="numpy")
def decide(
    params, present, unit, at_front, certainty, severity,
    combat_days, fear, grievance, motivation, lift, signal, risk_aversion, threshold,
    mood,
    push_out, deterrence_out, noise_out,
):
    """Every soldier present weighs leaving today; returns the mask of those who desert.

    ``certainty`` is per unit, ``severity`` the same for all;
    ``mood`` is a standard normal draw per soldier (scaled by ``daily_noise``);
    a soldier is deploying in his first ``dread_days`` at the front. Today's
    push, deterrence and noise are kept (``*_out``) for the inspector.
    """
    p = params[0]
    deserts = np.zeros(present.size, dtype=np.bool_)
    for i in range(present.size):
        if not present[i]:
            continue
        u = unit[i]
        deploying = is_deploying(p, at_front[u], combat_days[i])
        terms = push_terms(p, fear[i], grievance[i], motivation[i], lift[i], signal[i], deploying)
        push = total_push(terms)
        deter = deterrence(p, certainty[u], severity, risk_aversion[i])
        noise = mood_noise(p, mood[i])
        push_out[i] = push
        deterrence_out[i] = deter
        noise_out[i] = noise
        deserts[i] = decide_to_desert(push, deter, threshold[i], noise)
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
