"""Refresh the generated tables in docs/ODD.md from the single definitions.

    uv run python docs/update_tables.py

Rewrites what stands between the BEGIN/END markers: the parameter table (the output of
`morale params --format markdown`) and the metric and unit-column tables (from
model/metrics.py). tests/test_parameters.py fails when the committed file is stale.
"""

from __future__ import annotations

import re
from pathlib import Path

from model.metrics import METRICS, UNIT_COLUMNS
from model.parameters import markdown_table

ODD = Path(__file__).resolve().parent / "ODD.md"


def definitions_table(rows: dict[str, str], first: str) -> str:
    lines = [f"| {first} | meaning |", "|---|---|"]
    lines += [f"| `{name}` | {meaning} |" for name, meaning in rows.items()]
    return "\n".join(lines) + "\n"


GENERATED = {
    "PARAMETERS": markdown_table,
    "METRICS": lambda: definitions_table(METRICS, "column"),
    "UNITS": lambda: definitions_table(UNIT_COLUMNS, "column"),
}


def refresh(text: str) -> str:
    for key, make in GENERATED.items():
        pattern = re.compile(rf"(<!-- BEGIN {key}[^\n]*-->\n)(.*?)(<!-- END {key} -->)", re.S)
        if not pattern.search(text):
            raise SystemExit(f"docs/ODD.md has no BEGIN/END {key} markers")
        text = pattern.sub(lambda m, make=make: m.group(1) + make() + m.group(3), text)
    return text


if __name__ == "__main__":
    ODD.write_text(refresh(ODD.read_text(encoding="utf-8")), encoding="utf-8")
    print(f"refreshed {ODD}")
