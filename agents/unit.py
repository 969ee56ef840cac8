"""The unit: a company with a posture, strength, supply, officers, soldiers and ties.

Units are not scheduled agents (nothing in a unit acts on its own), but they are
explicit: ``model.units[i]`` is a view onto row ``i`` of the unit table with
everything a unit has.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import mesa
import networkx as nx
import numpy as np

from model.state import OfficerStatus, Posture

if TYPE_CHECKING:
    from agents.officer import Officer
    from agents.soldier import Soldier


class Unit:
    """View onto one unit of the model."""

    def __init__(self, model: mesa.Model, unit_id: int):
        self.model = model
        self.unit_id = int(unit_id)

    @property
    def posture(self) -> Posture:
        return Posture(int(self.model.unit_table.posture[self.unit_id]))

    @property
    def authorised(self) -> int:
        return int(self.model.unit_table.authorised[self.unit_id])

    @property
    def present(self) -> int:
        here = (self.model.soldier_table.unit == self.unit_id) & self.model.present_mask()
        return int(here.sum())

    @property
    def supply(self) -> float:
        return float(self.model.unit_table.supply[self.unit_id])

    @property
    def officers(self) -> list[Officer]:
        o = self.model.officer_table
        rows = np.flatnonzero((o.unit == self.unit_id) & (o.status == OfficerStatus.SERVING))
        return [self.model.officer_agents[r] for r in rows]

    @property
    def members(self) -> list[Soldier]:
        """Every soldier ever assigned to the unit, whatever his status."""
        rows = np.flatnonzero(self.model.soldier_table.unit == self.unit_id)
        return [self.model.soldier_agents[r] for r in rows]

    def tie_network(self) -> nx.Graph:
        """The ties among the unit's soldiers, as a networkx graph of soldier agents."""
        graph = nx.Graph()
        members = self.members
        graph.add_nodes_from(members)
        for soldier in members:
            graph.add_edges_from((soldier, other) for other in soldier.ties)
        return graph

    def __repr__(self) -> str:
        return (
            f"Unit({self.unit_id}, {self.posture.name.lower()}, "
            f"{self.present}/{self.authorised} present, supply={self.supply:.2f})"
        )
