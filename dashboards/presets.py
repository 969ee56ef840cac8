"""The preset scenarios the page offers: those whose army it can draw soldier by soldier.

The army view draws every soldier, and the page redraws them every frame; an army several
times the classroom's 2,000 (the `division` the facts are judged on, 13,000; `army_scale`,
600,000) would stall a projector's browser. Those presets run headless (`morale run NAME`).
"""

from __future__ import annotations

from pathlib import Path

from model.scenarios import ScenarioError, available, resolve

MAX_PAGE_SOLDIERS = 4_000  # twice the classroom army (`baseline`: 20 companies of 100)


def soldiers(name: str) -> int:
    """The authorised strength of a preset's army (companies x soldiers per company)."""
    params = resolve(name).params
    return params.n_units * params.unit_size


def page_presets() -> dict[str, Path]:
    """The presets the page offers, by name: the valid ones whose army it can draw."""
    offered = {}
    for name, path in available().items():
        try:
            if soldiers(name) <= MAX_PAGE_SOLDIERS:
                offered[name] = path
        except ScenarioError:
            continue  # `morale scenarios` reports it; the page cannot load it
    return offered


def not_on_the_page(name: str) -> str:
    """Why a preset (one of ``available()``) is not offered by the page; one line."""
    try:
        size = soldiers(name)
    except ScenarioError as exc:
        return f"scenario '{name}' cannot be loaded: {exc}"
    return (f"scenario '{name}' has {size:,} soldiers and the page draws every soldier (at most "
            f"{MAX_PAGE_SOLDIERS:,}); run it headless with `morale run {name}`")
