"""The soldier: a Mesa agent whose state is a row of the model's soldier table."""

from __future__ import annotations

from typing import TYPE_CHECKING

import mesa

from model.state import PRESENT_STATUSES, Posture, Service, SoldierTable, Status

if TYPE_CHECKING:
    from agents.unit import Unit


def _column(name: str) -> property:
    def fget(self: Soldier):
        return self.model.soldier_table.__getattr__(name)[self.row].item()

    def fset(self: Soldier, value) -> None:
        self.model.soldier_table.__getattr__(name)[self.row] = value

    return property(fget, fset, doc=f"This soldier's `{name}` (a view onto the model's table).")


class Soldier(mesa.Agent):
    """One soldier. ``soldier.fear`` reads his current value from the model's arrays.

    The daily processes never call methods on individual soldiers: they run over
    the whole table at once (``model/processes.py``). The agent exists so that
    Mesa's tools (``model.agents.select``, ``agg``, ``groupby``, DataCollector
    agent reporters, the dashboard's inspector) see real agents.
    """

    def __init__(self, model: mesa.Model, row: int):
        super().__init__(model)
        self.row = int(row)

    @property
    def unit(self) -> Unit:
        return self.model.units[self.model.soldier_table.unit[self.row]]

    @property
    def unit_id(self) -> int:
        return int(self.model.soldier_table.unit[self.row])

    @property
    def status_name(self) -> str:
        return Status(self.status).name.lower()

    @property
    def service_name(self) -> str:
        return "conscript" if self.service == Service.CONSCRIPT else "contract"

    @property
    def present(self) -> bool:
        return self.status in PRESENT_STATUSES

    @property
    def posture_name(self) -> str:
        return Posture(self.model.unit_table.posture[self.unit_id]).name.lower()

    @property
    def ties(self) -> list[Soldier]:
        """His comrades: squad mates and cross-squad friends (whatever their status)."""
        return [self.model.soldier_agents[r] for r in self.model.tie_rows(self.row)]

    def decision(self) -> dict[str, float]:
        """Today's decision, term by term (the dashboard's inspector shows it)."""
        return self.model.decision_breakdown(self.row)

    def __repr__(self) -> str:
        return (
            f"Soldier(id={self.unique_id}, unit={self.unit_id}, {self.status_name}, "
            f"motivation={self.motivation:.2f}, fear={self.fear:.2f}, "
            f"grievance={self.grievance:.2f})"
        )


for _name in SoldierTable.columns:
    if _name != "unit":
        setattr(Soldier, _name, _column(_name))
