"""Granovetter (1978) reproduced with the model's own contagion functions.

Granovetter's threshold model of collective behaviour: each member of a group joins (here:
deserts) once at least his *threshold* of the others have joined. The model's decision
rule is that process when everything but the peers is switched off. This module runs it with
the model's own functions, unchanged: the per-soldier rules ``peer_signal``, ``ties_total``,
``push_terms``, ``deterrence`` and ``decide_to_desert`` (``model/processes.py``) over the
``Ties`` machinery (``tie_sums``, ``model/ties.py``), configured as a pure threshold process:

- a group of ``GROUP`` (100) soldiers: one unit with one squad, no cross ties;
- ``tie_weight`` = 0, so the signal is the share of the group's authorised strength that has
  left (not counting oneself); ``peer_influence`` = ``peer_gain`` = 1, so the push *is* that
  share;
- every other push weight, ``deployment_dread``, ``deterrence_weight`` and the daily noise 0;
- peer memory that never fades: a member who has left keeps ``peer_recent`` = 1
  (``fade_peer_memory`` is never called).

Rounds are synchronous: every member who sees enough others gone joins in the same round;
the process stops when a round adds no one (the equilibrium does not depend on the order,
since joining is monotone).

**Thresholds as counts, ``>`` and rounding.** Granovetter's member with threshold *k* joins
when *at least* k others have; ``decide_to_desert`` is a strict ``push > threshold`` and the
signal is a floating-point share (thresholds are float32 in the model). A count threshold k
is therefore given to the model as the share ``(k - 0.5) / GROUP``, half a member below
k / GROUP: k others gone (signal k / 100) clear it, k - 1 do not, and no rounding of k / 100
can flip the comparison. A continuous threshold theta (a share, as in Granovetter's normal example) joins
when the share gone is at least theta, that is when at least ceil(GROUP x theta) others
have gone; it is converted to that count first (``share_to_count``). A negative threshold
(an instigator) joins in the first round.
"""

from __future__ import annotations

import numpy as np
from numba import njit

from model import processes as proc
from model.parameters import Parameters, validate
from model.ties import Ties

GROUP = 100

# Normal thresholds (Granovetter's second example): mean and the spreads swept.
NORMAL_MEAN = 0.25
SIGMAS = tuple(round(0.01 * i, 2) for i in range(21))  # 0.00 .. 0.20


def pure_threshold_parameters() -> Parameters:
    """The model's parameters with everything but the peer signal switched off."""
    return validate(
        {
            "tie_weight": 0.0,
            "peer_influence": 1.0,
            "peer_gain": 1.0,
            "weight_fear": 0.0,
            "weight_grievance": 0.0,
            "weight_motivation": 0.0,
            "deployment_dread": 0.0,
            "deterrence_weight": 0.0,
            "daily_noise": 0.0,
        },
        source="granovetter",
    )


def count_to_share(k: np.ndarray | int) -> np.ndarray:
    """The model's (strict) share threshold for 'joins when at least k others have'."""
    return (np.asarray(k, dtype=np.float64) - 0.5) / GROUP


def share_to_count(theta: np.ndarray) -> np.ndarray:
    """Granovetter's continuous threshold (a share) as the count of others it needs: ceil(100 theta)."""
    return np.ceil(np.round(np.asarray(theta, dtype=np.float64) * GROUP, 9)).astype(np.int64)


def final_participation(count_thresholds: np.ndarray) -> np.ndarray:
    """How many of each group end up joining.

    ``count_thresholds`` has one row per group of ``GROUP`` members, each entry the number
    of others who must have joined first. Every group runs at once: each is a unit of the
    model's arrays (one squad, no cross ties), so one call of ``peer_signal`` serves them all.
    """
    k = np.atleast_2d(np.asarray(count_thresholds))
    groups, size = k.shape
    if size != GROUP:
        raise ValueError(f"a group has {GROUP} members, not {size}")
    p = pure_threshold_parameters()
    params = proc.kernel_parameters(p)
    n = groups * size
    unit = np.repeat(np.arange(groups), size)
    squad = unit  # one squad per group: the squad term is computed, and weighted 0
    ties = Ties(n)  # no cross ties
    squad_capacity = np.full(groups, size)
    authorised = np.full(groups, size)
    threshold = count_to_share(k.ravel())
    peer_recent = np.zeros(n, dtype=np.float32)  # 1 once a member has left; never fades
    joined = np.zeros(n, dtype=bool)
    for _ in range(size + 1):  # each round that continues adds at least one member
        rows = np.flatnonzero(peer_recent)
        squad_recent, cross_recent = proc.tie_sums(rows, peer_recent[rows], squad, ties, groups, n)
        unit_recent = proc.per_unit_sum(unit[rows], peer_recent[rows], groups)
        new = _threshold_round(
            params, joined, unit, squad, peer_recent, squad_recent, cross_recent, unit_recent,
            squad_capacity, ties.degree, authorised, threshold, proc.perceived_severity(p),
        )
        if not new.any():
            break
        joined |= new
        peer_recent[new] = 1.0
    return joined.reshape(groups, size).sum(axis=1)


@njit(cache=True)
def _threshold_round(params, joined, unit, squad, recent, squad_recent, cross_recent, unit_recent,
                     squad_capacity, degree, authorised, threshold, severity):
    """Who joins in this round: the model's decision with only the peer signal left in it."""
    p = params[0]
    new = np.zeros(joined.size, dtype=np.bool_)
    for i in range(joined.size):
        if joined[i]:
            continue
        u, q = unit[i], squad[i]
        signal = proc.peer_signal(
            p, proc.ties_total(squad_recent[q], recent[i], cross_recent[i]),
            squad_capacity[q] - 1 + degree[i], unit_recent[u], recent[i], authorised[u],
        )
        terms = proc.push_terms(p, 0.0, 0.0, 1.0, 0.0, signal, False)  # fear, grievance 0; motivated
        push = terms[0] + terms[1] + terms[2] + terms[3] + terms[4]
        deter = proc.deterrence(p, 1.0, severity, 1.0)  # deterrence_weight is 0
        new[i] = proc.decide_to_desert(push, deter, threshold[i], 0.0)
    return new


def uniform_thresholds() -> np.ndarray:
    """Granovetter's first example: thresholds 0, 1, 2, ..., 99 (as counts)."""
    return np.arange(GROUP)


def uniform_without_the_one() -> np.ndarray:
    """The same, with the member at 1 raised to 2: 0, 2, 2, 3, ..., 99."""
    k = uniform_thresholds()
    k[1] = 2
    return k


def normal_participation(sigma: float, draws: int, rng: np.random.Generator) -> np.ndarray:
    """Final participation (share of the group) for ``draws`` groups with thresholds ~ Normal(0.25, sigma)."""
    theta = rng.normal(NORMAL_MEAN, sigma, size=(draws, GROUP))
    return final_participation(share_to_count(theta)) / GROUP


def normal_curve(seed: int, draws: int = 200, sigmas=SIGMAS) -> dict[float, float]:
    """Mean final participation for each spread, over ``draws`` groups drawn from ``seed``.

    One generator per seed, drawn in the order of ``sigmas``: deterministic per seed.
    """
    rng = np.random.default_rng(seed)
    return {float(s): float(normal_participation(s, draws, rng).mean()) for s in sigmas}
