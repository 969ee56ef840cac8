"""The unit map: a block per unit, a cell per soldier, clickable (Vue, rendered in the browser)."""

from __future__ import annotations

from collections.abc import Callable

import solara

from dashboards.views import BANDS, OKABE_ITO


@solara.component_vue("unit_map.vue", vuetify=False)
def UnitMapView(
    cells_json: str,
    units: list,
    bands: list,
    width: int,
    height: int,
    colors: dict,
    selected: int,
    event_select_soldier: Callable[[int], None],
):
    """``cells_json``: a JSON list of [x, y, band code, soldier row] (one string, so the
    renderer does not walk 2,000 small lists every frame); clicking a cell calls
    ``event_select_soldier(row)``."""


COLORS = {code: colour for code, (_label, colour) in BANDS.items()}


@solara.component
def Legend():
    items = "".join(
        f'<span style="margin-right:12px;white-space:nowrap">'
        f'<span style="display:inline-block;width:11px;height:11px;background:{colour};'
        f'margin-right:4px;outline:1px solid #999"></span>{label}</span>'
        for label, colour in BANDS.values()
    )
    officer = (
        '<span style="white-space:nowrap"><span style="color:#000">&#9650;</span> officer '
        f'<span style="color:{OKABE_ITO["vermillion"]};margin-left:6px">&#x2715;</span> officer killed</span>'
    )
    solara.HTML(tag="div", unsafe_innerHTML=f'<div style="font-size:13px">{items}{officer}</div>')
