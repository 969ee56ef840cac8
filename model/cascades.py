"""Desertion cascades: desertions linked in time and along ties.

Definition (also in docs/ODD.md): two desertions are *linked* when the two
soldiers are tied (squad mates, or a cross-squad tie) and the later one leaves
at most ``CASCADE_WINDOW_DAYS`` days after the earlier one. A cascade is a set
of desertions connected by links (the transitive closure), so a chain
A -> B -> C is one cascade even when A and C are not tied. A lone desertion is a
cascade of size 1. Ties never cross units, so each cascade belongs to one unit.

Cascades are tracked online, day by day, with numpy: today's deserters and
those of the last few days are grouped into connected components by label
propagation over squads and cross ties; a component that touches an existing
cascade joins it (merging cascades it bridges), otherwise it starts a new one.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from model.state import Table

CASCADE_WINDOW_DAYS = 3


class DesertionLog(Table):
    """One row per desertion event (a soldier may desert again after being sent back)."""

    columns = {
        "soldier": (np.dtype(np.int32), 0),
        "day": (np.dtype(np.int32), 0),
        "unit": (np.dtype(np.int32), 0),
        "cascade": (np.dtype(np.int32), 0),
    }


class CascadeTracker:
    """Assigns every desertion to a cascade as the days go by."""

    def __init__(self) -> None:
        self.log = DesertionLog()
        self.parent = np.zeros(0, dtype=np.int64)  # union-find over cascade ids

    @property
    def n_ids(self) -> int:
        return self.parent.size

    def roots(self, ids: np.ndarray) -> np.ndarray:
        """The root cascade of each id (cascades that merged share one root)."""
        return self.parent[ids]

    def record(
        self,
        day: int,
        deserters: np.ndarray,
        soldier_unit: np.ndarray,
        soldier_squad: np.ndarray,
        soldier_cascade: np.ndarray,
        ties,
    ) -> np.ndarray:
        """Link today's ``deserters`` to recent desertions along ties; return their cascade ids.

        Call it once a day, days in order (the recent deserters are read from the log);
        ``soldier_cascade`` holds the cascade of each soldier's previous desertion;
        ``ties`` is the army's ``model.ties.Ties``.
        """
        if deserters.size == 0:
            return np.empty(0, dtype=np.int64)
        # The recent deserters (today's and those of the window before), from the log: days
        # are logged in order, so no pass over the whole army is needed.
        log = self.log
        since = np.searchsorted(log.day, day - CASCADE_WINDOW_DAYS, side="left")
        recent = np.unique(np.concatenate([log.soldier[since:].astype(np.int64), deserters]))
        recent_mask = np.zeros(soldier_unit.size, dtype=bool)
        recent_mask[recent] = True

        # Connected components of recent desertions, in positions 0..len(recent)-1 of
        # ``recent`` (sorted): label = smallest position (so smallest row) in the component.
        label = np.arange(recent.size)
        ea, eb = ties.among(recent, recent_mask)  # cross ties between recent deserters
        ea, eb = np.searchsorted(recent, ea), np.searchsorted(recent, eb)
        _, squads = np.unique(soldier_squad[recent], return_inverse=True)
        squad_min = np.empty(squads.max() + 1, dtype=np.int64)
        while True:
            before = label.copy()
            squad_min.fill(recent.size)
            np.minimum.at(squad_min, squads, label)
            label = squad_min[squads]
            if ea.size:
                np.minimum.at(label, ea, label[eb])
                np.minimum.at(label, eb, label[ea])
            if np.array_equal(before, label):
                break
        sentinel = np.iinfo(np.int64).max

        components, comp_of = np.unique(label, return_inverse=True)
        is_today = np.isin(recent, deserters, assume_unique=True)
        is_old = ~is_today & (soldier_cascade[recent] >= 0)

        # Each component joins the oldest-numbered cascade it touches...
        best = np.full(components.size, sentinel, dtype=np.int64)
        old_roots = self.parent[soldier_cascade[recent][is_old]]
        np.minimum.at(best, comp_of[is_old], old_roots)
        # ...and the other cascades it touches merge into that one.
        self._union(old_roots, best[comp_of[is_old]])
        touched = best != sentinel
        best[touched] = self.parent[best[touched]]
        # Components with deserters today but no earlier cascade start a new one.
        has_today = np.zeros(components.size, dtype=bool)
        has_today[comp_of[is_today]] = True
        fresh = has_today & (best == sentinel)
        new_ids = self.n_ids + np.arange(int(fresh.sum()))
        best[fresh] = new_ids
        self.parent = np.concatenate([self.parent, new_ids])
        self._compress()

        ids = best[comp_of][np.searchsorted(recent, deserters)]
        self.log.append(
            deserters.size,
            soldier=deserters,
            day=day,
            unit=soldier_unit[deserters],
            cascade=ids,
        )
        return ids

    def _union(self, a: np.ndarray, b: np.ndarray) -> None:
        """Merge the cascades of each pair (a[i], b[i]); the smaller id becomes the root."""
        while True:
            root_a, root_b = self.parent[a], self.parent[b]
            if np.array_equal(root_a, root_b):
                return
            lowest = np.minimum(root_a, root_b)
            np.minimum.at(self.parent, root_a, lowest)
            np.minimum.at(self.parent, root_b, lowest)
            self._compress()

    def _compress(self) -> None:
        while True:
            grand = self.parent[self.parent]
            if np.array_equal(grand, self.parent):
                return
            self.parent = grand

    def table(self) -> pd.DataFrame:
        """One row per cascade: ``cascade_id``, ``unit_id``, ``start_day``, ``end_day``, ``size``."""
        events = pd.DataFrame(
            {
                "cascade_id": self.roots(self.log.cascade.astype(np.int64)),
                "unit_id": self.log.unit,
                "day": self.log.day,
            }
        )
        if events.empty:
            return pd.DataFrame(
                {c: pd.Series(dtype="int64") for c in ("cascade_id", "unit_id", "start_day",
                                                       "end_day", "size")}
            )
        grouped = events.groupby("cascade_id", sort=True)
        out = grouped.agg(
            unit_id=("unit_id", "first"),
            start_day=("day", "min"),
            end_day=("day", "max"),
            size=("day", "size"),
        ).reset_index()
        return out.astype("int64")

    def sizes(self) -> np.ndarray:
        """Size of every cascade so far."""
        roots = self.roots(self.log.cascade.astype(np.int64))
        return np.unique(roots, return_counts=True)[1]
