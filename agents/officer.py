"""The officer: a Mesa agent whose state is a row of the model's officer table."""

from __future__ import annotations

import mesa
import numpy as np

from model.state import OfficerStatus


class Officer(mesa.Agent):
    """One officer leading a unit.

    His competence and harshness are the model's levers plus a personal offset
    drawn when he is appointed, so a lever change moves every officer at once.
    """

    def __init__(self, model: mesa.Model, row: int):
        super().__init__(model)
        self.row = int(row)

    @property
    def unit_id(self) -> int:
        return int(self.model.officer_table.unit[self.row])

    @property
    def competence(self) -> float:
        p = self.model.params
        offset = self.model.officer_table.competence_offset[self.row]
        return float(np.clip(p.officer_competence + offset, 0, 1))

    @property
    def harshness(self) -> float:
        p = self.model.params
        return float(np.clip(p.officer_harshness + self.model.officer_table.harshness_offset[self.row], 0, 1))

    @property
    def status(self) -> int:
        return int(self.model.officer_table.status[self.row])

    @property
    def status_name(self) -> str:
        return OfficerStatus(self.status).name.lower()

    def __repr__(self) -> str:
        return (
            f"Officer(id={self.unique_id}, unit={self.unit_id}, {self.status_name}, "
            f"competence={self.competence:.2f}, harshness={self.harshness:.2f})"
        )
