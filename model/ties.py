"""Cross-squad ties between soldiers (squad mates are tied implicitly, through their squad).

Ties are kept as a padded neighbour matrix (``neighbours[row]`` lists a soldier's cross
ties, -1 padded; ``degree[row]`` counts them). The matrix lets a sum over ties of a
mostly-zero quantity (today's casualties, recent deserters) touch only the few soldiers
concerned instead of every tie in the army.
"""

from __future__ import annotations

import numpy as np
from numba import njit

INITIAL_WIDTH = 8


class Ties:
    def __init__(self, soldier_capacity: int):
        rows = max(int(soldier_capacity), 16)
        self.neighbours = np.full((rows, INITIAL_WIDTH), -1, dtype=np.int32)
        self.degree = np.zeros(rows, dtype=np.int32)

    def _fit(self, rows: int, width: int) -> None:
        """Grow the matrix (by doubling) to hold ``rows`` soldiers and ``width`` ties each."""
        old_rows, old_width = self.neighbours.shape
        new_rows = max(old_rows, rows if rows <= old_rows else max(rows, 2 * old_rows))
        new_width = max(old_width, width if width <= old_width else max(width, 2 * old_width))
        if (new_rows, new_width) == (old_rows, old_width):
            return
        grown = np.full((new_rows, new_width), -1, dtype=np.int32)
        grown[:old_rows, :old_width] = self.neighbours
        self.neighbours = grown
        degree = np.zeros(new_rows, dtype=np.int32)
        degree[:old_rows] = self.degree
        self.degree = degree

    def add(self, src: np.ndarray, dst: np.ndarray, n_soldiers: int) -> None:
        """Tie each ``src[i]`` to ``dst[i]`` (both ways)."""
        if src.size == 0:
            self._fit(n_soldiers, 1)
            return
        ends = np.concatenate([src, dst])
        partners = np.concatenate([dst, src])
        order = np.argsort(ends, kind="stable")
        ends, partners = ends[order], partners[order]
        # a soldier gaining several ties today takes consecutive free slots
        rank = np.arange(ends.size) - np.searchsorted(ends, ends, side="left")
        self._fit(n_soldiers, 1)
        slot = self.degree[ends] + rank
        self._fit(n_soldiers, int(slot.max()) + 1)
        self.neighbours[ends, slot] = partners
        np.add.at(self.degree, ends, 1)  # only the soldiers gaining ties

    def of(self, row: int) -> np.ndarray:
        """One soldier's cross ties."""
        return self.neighbours[row, : self.degree[row]].copy()

    def spread(self, rows: np.ndarray, values: np.ndarray, n: int) -> np.ndarray:
        """For every soldier, the sum of ``values[i]`` over the ``rows[i]`` he is tied to."""
        return _spread(self.neighbours, self.degree, rows, values.astype(np.float64), n)

    def among(self, members: np.ndarray, is_member: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """The cross ties with both ends in ``members`` (``is_member`` is its mask over soldiers)."""
        neighbours = self.neighbours[members]
        valid = neighbours >= 0
        valid[valid] = is_member[neighbours[valid]]
        return np.broadcast_to(members[:, None], neighbours.shape)[valid], neighbours[valid]


@njit(cache=True)
def _spread(neighbours, degree, rows, values, n):
    """Each of ``rows`` adds his value to every soldier he is tied to (visits only ``rows``)."""
    total = np.zeros(n, dtype=np.float64)
    for k in range(rows.size):
        row = rows[k]
        for slot in range(degree[row]):
            total[neighbours[row, slot]] += values[k]
    return total
