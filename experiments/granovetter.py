"""Granovetter (1978) reproduced with the model's own contagion functions.

Granovetter's threshold model of collective behaviour: each member of a group joins (here:
deserts) once at least his *threshold* of the others have joined. The model's peer rule is
that process: a soldier's peer signal is a tipping response at his personal ``peer_threshold``
to the share of his ties gone since he joined. This module runs it with the model's own
functions, unchanged: the per-soldier rules ``ties_gone_after_day``, ``ties_total``,
``n_ties``, ``peer_signal``, ``push_terms``, ``deterrence`` and ``decide_to_desert``
(``model/processes.py``) over the ``Ties`` machinery (``tie_sums``, ``model/ties.py``),
configured as a pure threshold process:

- a group of ``GROUP`` (100) soldiers: one unit with one squad, no cross ties, so each
  member's ties are the other 99 and the share of ties gone is the share of the *others*
  who have left;
- Granovetter's thresholds are the members' ``peer_threshold``; ``peer_influence`` =
  ``peer_gain`` = 1, so the push *is* the tipping response, and every member's desertion
  threshold is 1/2: he joins when the response passes its midpoint, that is when the share
  of his ties gone exceeds his peer threshold (whatever ``peer_width``);
- every other push weight (fear, grievance, motivation, norm, cohesion),
  ``deployment_dread``, ``deterrence_weight`` and the daily noise 0.

Rounds are synchronous: the members who left in the last round are added to each member's
ties gone (as the model adds yesterday's deserters), and every member whose share passes his
threshold joins in the same round; the process stops when a round adds no one (the
equilibrium does not depend on the order, since joining is monotone).

**Thresholds as counts, ``>`` and rounding.** Granovetter's member with threshold *k* joins
when *at least* k others have; the response passes 1/2 strictly when the share of ties gone
exceeds the peer threshold, and that share is a floating-point ratio over the 99 ties (peer
thresholds are float32 in the model). A count threshold k is therefore given to the model
as the share ``(k - 0.5) / (GROUP - 1)``, half a member below k / 99: k others gone clear it,
k - 1 do not, and no rounding can flip the comparison. A continuous threshold theta (a share
of the group, as in Granovetter's normal example) joins when the share gone is at least
theta, that is when at least ceil(GROUP x theta) others have gone; it is converted to that
count first (``share_to_count``). A member with threshold 0 (an instigator) joins whatever
the others do: the model's peer response is 0 while none of a soldier's ties has gone (nothing
to respond to), so instigators are the ones who start, before the first round.
"""

from __future__ import annotations

import numpy as np
from numba import njit

from model import processes as proc
from model.parameters import Parameters, validate
from model.ties import Ties

GROUP = 100
DECIDE_AT = 0.5  # every member's desertion threshold: the midpoint of the tipping response

# Normal thresholds (Granovetter's second example): mean and the spreads swept.
NORMAL_MEAN = 0.25
SIGMAS = tuple(round(0.01 * i, 2) for i in range(21))  # 0.00 .. 0.20


def pure_threshold_parameters() -> Parameters:
    """The model's parameters with everything but the peer signal switched off."""
    return validate(
        {
            "peer_influence": 1.0,
            "peer_gain": 1.0,
            "weight_fear": 0.0,
            "weight_grievance": 0.0,
            "weight_motivation": 0.0,
            "deployment_dread": 0.0,
            "norm_weight": 0.0,
            "cohesion_weight": 0.0,
            "deterrence_weight": 0.0,
            "daily_noise": 0.0,
        },
        source="granovetter",
    )


def count_to_share(k: np.ndarray | int) -> np.ndarray:
    """The model's (strict) share threshold for 'joins when at least k others have'."""
    return (np.asarray(k, dtype=np.float64) - 0.5) / (GROUP - 1)


def share_to_count(theta: np.ndarray) -> np.ndarray:
    """Granovetter's continuous threshold (a share) as the count of others it needs: ceil(100 theta)."""
    return np.ceil(np.round(np.asarray(theta, dtype=np.float64) * GROUP, 9)).astype(np.int64)


def final_participation(count_thresholds: np.ndarray) -> np.ndarray:
    """How many of each group end up joining.

    ``count_thresholds`` has one row per group of ``GROUP`` members, each entry the number
    of others who must have joined first. Every group runs at once: each is a unit of the
    model's arrays (one squad, no cross ties), so one call of ``tie_sums`` serves them all.
    """
    k = np.atleast_2d(np.asarray(count_thresholds))
    groups, size = k.shape
    if size != GROUP:
        raise ValueError(f"a group has {GROUP} members, not {size}")
    p = pure_threshold_parameters()
    params = proc.kernel_parameters(p)
    n = groups * size
    squad = np.repeat(np.arange(groups), size)  # one squad per group
    ties = Ties(n)  # no cross ties
    squad_capacity = np.full(groups, size)
    peer_threshold = count_to_share(k.ravel()).astype(np.float32)  # float32, as in the model
    ties_gone = np.zeros(n, dtype=np.float32)
    # instigators (threshold 0) start it: they need nobody, and the peer response needs somebody
    joined = k.ravel() <= 0
    last = joined.copy()  # who joined in the last round
    for _ in range(size + 1):  # each round that continues adds at least one member
        rows = np.flatnonzero(last)
        squad_gone, cross_gone = proc.tie_sums(rows, np.ones(rows.size), squad, ties, groups, n)
        new = _threshold_round(
            params, joined, squad, last.astype(np.float32), squad_gone, cross_gone, squad_capacity,
            ties.degree, ties_gone, peer_threshold, proc.perceived_severity(p),
        )
        if not new.any():
            break
        joined |= new
        last = new
    return joined.reshape(groups, size).sum(axis=1)


@njit  # not cached: it compiles the model's rules into itself, and numba would not see them change
def _threshold_round(params, joined, squad, last, squad_gone, cross_gone, squad_capacity, degree,
                     ties_gone, peer_threshold, severity):
    """Who joins in this round: the model's decision with only the peer response left in it."""
    p = params[0]
    new = np.zeros(joined.size, dtype=np.bool_)
    for i in range(joined.size):
        if joined[i]:
            continue
        q = squad[i]
        ties_gone[i] = proc.ties_gone_after_day(
            ties_gone[i], proc.ties_total(squad_gone[q], last[i], cross_gone[i])
        )
        signal = proc.peer_signal(p, ties_gone[i], proc.n_ties(squad_capacity[q], degree[i]),
                                  peer_threshold[i])
        # fear, grievance 0; fully motivated; no norm, no cohesion (their weights are 0 too)
        terms = proc.push_terms(p, 0.0, 0.0, 1.0, 0.0, signal, False, 0.0, 0.0, 0.0)
        push = proc.total_push(terms)
        deter = proc.deterrence(p, 1.0, severity, 1.0)  # deterrence_weight is 0
        new[i] = proc.decide_to_desert(push, deter, DECIDE_AT, 0.0)
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
