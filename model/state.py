"""Columnar state of the army: one numpy array per attribute, one row per soldier.

Soldiers and officers are real Mesa agents (``agents/``), but their state lives
here, in arrays owned by the model, so that every daily process runs as array
operations over all soldiers at once. An agent is a view onto its row.

Tables grow (by doubling) when replacements arrive; a row is never reused, so
"every soldier ever assigned" is simply rows ``0 .. n-1``.
"""

from __future__ import annotations

from enum import IntEnum

import numpy as np


class Status(IntEnum):
    """Where a soldier is today. Every soldier ever assigned has exactly one."""

    SERVING = 0   # present with his unit
    WOUNDED = 1   # in hospital, returns to his unit when healed
    KILLED = 2
    DESERTED = 3  # at large (caught, or escaped for good after the pursuit window)
    JAILED = 4    # caught and imprisoned: removed from the army
    RETURNED = 5  # caught and sent back to his unit (present again)


PRESENT_STATUSES = (Status.SERVING, Status.RETURNED)


def is_present(status: np.ndarray) -> np.ndarray:
    """Which of these statuses mean present with the unit (``PRESENT_STATUSES``), elementwise."""
    return np.isin(status, PRESENT_STATUSES)


class Posture(IntEnum):
    FRONTLINE = 0
    SECOND_LINE = 1
    RESERVE = 2


class Service(IntEnum):
    CONTRACT = 0   # contract volunteer
    CONSCRIPT = 1  # mobilised conscript


class OfficerStatus(IntEnum):
    SERVING = 0
    KILLED = 1


NEVER = -1  # day sentinel for "has not happened"


class Table:
    """A growable set of named numpy columns sharing one row count.

    ``table.fear`` is a view of the first ``n`` rows of the column, so writes
    through it change the table.
    """

    columns: dict[str, tuple[np.dtype, object]] = {}

    def __init__(self, capacity: int = 16):
        capacity = max(int(capacity), 16)
        self.n = 0
        self._data = {
            name: np.full(capacity, fill, dtype=dtype)
            for name, (dtype, fill) in self.columns.items()
        }

    def __getattr__(self, name: str) -> np.ndarray:
        data = self.__dict__.get("_data")
        if data is not None and name in data:
            return data[name][: self.n]
        raise AttributeError(name)

    def __len__(self) -> int:
        return self.n

    @property
    def capacity(self) -> int:
        return len(next(iter(self._data.values())))

    def append(self, count: int, **values: np.ndarray | float | int) -> np.ndarray:
        """Add ``count`` rows; unspecified columns take their fill value. Returns the rows."""
        unknown = set(values) - set(self.columns)
        if unknown:
            raise KeyError(f"unknown columns: {sorted(unknown)}")
        start, stop = self.n, self.n + count
        if stop > self.capacity:
            new_capacity = max(stop, 2 * self.capacity)
            for name, column in self._data.items():
                dtype, fill = self.columns[name]
                grown = np.full(new_capacity, fill, dtype=dtype)
                grown[: self.n] = column[: self.n]
                self._data[name] = grown
        for name, value in values.items():
            self._data[name][start:stop] = value
        self.n = stop
        return np.arange(start, stop)


f32, f64, i8, i32 = np.dtype(np.float32), np.dtype(np.float64), np.dtype(np.int8), np.dtype(np.int32)


class SoldierTable(Table):
    """One row per soldier ever assigned.

    Soldiers' states are float32: their precision is far finer than anything the
    model distinguishes, and half the memory traffic makes every daily process faster.
    """

    columns = {
        "unit": (i32, 0),              # index of his unit
        "squad": (i32, 0),             # global squad index (ties: all squad mates)
        "service": (i8, Service.CONSCRIPT),
        "status": (i8, Status.SERVING),
        "motivation": (f32, 0.5),      # 0..1 commitment / sense of purpose
        "fear": (f32, 0.0),            # 0..1
        "grievance": (f32, 0.0),       # 0..1
        "risk_aversion": (f32, 0.5),   # 0..1
        "threshold": (f32, 0.5),       # personal desertion threshold, 0..1
        "combat_days": (i32, 0),       # days of continuous frontline combat
        "joined_day": (i32, 0),
        "deserted_day": (i32, NEVER),  # day of his latest desertion
        "deserted_posture": (i8, -1),  # posture of his unit when he last deserted
        "times_deserted": (i32, 0),
        "served_frontline": (np.dtype(bool), False),
        "served_rear": (np.dtype(bool), False),
        "commitment": (f32, 0.5),      # his motivation at enlistment (leadership pulls around it)
        "peer_threshold": (f32, 0.25), # share of his ties gone at which their leaving tips him
        "ties_gone": (f32, 0.0),       # his ties who deserted since he joined (counted while present)
        "home_worry": (f32, 0.0),      # 0..1 worry for home: 1 on bad news, then fading
        "wound_days_left": (f64, 0.0),
        "cascade": (i32, NEVER),       # cascade of his latest desertion
        # today's decision, kept for the inspector and the causal-loop view
        "push": (f32, 0.0),
        "peer_signal": (f32, 0.0),
        "deterrence": (f32, 0.0),
        "propaganda_lift": (f32, 0.0),
        "noise": (f32, 0.0),
    }


class OfficerTable(Table):
    """One row per officer ever appointed."""

    columns = {
        "unit": (i32, 0),
        "status": (i8, OfficerStatus.SERVING),
        # traits are the lever plus a personal deviation, so moving the lever moves every officer
        "competence_offset": (f64, 0.0),
        "harshness_offset": (f64, 0.0),
        "appointed_day": (i32, 0),
        "killed_day": (i32, NEVER),
        "replaced": (np.dtype(bool), False),
    }


class UnitTable(Table):
    """One row per unit."""

    columns = {
        "posture": (i8, Posture.RESERVE),
        "authorised": (i32, 0),
        "first_squad": (i32, 0),       # squads of unit u: first_squad[u] .. first_squad[u]+n_squads-1
        "n_squads": (i32, 0),
        "supply": (f64, 1.0),          # supply on hand, share of needs met, 0..1
        "days_in_posture": (i32, 0),
        "days_frontline": (i32, 0),
        "punishment_salience": (f64, 0.0),  # recent punishments seen, per 100 soldiers
        "cohesion": (f64, 0.7),        # cohesion of its primary groups, 0..1 (set from cohesion_start)
        "desertion_norm": (f64, 0.0),  # its desertion norm: recent deserters per authorised soldier
    }
