"""Cascades: desertions linked in time and along ties."""

from __future__ import annotations

import numpy as np

from model.cascades import CASCADE_WINDOW_DAYS, CascadeTracker
from model.state import NEVER
from model.ties import Ties


class Army:
    """Eight soldiers, each in his own squad, with explicit cross ties (a chain 0-1-2-3, and 4-5)."""

    def __init__(self):
        self.unit = np.zeros(8, dtype=np.int32)
        self.squad = np.arange(8, dtype=np.int32)
        self.deserted_day = np.full(8, NEVER, dtype=np.int32)
        self.cascade = np.full(8, NEVER, dtype=np.int64)
        self.ties = Ties(8)
        self.ties.add(np.array([0, 1, 2, 4]), np.array([1, 2, 3, 5]), 8)
        self.tracker = CascadeTracker()

    def desert(self, day, *rows):
        rows = np.array(rows, dtype=np.int64)
        self.deserted_day[rows] = day
        self.cascade[rows] = self.tracker.record(
            day, rows, self.unit, self.squad, self.cascade, self.ties
        )


def test_chain_along_ties_within_the_window_is_one_cascade():
    army = Army()
    army.desert(1, 0)
    army.desert(2, 1)
    army.desert(2 + CASCADE_WINDOW_DAYS, 2)
    table = army.tracker.table()
    assert table["size"].tolist() == [3]
    assert (table["start_day"].item(), table["end_day"].item()) == (1, 2 + CASCADE_WINDOW_DAYS)


def test_untied_or_late_desertions_start_new_cascades():
    army = Army()
    army.desert(1, 0)
    army.desert(1, 4)  # same day, not tied to 0
    army.desert(2 + CASCADE_WINDOW_DAYS, 1)  # tied to 0 but too late
    assert sorted(army.tracker.table()["size"].tolist()) == [1, 1, 1]


def test_a_bridge_merges_two_cascades():
    army = Army()
    army.desert(1, 0)
    army.desert(1, 2)  # two cascades: {0}, {2}
    assert len(army.tracker.table()) == 2
    army.desert(2, 1)  # tied to both
    table = army.tracker.table()
    assert table["size"].tolist() == [3]


def test_squad_mates_are_tied():
    army = Army()
    army.squad[:] = 0
    army.ties = Ties(8)
    army.desert(1, 6)
    army.desert(3, 7)
    assert army.tracker.table()["size"].tolist() == [2]
