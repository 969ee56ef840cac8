"""Daily metrics of the army, and the per-unit and per-cascade tables of a run.

Every metric is computed from the model's arrays in one pass per day. The
names in ``METRICS`` are the columns of ``timeseries.parquet``; their meanings
are documented here once and printed in docs/ODD.md.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np
import pandas as pd
from numba import njit

from model.state import OfficerStatus, Posture, Status

FRONTLINE = int(Posture.FRONTLINE)
N_STATUSES = len(Status)
MASS_DESERTION = 0.10  # a desertion rate of 10% or more: mass desertion (Lyall 2020)

if TYPE_CHECKING:
    from model.model import MoraleModel

METRICS: dict[str, str] = {
    "day": "simulated day (0 = the start, before any fighting)",
    "soldiers_ever": "soldiers ever assigned (the start plus every replacement)",
    "present": "soldiers present with their units (serving, or returned after capture)",
    "wounded_now": "soldiers in hospital",
    "at_large": "deserters at large today (pursued or escaped for good)",
    "pursued": "deserters at large still pursued (gone pursuit_days or fewer) this morning",
    "in_prison": "caught deserters imprisoned",
    "killed_cumulative": "soldiers killed so far",
    "wounded_cumulative": "wounds suffered so far",
    "deserted_cumulative": "soldiers who have deserted at least once",
    "desertions_cumulative": "desertion events so far (a soldier sent back may desert again)",
    "caught_cumulative": "captures of deserters so far",
    "reinforcements_cumulative": "replacements arrived so far",
    "desertions_today": "desertion events today",
    "desertion_rate": "deserted_cumulative / soldiers_ever",
    "desertion_rate_frontline": "soldiers who deserted from a frontline unit / soldiers "
    "who ever served in one",
    "desertion_rate_rear": "soldiers who deserted from a second-line or reserve unit / "
    "soldiers who ever served in one",
    "mean_motivation": "mean motivation of soldiers present (0..1, before the propaganda lift)",
    "mean_fear": "mean fear of soldiers present (0..1)",
    "mean_grievance": "mean grievance of soldiers present (0..1)",
    "mean_peer_signal": "mean peer signal of soldiers present: their tipping response to the "
    "share of their ties gone (0..1)",
    "mean_deterrence": "mean deterrence of soldiers present",
    "mean_propaganda_lift": "mean motivation added by propaganda today",
    "mean_cohesion": "mean cohesion of the units' primary groups (0..1, over units)",
    "mean_desertion_norm": "mean desertion norm of the units (recent deserters per authorised "
    "soldier, over units)",
    "capture_chance": "today's chance that a pursued deserter is caught (army-wide; falls as "
    "deserters outnumber the police)",
    "certainty_belief": "soldiers' army-wide belief in the chance of being caught before the "
    "pursuit ends (0..1)",
    "supply": "mean supply on hand across units (share of needs met, 0..1)",
    "medical": "medical care that has reached the units (0..1)",
    "combat_effectiveness": "frontline strength x will x supply: (present / authorised) x "
    "(0.5 + 0.5 mean motivation) x (0.5 + 0.5 mean supply), over frontline units (0..1)",
    "officers_serving": "officers serving",
    "cascades": "cascades so far (a lone desertion counts as one of size 1)",
    "largest_cascade": "size of the largest cascade so far",
}


@njit(cache=True, error_model="numpy")
def _soldier_totals(status, present, unit, times_deserted, deserted_posture, served_frontline,
                    served_rear, front_unit, motivation, fear, grievance, peer_signal, deterrence,
                    propaganda_lift):
    """One pass over the soldiers: the counts and sums the day's metrics are made of.

    Returns (by_status, counts, sums): soldiers per status; counts = [present,
    ever deserted, deserted from the front, deserted from the rear, served at
    the front, served in the rear, present in frontline units]; sums over the
    soldiers present of the columns of ``MEAN_COLUMNS`` (in its order), then of
    the motivation of those present in frontline units.
    """
    by_status = np.zeros(N_STATUSES, dtype=np.int64)
    counts = np.zeros(7, dtype=np.int64)
    sums = np.zeros(7, dtype=np.float64)
    for i in range(present.size):
        by_status[status[i]] += 1
        if times_deserted[i] > 0:
            counts[1] += 1
            if deserted_posture[i] == FRONTLINE:
                counts[2] += 1
            else:
                counts[3] += 1
        counts[4] += served_frontline[i]
        counts[5] += served_rear[i]
        if present[i]:
            counts[0] += 1
            sums[0] += motivation[i]
            sums[1] += fear[i]
            sums[2] += grievance[i]
            sums[3] += peer_signal[i]
            sums[4] += deterrence[i]
            sums[5] += propaganda_lift[i]
            if front_unit[unit[i]]:
                counts[6] += 1
                sums[6] += motivation[i]
    return by_status, counts, sums


# the columns averaged over soldiers present, in the order _soldier_totals sums them
MEAN_COLUMNS = {
    "mean_motivation": "motivation",
    "mean_fear": "fear",
    "mean_grievance": "grievance",
    "mean_peer_signal": "peer_signal",
    "mean_deterrence": "deterrence",
    "mean_propaganda_lift": "propaganda_lift",
}


def daily_metrics(model: MoraleModel) -> dict[str, float]:
    """All metrics of ``METRICS`` for the model's current day."""
    s, u = model.soldier_table, model.unit_table
    front_units = u.posture == Posture.FRONTLINE
    if not front_units.any():
        front_units = np.ones_like(front_units)
    status_count, counts, sums = _soldier_totals(
        s.status, model.present_mask(), s.unit, s.times_deserted, s.deserted_posture,
        s.served_frontline, s.served_rear, front_units,
        *(getattr(s, column) for column in MEAN_COLUMNS.values()),
    )
    n_present, ever_deserted, from_front, from_rear, served_front, served_rear, front_present = (
        int(c) for c in counts
    )
    means = {name: float(sums[k] / n_present) if n_present else 0.0 for k, name in enumerate(MEAN_COLUMNS)}
    will = sums[-1] / front_present if front_present else 0.0
    effectiveness = (
        front_present / max(u.authorised[front_units].sum(), 1)
        * (0.5 + 0.5 * will)
        * (0.5 + 0.5 * float(u.supply[front_units].mean()))
    )
    sizes = model.cascades.sizes()
    counts = model.counts
    return {
        "day": model.day,
        "soldiers_ever": s.n,
        "present": n_present,
        "wounded_now": int(status_count[Status.WOUNDED]),
        "at_large": int(status_count[Status.DESERTED]),
        "in_prison": int(status_count[Status.JAILED]),
        "killed_cumulative": counts["killed"],
        "wounded_cumulative": counts["wounded"],
        "deserted_cumulative": ever_deserted,
        "desertions_cumulative": counts["desertions"],
        "caught_cumulative": counts["caught"],
        "reinforcements_cumulative": counts["reinforcements"],
        "desertions_today": model.today["deserted"],
        "desertion_rate": ever_deserted / max(s.n, 1),
        "desertion_rate_frontline": from_front / max(served_front, 1),
        "desertion_rate_rear": from_rear / max(served_rear, 1),
        **means,
        "pursued": int(model.pursued_rows.size),
        "mean_cohesion": float(u.cohesion.mean()) if u.n else 0.0,
        "mean_desertion_norm": float(u.desertion_norm.mean()) if u.n else 0.0,
        "capture_chance": float(model.capture_chance),
        "certainty_belief": float(model.certainty_belief),
        "supply": float(u.supply.mean()) if u.n else 0.0,
        "medical": float(model.medical),
        "combat_effectiveness": float(effectiveness),
        "officers_serving": int((model.officer_table.status == OfficerStatus.SERVING).sum()),
        "cascades": int(sizes.size),
        "largest_cascade": int(sizes.max()) if sizes.size else 0,
    }


UNIT_COLUMNS: dict[str, str] = {
    "unit_id": "unit index",
    "posture": "posture at the end of the run (frontline, second_line, reserve)",
    "days_frontline": "days the unit spent at the front",
    "authorised": "authorised strength",
    "present": "soldiers present at the end",
    "soldiers_ever": "soldiers ever assigned to the unit",
    "deserted": "of them, soldiers who deserted at least once",
    "desertion_rate": "deserted / soldiers_ever",
    "killed": "soldiers killed",
    "caught": "of the deserters, those caught at least once (imprisoned or sent back)",
    "supply": "supply on hand at the end (0..1)",
    "officer_competence": "mean competence of the officers serving at the end",
    "officer_harshness": "mean harshness of the officers serving at the end",
    "largest_cascade": "size of the unit's largest cascade",
}


def units_over_10pct(desertion_rates) -> int:
    """How many units lost 10% or more of their soldiers to desertion (``MASS_DESERTION``)."""
    return int((np.asarray(desertion_rates) >= MASS_DESERTION).sum())


def unit_table(model: MoraleModel) -> pd.DataFrame:
    """One row per unit: posture, strength, desertion rate and what drove it."""
    s, u = model.soldier_table, model.unit_table
    n = u.n
    present = model.present_mask()
    ever = np.bincount(s.unit, minlength=n)
    deserted = np.bincount(s.unit[s.times_deserted > 0], minlength=n)
    caught = np.bincount(
        s.unit[np.isin(s.status, (Status.JAILED, Status.RETURNED))], minlength=n
    )
    cascades = model.cascades.table()
    largest = np.zeros(n, dtype=np.int64)
    if not cascades.empty:
        np.maximum.at(largest, cascades["unit_id"].to_numpy(), cascades["size"].to_numpy())
    return pd.DataFrame(
        {
            "unit_id": np.arange(n),
            "posture": [Posture(p).name.lower() for p in u.posture],
            "days_frontline": u.days_frontline.astype(np.int64),
            "authorised": u.authorised.astype(np.int64),
            "present": np.bincount(s.unit[present], minlength=n),
            "soldiers_ever": ever,
            "deserted": deserted,
            "desertion_rate": deserted / np.maximum(ever, 1),
            "killed": np.bincount(s.unit[s.status == Status.KILLED], minlength=n),
            "caught": caught,
            "supply": u.supply.copy(),
            "officer_competence": model.unit_competence.copy(),
            "officer_harshness": model.unit_harshness.copy(),
            "largest_cascade": largest,
        }
    )
