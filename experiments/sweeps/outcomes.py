"""Outcomes: the numbers a finished run gives, and the columns of ``runs.parquet``."""

from __future__ import annotations

from typing import Any

import pandas as pd
import pyarrow as pa

from model.parameters import PARAMETER_NAMES, spec

OUTCOMES: dict[str, tuple[str, str]] = {
    "desertion_rate": ("float", "share of soldiers ever assigned who deserted at least once, at the end"),
    "desertion_rate_frontline": ("float", "the same among soldiers who ever served in a frontline unit"),
    "desertion_rate_rear": ("float", "the same among soldiers who ever served in a second-line or "
                            "reserve unit"),
    "day_desertion_10pct": ("int", "first day the army-wide desertion rate reached 10% "
                            "(empty if it never did: Lyall's mass desertion)"),
    "units_over_10pct": ("int", "units that lost 10% or more of their soldiers to desertion"),
    "worst_unit_desertion_rate": ("float", "desertion rate of the worst unit"),
    "largest_cascade": ("int", "size of the largest desertion cascade"),
    "cascades": ("int", "number of cascades (a lone desertion counts as one)"),
    "combat_effectiveness": ("float", "frontline strength x will x supply at the end (0..1)"),
    "mean_motivation": ("float", "mean motivation of soldiers present at the end"),
    "mean_fear": ("float", "mean fear of soldiers present at the end"),
    "mean_grievance": ("float", "mean grievance of soldiers present at the end"),
    "present": ("int", "soldiers present at the end"),
    "soldiers_ever": ("int", "soldiers ever assigned (the start plus replacements)"),
    "killed": ("int", "soldiers killed"),
    "caught": ("int", "captures of deserters"),
}


def _arrow_type(kind: str) -> pa.DataType:
    return pa.int64() if kind == "int" else pa.float64()


def runs_schema() -> pa.Schema:
    """Columns of ``runs.parquet`` and of every part file, in order."""
    fields = [pa.field("run_id", pa.string(), nullable=False)]
    fields += [pa.field(name, _arrow_type(spec(name)["type"])) for name in PARAMETER_NAMES]
    fields += [
        pa.field("seed", pa.int64()),
        pa.field("days", pa.int64()),
        pa.field("status", pa.string()),
        pa.field("error", pa.string()),
        pa.field("wall_time_s", pa.float64()),
        pa.field("version", pa.string()),
    ]
    fields += [pa.field(name, _arrow_type(kind)) for name, (kind, _) in OUTCOMES.items()]
    return pa.schema(fields)


def outcomes(model, timeseries: pd.DataFrame) -> dict[str, Any]:
    """The outcome metrics of a finished run (see ``OUTCOMES``)."""
    from model.metrics import MASS_DESERTION, unit_table, units_over_10pct

    m = model.metrics
    units = unit_table(model)
    passed = timeseries.loc[timeseries["desertion_rate"] >= MASS_DESERTION, "day"]
    return {
        "desertion_rate": float(m["desertion_rate"]),
        "desertion_rate_frontline": float(m["desertion_rate_frontline"]),
        "desertion_rate_rear": float(m["desertion_rate_rear"]),
        "day_desertion_10pct": int(passed.iloc[0]) if len(passed) else None,
        "units_over_10pct": units_over_10pct(units["desertion_rate"]),
        "worst_unit_desertion_rate": float(units["desertion_rate"].max()),
        "largest_cascade": int(m["largest_cascade"]),
        "cascades": int(m["cascades"]),
        "combat_effectiveness": float(m["combat_effectiveness"]),
        "mean_motivation": float(m["mean_motivation"]),
        "mean_fear": float(m["mean_fear"]),
        "mean_grievance": float(m["mean_grievance"]),
        "present": int(m["present"]),
        "soldiers_ever": int(m["soldiers_ever"]),
        "killed": int(m["killed_cumulative"]),
        "caught": int(m["caught_cumulative"]),
    }
