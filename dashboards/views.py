"""What the dashboard shows, computed from a model: pure functions, no Solara.

Kept apart from the components so they can be tested without a browser and
stay cheap enough to run every frame (everything here is array work).
"""

from __future__ import annotations

import html
from dataclasses import dataclass
from itertools import pairwise

import numpy as np

from model import processes as proc
from model.cascades import CASCADE_WINDOW_DAYS
from model.model import MoraleModel
from model.parameters import PARAMETER_NAMES, spec
from model.state import OfficerStatus, Posture, Status

CELL = 7  # pixels per soldier on the unit map
GAP = 12  # pixels between unit blocks
HEADER = 16  # pixels above a block for its label and officer marker
BAND_GAP = 26
MAP_WIDTH = 900
WAVERING_MARGIN = 0.15  # within this of his threshold a soldier counts as wavering

# The Okabe-Ito palette (Okabe & Ito 2008): eight colours that stay distinct for viewers with
# red-green (and blue-yellow) colour blindness. Every colour on the page comes from here.
OKABE_ITO = {
    "black": "#000000",
    "orange": "#E69F00",
    "sky_blue": "#56B4E9",
    "bluish_green": "#009E73",
    "yellow": "#F0E442",
    "blue": "#0072B2",
    "vermillion": "#D55E00",
    "reddish_purple": "#CC79A7",
}
PUSH = OKABE_ITO["vermillion"]  # what drives desertion: reinforcing loops, the push to leave
HOLD = OKABE_ITO["blue"]  # what holds soldiers back: balancing loops, deterrence
NEUTRAL = "#666666"
LINE_DASHES = ("", "7,3", "2,3", "9,3,2,3")  # series of one chart differ by dash as well as colour

# Morale bands and statuses on the map: code -> (label, colour)
BANDS: dict[str, tuple[str, str]] = {
    "s": ("steady", OKABE_ITO["sky_blue"]),
    "w": ("wavering", OKABE_ITO["yellow"]),
    "n": ("deserted in the last 3 days", OKABE_ITO["vermillion"]),
    "d": ("deserted (at large)", OKABE_ITO["reddish_purple"]),
    "c": ("caught and jailed", OKABE_ITO["blue"]),
    "h": ("wounded", "#DDDDDD"),
    "k": ("killed", OKABE_ITO["black"]),
}
POSTURE_LABELS = {
    Posture.FRONTLINE: "Front line",
    Posture.SECOND_LINE: "Second line",
    Posture.RESERVE: "Reserve",
}


def soldier_bands(model: MoraleModel) -> np.ndarray:
    """One band code per soldier (see ``BANDS``)."""
    s = model.soldier_table
    codes = np.full(s.n, "s", dtype="<U1")
    present = model.present_mask()
    margin = s.push - s.deterrence - s.threshold
    codes[present & (margin > -WAVERING_MARGIN)] = "w"
    deserted = s.status == Status.DESERTED
    codes[deserted] = "d"
    codes[deserted & (model.day - s.deserted_day <= CASCADE_WINDOW_DAYS)] = "n"
    codes[s.status == Status.JAILED] = "c"
    codes[s.status == Status.WOUNDED] = "h"
    codes[s.status == Status.KILLED] = "k"
    return codes


@dataclass
class UnitMap:
    cells: list[list]  # [x, y, band code, soldier row]
    units: list[dict]  # x, y, width, height, label, officer marker
    bands: list[dict]  # posture band headings
    width: int
    height: int


def unit_map(model: MoraleModel) -> UnitMap:
    """Layout of the unit map: a block per unit, a column per squad, a cell per soldier.

    Units are arranged in three bands (front line, second line, reserve). Within a
    block, each column is a squad and lists every soldier ever assigned to it,
    oldest on top, so losses stay visible and replacements appear below them.
    """
    s, u = model.soldier_table, model.unit_table
    rows = np.arange(s.n)
    order = np.lexsort((rows, s.squad))
    squad_sorted = s.squad[order]
    starts = np.searchsorted(squad_sorted, squad_sorted, side="left")
    rank = np.empty(s.n, dtype=np.int64)
    rank[order] = np.arange(s.n) - starts
    depth_by_squad = np.bincount(s.squad, minlength=model.squad_capacity.size)
    depth_by_unit = np.zeros(u.n, dtype=np.int64)
    np.maximum.at(depth_by_unit, model.squad_unit, depth_by_squad)

    block_w = u.n_squads * CELL
    ux = np.zeros(u.n, dtype=np.int64)
    uy = np.zeros(u.n, dtype=np.int64)
    bands, y = [], 0
    officers = model.officer_table
    serving = officers.status == OfficerStatus.SERVING
    led = np.bincount(officers.unit[serving], minlength=u.n)
    for posture in Posture:
        members = np.flatnonzero(u.posture == posture)
        bands.append({"y": int(y) + 12, "label": f"{POSTURE_LABELS[posture]} ({members.size} units)"})
        y += BAND_GAP
        x, row_height = 0, 0
        for unit in members:  # a loop over units (tens), for layout only
            if x + block_w[unit] > MAP_WIDTH and x > 0:
                x, y = 0, y + row_height + GAP
                row_height = 0
            ux[unit], uy[unit] = x, y
            x += block_w[unit] + GAP
            row_height = max(row_height, HEADER + depth_by_unit[unit] * CELL)
        y += row_height + GAP
    height = y

    cx = ux[s.unit] + (s.squad - u.first_squad[s.unit]) * CELL
    cy = uy[s.unit] + HEADER + rank * CELL
    codes = soldier_bands(model)
    cells = np.column_stack([cx, cy]).tolist()
    for cell, code, row in zip(cells, codes.tolist(), rows.tolist(), strict=True):
        cell.extend((code, row))
    rates = _unit_rates(model)
    units = [
        {
            "x": int(ux[i]), "y": int(uy[i]), "width": int(block_w[i]),
            "height": int(HEADER + depth_by_unit[i] * CELL),
            "label": f"U{i} {rates[i]:.0%}",
            "led": bool(led[i] > 0),
            "title": (
                f"Unit {i}: {int(model.unit_present[i])}/{int(u.authorised[i])} present, "
                f"desertion {rates[i]:.1%}, supply {u.supply[i]:.2f}, officer "
                + (f"competence {model.unit_competence[i]:.2f}, harshness "
                   f"{model.unit_harshness[i]:.2f}" if led[i] else "killed, replacement coming")
            ),
        }
        for i in range(u.n)
    ]
    width = int((ux + block_w).max()) + 2 if u.n else MAP_WIDTH
    return UnitMap(cells, units, bands, width, int(height))


def _unit_rates(model: MoraleModel) -> np.ndarray:
    s = model.soldier_table
    ever = np.bincount(s.unit, minlength=model.unit_table.n)
    deserted = np.bincount(s.unit[s.times_deserted > 0], minlength=model.unit_table.n)
    return deserted / np.maximum(ever, 1)


# ---------------------------------------------------------------------------- #
# Charts (SVG strings: no plotting library, no CDN, cheap to redraw every frame)
# ---------------------------------------------------------------------------- #


def line_chart(
    title: str,
    series: list[tuple[str, str, list[float]]],
    *,
    y_max: float | None = None,
    marks: list[dict] | None = None,
    percent: bool = False,
    days: int | None = None,
    width: int = 400,
    height: int = 170,
    testid: str = "",
) -> str:
    """A small line chart: an HTML title and legend above an SVG plot.

    ``marks`` are vertical lines at lever changes ({day, label}); their labels are HTML, on rows
    of their own between the legend and the plot (``mark_label_rows``), so they never overlap
    each other, the legend or the curves, and each has a dashed stem down to its line. The
    title, legend and labels are HTML, so their size on the page does not shrink with the chart
    (SVG text in a chart 316 px wide, two columns at 1024 x 768, was drawn at 8 px).
    """
    left, right, top, bottom = 40, 8, 8, 22
    plot_w, plot_h = width - left - right, height - top - bottom
    longest = max((len(v) for _, _, v in series), default=1)
    x_max = max(days or 0, longest - 1, 1)
    top_value = y_max if y_max is not None else max(
        (max(v) for _, _, v in series if v), default=1.0
    )
    top_value = top_value if top_value > 0 else 1.0

    def px(day: float) -> float:
        return left + plot_w * day / x_max

    def py(value: float) -> float:
        return top + plot_h * (1 - min(value, top_value) / top_value)

    def fmt(value: float) -> str:
        if percent:  # enough decimals that the three ticks differ (0.1% tops: 0.00%, 0.05%, 0.10%)
            return f"{value:.{0 if top_value >= 0.05 else 1 if top_value >= 0.005 else 2}%}"
        return f"{value:,.0f}" if top_value >= 100 else f"{value:.2g}"

    legend = "".join(
        f'<span class="chart-key"><svg width="22" height="8"><line x1="0" y1="4" x2="22" y2="4" '
        f'stroke="{colour}" stroke-width="2.5" stroke-dasharray="{LINE_DASHES[i % len(LINE_DASHES)]}"/>'
        f"</svg>{html.escape(label)}</span>"
        for i, (label, colour, _values) in enumerate(series)
    )
    parts = [
        f'<div class="chart-box" data-testid="{testid}"><div class="chart-title">{html.escape(title)}</div>'
        f'<div class="chart-legend">{legend}</div>'
        + _mark_strip([(px(m["day"]) / width, m) for m in marks or []]),
        f'<svg viewBox="0 0 {width} {height}" width="100%" class="chart" '
        f'xmlns="http://www.w3.org/2000/svg" font-family="sans-serif">',
        f'<line x1="{left}" y1="{top + plot_h}" x2="{left + plot_w}" y2="{top + plot_h}" stroke="#999"/>',
        f'<line x1="{left}" y1="{top}" x2="{left}" y2="{top + plot_h}" stroke="#999"/>',
    ]
    for frac in (0.0, 0.5, 1.0):
        value = top_value * frac
        parts.append(
            f'<text x="{left - 4}" y="{py(value) + 4:.1f}" font-size="12" text-anchor="end">'
            f"{fmt(value)}</text>"
        )
    for day, anchor in ((0, "start"), (x_max // 2, "middle"), (x_max, "end")):
        parts.append(
            f'<text x="{px(day):.1f}" y="{height - 6}" font-size="12" text-anchor="{anchor}">'
            f"day {day}</text>"
        )
    for i, (_label, colour, values) in enumerate(series):
        if len(values) > 1:
            points = " ".join(f"{px(d):.1f},{py(v):.1f}" for d, v in enumerate(values))
            parts.append(
                f'<polyline fill="none" stroke="{colour}" stroke-width="2" '
                f'stroke-dasharray="{LINE_DASHES[i % len(LINE_DASHES)]}" points="{points}"/>'
            )
    for mark in marks or []:  # from the top of the drawing: the stems above meet them
        x = px(mark["day"])
        parts.append(
            f'<line x1="{x:.1f}" y1="0" x2="{x:.1f}" y2="{top + plot_h}" stroke="#444" '
            f'stroke-dasharray="3,3" class="lever-mark" data-day="{mark["day"]}"/>'
        )
    parts.append("</svg></div>")
    return "".join(parts)


MARK_PX = 14  # lever-change labels: font size on the page (CSS px), whatever the chart's width
MARK_ROW_PX = 19  # their row height
# a character at most, in em (measured on the labels: Roboto, the page's font, 0.43-0.54; DejaVu Sans,
# a fallback, up to 0.6)
MARK_CHAR_EM = 0.6
MARK_PAD_PX = 12  # the padding each side and a gap
MIN_CHART_PX = 300  # the narrowest a chart is drawn (the chart grid's columns are at least this)


def _mark_strip(marks: list[tuple[float, dict]]) -> str:
    """The lever-change labels of a chart: HTML rows between its legend and its plot.

    A label is placed by its line's place across the chart (a share of its width) and has a
    dashed stem down to the plot; the labels of the rows nearer the plot cover the stems of the
    rows above them.
    """
    if not marks:
        return ""
    placed = mark_label_rows([(x, m["label"]) for x, m in marks])
    rows = 1 + max(row for _, _, row in placed)
    tags = []
    for (x, mark), (_, anchor, row) in zip(marks, placed, strict=True):
        tags.append(
            f'<div class="lever-mark-tag" data-day="{mark["day"]}" style="left:{100 * x:.2f}%;'
            f"transform:translateX({-100 * anchor:.1f}%);top:{(rows - 1 - row) * MARK_ROW_PX}px;"
            f'z-index:{rows - row}"><i class="lever-mark-stem" style="left:{100 * anchor:.1f}%"></i>'
            f'<span class="lever-mark-label">{html.escape(mark["label"])}</span></div>'
        )
    return (f'<div class="chart-marks" style="height:{rows * MARK_ROW_PX}px;'
            f'font-size:{MARK_PX}px;line-height:{MARK_ROW_PX - 2}px">{"".join(tags)}</div>')


def mark_label_rows(
    marks: list[tuple[float, str]], *, min_width: float = MIN_CHART_PX
) -> list[tuple[float, float, int]]:
    """Where each lever-change label goes: (x, anchor, row). ``x`` is its line's place, a share
    of the chart's width; ``anchor`` the share of the label's own width left of its line (0: the
    label starts at its line, 1: ends there; else its line's own share, so that a label too wide
    for either still stays inside the chart); ``row`` counts from the plot up.

    Labels are taken in order of day, each on the first row where it overlaps no label already
    placed; a new row when none is free. Widths are estimated generously as shares of the
    narrowest chart: on a wider chart a label takes a smaller share around the same point, so
    labels that do not overlap there overlap nowhere.
    """
    taken: list[list[tuple[float, float]]] = []
    placed: list[tuple[float, float, int] | None] = [None] * len(marks)
    for i in sorted(range(len(marks)), key=lambda k: marks[k][0]):
        x, text = marks[i]
        w = (MARK_CHAR_EM * MARK_PX * len(text) + MARK_PAD_PX) / min_width
        anchor = 0.0 if x + w <= 1 else 1.0 if x - w >= 0 else x
        span = (x - anchor * w, x + (1 - anchor) * w)
        row = next((r for r, spans in enumerate(taken)
                    if all(b <= span[0] or span[1] <= a for a, b in spans)), len(taken))
        if row == len(taken):
            taken.append([])
        taken[row].append(span)
        placed[i] = (x, anchor, row)
    return placed  # type: ignore[return-value]


def lever_marks(model: MoraleModel) -> list[dict]:
    """The lever changes of the run, labelled with the levers' plain-English labels."""
    return [
        {"day": c["day"], "label": f"{_label(c['name'])} {c['old']:g}→{c['new']:g}"}
        for c in model.lever_changes
    ]


def _label(name: str) -> str:
    return (spec(name)["label"] or name) if name in PARAMETER_NAMES else name


def cascade_histogram(sizes: np.ndarray, width: int = 440, height: int = 190) -> str:
    """Cascade size distribution on log-log axes (sizes binned in powers of two)."""
    left, right, top, bottom = 44, 10, 16, 30
    plot_w, plot_h = width - left - right, height - top - bottom
    parts = [
        '<div class="chart-box"><div class="chart-title">Cascade sizes (log scale)</div>'
        f'<svg viewBox="0 0 {width} {height}" width="100%" data-testid="cascade-sizes" '
        'xmlns="http://www.w3.org/2000/svg" font-family="sans-serif">',
    ]
    if sizes.size == 0:
        parts.append(f'<text x="{left}" y="{top + 40}" font-size="12">No desertions yet.</text></svg></div>')
        return "".join(parts)
    edges = 2 ** np.arange(0, int(np.log2(max(sizes.max(), 1))) + 2)
    counts, _ = np.histogram(sizes, bins=edges)
    log_max = np.log10(max(counts.max(), 1)) + 0.3
    bar_w = plot_w / len(counts)
    for i, count in enumerate(counts):
        h = plot_h * (np.log10(count) + 0.3) / log_max if count else 0
        lo, hi = int(edges[i]), int(edges[i + 1]) - 1
        label = f"{lo}" if lo == hi else f"{lo}-{hi}"
        x = left + i * bar_w
        parts.append(
            f'<rect x="{x + 2:.1f}" y="{top + plot_h - h:.1f}" width="{bar_w - 4:.1f}" '
            f'height="{h:.1f}" fill="{PUSH}"><title>{count} cascades of size {label}</title></rect>'
            f'<text x="{x + bar_w / 2:.1f}" y="{top + plot_h - h - 3:.1f}" font-size="9" '
            f'text-anchor="middle">{count}</text>'
            f'<text x="{x + bar_w / 2:.1f}" y="{height - 16}" font-size="9" '
            f'text-anchor="middle">{label}</text>'
        )
    parts.append(
        f'<text x="{left + plot_w / 2}" y="{height - 3}" font-size="10" text-anchor="middle">'
        "cascade size (deserters); bar height: number of cascades, log scale</text></svg></div>"
    )
    return "".join(parts)


def cascade_timeline(table, n_units: int, days: int, width: int = 440, height: int = 190) -> str:
    """Each cascade as a bar from its first to its last day, at its unit's row."""
    left, right, top, bottom = 44, 10, 8, 24
    plot_w, plot_h = width - left - right, height - top - bottom
    x_max = max(days, 1)
    parts = [
        '<div class="chart-box"><div class="chart-title">Cascades over time (size 2 and up; row = unit)'
        f'</div><svg viewBox="0 0 {width} {height}" width="100%" data-testid="cascade-timeline" '
        'xmlns="http://www.w3.org/2000/svg" font-family="sans-serif">',
        f'<line x1="{left}" y1="{top + plot_h}" x2="{left + plot_w}" y2="{top + plot_h}" stroke="#999"/>',
    ]
    row_h = plot_h / max(n_units, 1)
    big = table[table["size"] >= 2]
    largest = max(int(big["size"].max()), 2) if len(big) else 2
    for rec in big.itertuples():
        x0 = left + plot_w * rec.start_day / x_max
        x1 = left + plot_w * (rec.end_day + 1) / x_max
        thickness = max(2.0, row_h * (0.3 + 0.7 * rec.size / largest))
        y = top + row_h * (rec.unit_id + 0.5) - thickness / 2
        parts.append(
            f'<rect x="{x0:.1f}" y="{y:.1f}" width="{max(x1 - x0, 2):.1f}" height="{thickness:.1f}" '
            f'fill="{PUSH}" opacity="0.8"><title>unit {rec.unit_id}: {rec.size} deserters, '
            f"days {rec.start_day}-{rec.end_day}</title></rect>"
        )
    for day, anchor in ((0, "start"), (x_max // 2, "middle"), (x_max, "end")):
        parts.append(
            f'<text x="{left + plot_w * day / x_max:.1f}" y="{height - 8}" font-size="10" '
            f'text-anchor="{anchor}">day {day}</text>'
        )
    parts.append(
        f'<text x="{left - 4}" y="{top + 8}" font-size="10" text-anchor="end">U0</text>'
        f'<text x="{left - 4}" y="{top + plot_h}" font-size="10" text-anchor="end">U{n_units - 1}</text>'
        "</svg></div>"
    )
    return "".join(parts)


# ---------------------------------------------------------------------------- #
# The morale cycle (MODEL_BRIEF section 3)
# ---------------------------------------------------------------------------- #


# Plain-English names of the loops, for a class; the codes (R1..B4) stay beside them, small.
LOOP_LABELS = {
    "R1": "Friends leaving", "R2": "Stretched thin", "R3": "Supply strain",
    "R4": "Punishment breeds anger", "R5": "Police overwhelmed", "R6": "Bonds broken",
    "R7": "Leaving becomes normal",
    "B1": "Fear of capture", "B2": "Replacements", "B3": "Rotation", "B4": "Propaganda",
}


@dataclass
class Loop:
    key: str
    name: str  # the modeller's name (docs/ODD.md section 8)
    kind: str  # "R" reinforcing, "B" balancing
    strength: float  # today's push (R) or pull (B), in push units (unless ``unit`` says otherwise)
    explain: str
    unit: str = ""  # "" for push units; else what the figure counts (not comparable with the rest)

    @property
    def label(self) -> str:
        """The plain-English name shown to a class."""
        return LOOP_LABELS[self.key]

    @property
    def in_push_units(self) -> bool:
        return not self.unit


def loop_strengths(model: MoraleModel) -> list[Loop]:
    """How hard each feedback loop pushes (R) or holds (B) today, in units of the push to leave.

    Each figure is the mean, over soldiers present, of the part of today's decision
    that the loop supplies, so they can be compared with each other; except B2 and B3
    (``Loop.unit`` says what they count), which are not in push units.
    """
    p, s, u = model.params, model.soldier_table, model.unit_table
    here = model.present_mask()
    unit = s.unit[here]

    def mean(values: np.ndarray) -> float:
        return float(np.mean(values)) if values.size else 0.0

    stretch = model.unit_stretch[unit]
    fear_from_stretch = p.weight_fear * p.overstretch_stress * stretch / max(p.fear_recovery, 1e-9)
    absent_share = 1.0 - model.unit_present.sum() / max(u.authorised.sum(), 1)
    supply_lost_to_losses = p.supply_level * min(p.logistics_strain * absent_share, 1.0)
    grievance_from_strain = np.full(
        u.n, p.weight_grievance * p.grievance_per_shortfall * supply_lost_to_losses
        / max(p.grievance_decay, 1e-9),
    )
    backlash = (
        p.weight_grievance * p.punishment_backlash * u.punishment_salience * model.unit_harshness
        * p.penalty_severity / p.salience_days / max(p.grievance_decay, 1e-9)
    )
    week = model.change_over("reinforcements_cumulative", 7)
    front = u.posture == Posture.FRONTLINE
    fresh_front = front & (u.days_in_posture <= 7)
    relieved = float(fresh_front.sum() / max(front.sum(), 1)) if p.rotation_days else 0.0
    # R5: the deterrence soldiers no longer feel because the police are outnumbered
    unstretched = proc.caught_before_escape(
        p, proc.capture_chance(p, proc.arrest_probability(p, model.police, 0)))
    police_stretched = (p.deterrence_weight * proc.perceived_severity(p) * mean(s.risk_aversion[here])
                        * max(unstretched - model.certainty_belief, 0.0))
    # R6: the hold lost since the start as losses and raw replacements cut the unit's bonds
    cohesion_lost = p.cohesion_weight * np.maximum(p.cohesion_start - u.cohesion, 0.0)
    # R7: the push of a unit where leaving has become the norm
    norm_push = p.peer_influence * p.norm_weight * u.desertion_norm / (u.desertion_norm + p.norm_half)
    return [
        Loop("R1", "contagion", "R", mean(p.peer_influence * p.peer_gain * s.peer_signal[here]),
             "the share of a soldier's ties who have left, past his own threshold, pushes him"),
        Loop("R2", "overstretch", "R", mean(fear_from_stretch),
             "understrength units: more duty and exposure per soldier, more fear"),
        Loop("R3", "logistics", "R", mean(grievance_from_strain[unit]),
             "army-wide losses strain supply; shortages breed grievance"),
        Loop("R4", "backlash", "R", mean(backlash[unit]),
             "harsh punishment seen in the unit breeds grievance"),
        Loop("R5", "police stretched", "R", police_stretched,
             "deserters outnumber the military police: each is less likely caught, and soldiers know it"),
        Loop("R6", "cohesion lost", "R", mean(cohesion_lost[unit]),
             "losses and raw replacements cut the bonds that hold soldiers in their unit"),
        Loop("R7", "desertion norm", "R", mean(norm_push[unit]),
             "once many of a unit have gone, leaving stops being shameful; newcomers inherit it"),
        Loop("B1", "deterrence", "B", mean(s.deterrence[here]),
             "certainty of capture x severity x risk aversion holds soldiers back"),
        Loop("B2", "reinforcement", "B", week / max(model.metrics["present"], 1),
             "replacements this week per soldier present: refill understrength units",
             unit="replacements per soldier this week"),
        Loop("B3", "rotation", "B", relieved, "share of the front relieved in the last week",
             unit="share of the front relieved this week"),
        Loop("B4", "propaganda", "B", mean(p.weight_motivation * s.propaganda_lift[here]),
             "a short, fading lift of motivation"),
    ]


@dataclass
class LoopBalance:
    reinforcing: float  # total push of the reinforcing loops, push units
    balancing: float  # total hold of the balancing loops measured in push units (B1, B4)
    dominant: Loop | None  # the strongest loop now (in push units), None while every loop is 0


def loop_balance(loops: list[Loop]) -> LoopBalance:
    """Totals of the reinforcing and balancing loops, and the strongest loop, all in push units.

    B2 and B3 are left out: their figures count replacements and relieved units, not push.
    """
    comparable = [lp for lp in loops if lp.in_push_units]
    dominant = max(comparable, key=lambda lp: lp.strength, default=None)
    if dominant is not None and dominant.strength <= 0:
        dominant = None
    return LoopBalance(
        reinforcing=sum(lp.strength for lp in comparable if lp.kind == "R"),
        balancing=sum(lp.strength for lp in comparable if lp.kind == "B"),
        dominant=dominant,
    )


# One width scale for every arrow of the diagram, in pixels (SVG units) per push unit: an arrow
# of a loop of strength s is EDGE_PX_PER_PUSH * s wide, whatever its colour, between a thinnest
# width that stays visible and a widest that keeps the diagram readable (its title gives s).
# Revision 6 put deterrence at Epstein's scale: B1 holds 0.3-0.6 and R5 reaches about 0.2, so the
# scale gives 18 px at 0.6 (it gave 18 px at 0.09 when deterrence was at most 0.06).
EDGE_PX_PER_PUSH = 30.0
EDGE_MIN_PX = 1.5
EDGE_MAX_PX = 18.0


def edge_width(strength: float) -> float:
    return min(max(EDGE_PX_PER_PUSH * strength, EDGE_MIN_PX), EDGE_MAX_PX)


DIAGRAM_TOP = 62  # room above the nodes for the dominant loop's name and the balance bar
# Node positions of the causal-loop diagram (an SVG 620 wide; the loop list below the nodes)
_NODES = {
    "norm": (100, 45, "Desertion norm"),
    "peers": (310, 45, "Ties gone"),
    "cohesion": (520, 45, "Cohesion"),
    "deterrence": (95, 150, "Deterrence"),
    "understrength": (525, 150, "Understrength"),
    "desertion": (310, 225, "Desertion"),
    "punishment": (70, 310, "Punishment"),
    "police": (215, 305, "Police stretched"),
    "fear": (550, 300, "Fear"),
    "grievance": (190, 395, "Grievance"),
    "supply": (440, 395, "Supply strain"),
}
NODE_HALF_W, NODE_HALF_H = 62, 20
_EDGES = [  # (from, to, loop)
    ("desertion", "peers", "R1"), ("peers", "desertion", "R1"),
    ("desertion", "understrength", "R2"), ("understrength", "fear", "R2"),
    ("fear", "desertion", "R2"),
    ("desertion", "supply", "R3"), ("supply", "grievance", "R3"), ("grievance", "desertion", "R3"),
    ("punishment", "grievance", "R4"),
    ("desertion", "police", "R5"), ("police", "deterrence", "R5"),
    ("desertion", "cohesion", "R6"), ("cohesion", "desertion", "R6"),
    ("desertion", "norm", "R7"), ("norm", "desertion", "R7"),
    ("punishment", "deterrence", "B1"), ("deterrence", "desertion", "B1"),
    ("desertion", "punishment", "B1"),
]
# where each loop's name is written on the diagram: beside this edge (index into _EDGES)
_NAMED_EDGE = {"R1": 1, "R2": 3, "R3": 6, "R4": 8, "R5": 10, "R6": 12, "R7": 14, "B1": 15}
_LABEL_AT = {"R5": (196, 262), "R7": (215, 98), "R3": (330, 385)}  # where the edge's middle is crowded
LIST_PX_PER_PUSH = 100.0  # the bars of the loop list: one scale for all of them too (60 px at 0.6)


def _node_exit(node: tuple[float, float], toward: tuple[float, float], gap: float = 3.0):
    """Where the line from a node's centre toward a point leaves the node's box (plus a gap)."""
    (x, y), (tx, ty) = node, toward
    dx, dy = tx - x, ty - y
    t = min((NODE_HALF_W + gap) / abs(dx) if dx else float("inf"),
            (NODE_HALF_H + gap) / abs(dy) if dy else float("inf"))
    return x + dx * t, y + dy * t


def _edge_geometry(src: str, dst: str):
    """A gently bent arrow from node to node: start, control point, tip, unit tangent at the tip."""
    (x0, y0, _), (x1, y1, _) = _NODES[src], _NODES[dst]
    y0, y1 = y0 + DIAGRAM_TOP, y1 + DIAGRAM_TOP
    dx, dy = x1 - x0, y1 - y0
    cx, cy = (x0 + x1) / 2 - dy * 0.12, (y0 + y1) / 2 + dx * 0.12
    sx, sy = _node_exit((x0, y0), (cx, cy))
    ex, ey = _node_exit((x1, y1), (cx, cy))
    tx, ty = ex - cx, ey - cy
    norm = max((tx * tx + ty * ty) ** 0.5, 1e-9)
    return (sx, sy), (cx, cy), (ex, ey), (tx / norm, ty / norm)


def loop_diagram(model: MoraleModel) -> str:
    """The morale cycle as a causal-loop diagram whose arrows and list carry live values.

    Every arrow has an arrowhead and one width scale (``edge_width``: the same pixels per push
    unit for every loop), so a weak reinforcing loop looks weak beside strong deterrence. Above
    the diagram: the strongest loop now, by name, and a bar of the reinforcing loops' total push
    against the balancing loops' total hold. The strongest loop's arrows are highlighted.
    """
    loops = {lp.key: lp for lp in loop_strengths(model)}
    balance = loop_balance(list(loops.values()))
    dominant = balance.dominant
    m = model.metrics
    node_values = {
        "desertion": f"{m['desertions_today']} today",
        "peers": f"signal {m['mean_peer_signal']:.3f}",
        "norm": f"mean {m['mean_desertion_norm']:.3f}",
        "cohesion": f"mean {m['mean_cohesion']:.2f}",
        "police": f"catch {m['capture_chance']:.3f}/day",
        "understrength": f"{m['present']}/{int(model.unit_table.authorised.sum())} present",
        "fear": f"mean {m['mean_fear']:.2f}",
        "supply": f"supply {m['supply']:.2f}",
        "grievance": f"mean {m['mean_grievance']:.2f}",
        "punishment": f"{m['caught_cumulative']} caught",
        "deterrence": f"mean {m['mean_deterrence']:.2f}",
    }
    list_top = DIAGRAM_TOP + 395 + 44
    row_h = 21
    height = list_top + 7 * row_h + 36
    parts = [
        f'<svg viewBox="0 0 620 {height}" width="100%" data-testid="loop-diagram" '
        'xmlns="http://www.w3.org/2000/svg" font-family="sans-serif">',
    ]
    # the strongest loop now, in words, and the balance of the two kinds of loop
    if dominant is None:
        headline = "No loop is acting yet."
    else:
        doing = "pushing soldiers to leave" if dominant.kind == "R" else "holding soldiers back"
        headline = (f"Strongest loop now: {html.escape(dominant.label)} "
                    f'<tspan font-size="11" fill="#555">{dominant.key}</tspan>, {doing}')
    parts.append(
        f'<text x="310" y="18" font-size="15" font-weight="bold" text-anchor="middle" '
        f'data-testid="loop-driver" data-loop="{dominant.key if dominant else ""}">{headline}</text>')
    total = balance.reinforcing + balance.balancing
    bar_x, bar_w, bar_y = 150, 320, 30
    share = balance.reinforcing / total if total > 0 else 0.5
    split = bar_x + bar_w * share
    parts.append(
        f'<g data-testid="loop-balance" data-reinforcing="{balance.reinforcing:.6f}" '
        f'data-balancing="{balance.balancing:.6f}">'
        f'<title>reinforcing loops push {balance.reinforcing:.3f}, balancing loops hold '
        f'{balance.balancing:.3f} (push units; B2 and B3 are not in push units)</title>'
        f'<rect x="{bar_x}" y="{bar_y}" width="{split - bar_x:.1f}" height="14" fill="{PUSH}"/>'
        f'<rect x="{split:.1f}" y="{bar_y}" width="{bar_x + bar_w - split:.1f}" height="14" fill="{HOLD}"/>'
        f'<line x1="{bar_x + bar_w / 2}" y1="{bar_y - 3}" x2="{bar_x + bar_w / 2}" y2="{bar_y + 17}" '
        f'stroke="#000" stroke-width="1.5"/>'
        f'<text x="{bar_x - 6}" y="{bar_y + 11}" font-size="12" text-anchor="end" fill="{PUSH}">'
        f'pushing out {balance.reinforcing:.3f}</text>'
        f'<text x="{bar_x + bar_w + 6}" y="{bar_y + 11}" font-size="12" fill="{HOLD}">'
        f'holding in {balance.balancing:.3f}</text></g>'
    )
    labels = []
    for i, (src, dst, key) in enumerate(_EDGES):
        lp = loops[key]
        colour = PUSH if lp.kind == "R" else HOLD
        dash = "" if lp.kind == "R" else ' stroke-dasharray="8,4"'
        width = edge_width(lp.strength)
        (sx, sy), (cx, cy), (ex, ey), (ux, uy) = _edge_geometry(src, dst)
        head_len, head_half = max(11.0, 1.6 * width), max(5.5, 1.1 * width)
        bx, by = ex - ux * head_len, ey - uy * head_len  # the shaft ends where the head begins
        px, py = -uy, ux
        is_dominant = dominant is not None and key == dominant.key
        if is_dominant:  # a yellow halo under the strongest loop's arrows
            parts.append(
                f'<path d="M {sx:.1f} {sy:.1f} Q {cx:.1f} {cy:.1f} {ex:.1f} {ey:.1f}" fill="none" '
                f'stroke="{OKABE_ITO["yellow"]}" stroke-width="{width + 10:.1f}" stroke-linecap="round" '
                f'opacity="0.9" class="edge-halo"/>')
        tip = f"{LOOP_LABELS[key]} ({key}): {lp.strength:.4f}"
        parts.append(
            f'<g class="edge" data-loop="{key}" data-strength="{lp.strength:.6f}" '
            f'data-width="{width:.4f}"><title>{html.escape(tip)}</title>'
            f'<path d="M {sx:.1f} {sy:.1f} Q {cx:.1f} {cy:.1f} {bx:.1f} {by:.1f}" fill="none" '
            f'stroke="{colour}" stroke-width="{width:.2f}"{dash} class="edge-line"/>'
            f'<polygon class="arrowhead" fill="{colour}" points="{ex:.1f},{ey:.1f} '
            f'{bx + px * head_half:.1f},{by + py * head_half:.1f} '
            f'{bx - px * head_half:.1f},{by - py * head_half:.1f}"/></g>'
        )
        if _NAMED_EDGE.get(key) == i:
            # the loop's name beside the middle of its arrow, on the outside of the bend
            mx, my = 0.25 * sx + 0.5 * cx + 0.25 * ex, 0.25 * sy + 0.5 * cy + 0.25 * ey
            if key in _LABEL_AT:
                mx, my = _LABEL_AT[key][0], _LABEL_AT[key][1] + DIAGRAM_TOP
            labels.append(
                f'<text x="{mx:.0f}" y="{my + 4:.0f}" font-size="11" text-anchor="middle" fill="{colour}" '
                f'stroke="#fff" stroke-width="3" paint-order="stroke" class="edge-label" '
                f'font-weight="{"bold" if is_dominant else "normal"}">{html.escape(LOOP_LABELS[key])} '
                f'<tspan font-size="9">{key}</tspan></text>')
    for key, (x, y, label) in _NODES.items():
        y += DIAGRAM_TOP
        parts.append(
            f'<rect x="{x - NODE_HALF_W}" y="{y - NODE_HALF_H}" width="{2 * NODE_HALF_W}" '
            f'height="{2 * NODE_HALF_H}" rx="8" fill="#fafafa" stroke="#333"/>'
            f'<text x="{x}" y="{y - 4}" font-size="12" text-anchor="middle" font-weight="bold">{label}</text>'
            f'<text x="{x}" y="{y + 12}" font-size="10" text-anchor="middle" '
            f'data-testid="node-{key}">{html.escape(node_values[key])}</text>'
        )
    parts.extend(labels)  # on top of the nodes' boxes
    # the list: reinforcing loops on the left, balancing on the right, each with a bar on the
    # same scale as the arrows
    columns = {"R": 8, "B": 318}
    rows = {"R": 0, "B": 0}
    parts.append(
        f'<text x="8" y="{list_top - 8}" font-size="12" font-weight="bold" fill="{PUSH}">'
        "Reinforcing: desertion breeds desertion</text>"
        f'<text x="318" y="{list_top - 8}" font-size="12" font-weight="bold" fill="{HOLD}">'
        "Balancing: what holds soldiers back</text>")
    for lp in loops.values():
        x = columns[lp.kind]
        row_y = list_top + rows[lp.kind] * row_h + 8
        rows[lp.kind] += 1
        colour = PUSH if lp.kind == "R" else HOLD
        is_dominant = dominant is not None and lp is dominant
        if is_dominant:
            parts.append(f'<rect x="{x - 4}" y="{row_y - 13}" width="300" height="{row_h - 2}" rx="3" '
                         f'fill="{OKABE_ITO["yellow"]}" opacity="0.7"/>')
        value = (f"{lp.strength:.3f}" if lp.in_push_units
                 else f"{lp.strength:.3f}*")
        title = lp.explain + ("" if lp.in_push_units else f" (*{lp.unit}: not in push units)")
        parts.append(
            f'<text x="{x}" y="{row_y}" font-size="12" fill="{colour if lp.in_push_units else "#555"}" '
            f'font-weight="{"bold" if is_dominant else "normal"}" data-testid="loop-{lp.key}">'
            f"<title>{html.escape(title)}</title>{html.escape(lp.label)} "
            f'<tspan font-size="9">{lp.key}</tspan></text>'
            f'<text x="{x + 232}" y="{row_y}" font-size="12" text-anchor="end" '
            f'data-testid="loop-value-{lp.key}">{value}</text>'
        )
        if lp.in_push_units:
            parts.append(
                f'<rect x="{x + 238}" y="{row_y - 8}" width="{min(LIST_PX_PER_PUSH * lp.strength, 60):.1f}" '
                f'height="8" fill="{colour}"/>')
    parts.append(
        f'<text x="310" y="{height - 20}" font-size="11" text-anchor="middle" fill="#555">'
        f"Arrow widths: one scale for every loop, {EDGE_PX_PER_PUSH * 0.01:g} px per 0.01 of push "
        f"(hover an arrow for its value); bars {LIST_PX_PER_PUSH * 0.01:g} px per 0.01.</text>"
        f'<text x="310" y="{height - 5}" font-size="11" text-anchor="middle" fill="#555">'
        "Solid vermilion: reinforcing; dashed blue: balancing. *B2, B3 count other things.</text></svg>"
    )
    return "".join(parts)


# ---------------------------------------------------------------------------- #
# Hysteresis: desertion against a lever, day by day
# ---------------------------------------------------------------------------- #


def lever_history(model: MoraleModel, name: str) -> list[float]:
    """The value of lever ``name`` in force on each day 0..model.day (day 0: the start).

    A change made between two days (a slider, a lesson's intervention: recorded on day d)
    acts from day d + 1; a scenario's scheduled event of day d acts on day d itself.
    """
    changes = [c for c in model.lever_changes if c["name"] == name]
    value = float(changes[0]["old"]) if changes else float(getattr(model.params, name))
    starts: dict[int, float] = {}
    for c in changes:
        scheduled = any(name in levers for levers in model.schedule.get(c["day"], ()))
        starts[c["day"] if scheduled else c["day"] + 1] = float(c["new"])
    values = []
    for day in range(model.day + 1):
        value = starts.get(day, value)
        values.append(value)
    return values


SMOOTH_DAYS = 7


def hysteresis_points(
    desertions: list[float], present: list[float], lever: list[float], window: int = SMOOTH_DAYS
) -> list[tuple[int, float, float]]:
    """(day, lever value, desertions per 1000 soldiers per day, mean of the last ``window`` days).

    ``desertions[d]`` are day d's desertions, ``present[d]`` the soldiers present at the end of
    day d (the day's rate divides by those present at its dawn, ``present[d - 1]``), ``lever[d]``
    the lever in force on day d. Day 0 (nothing has happened yet) has no point.
    """
    daily = [1000.0 * float(desertions[d]) / max(float(present[d - 1]), 1.0)
             for d in range(1, min(len(desertions), len(present), len(lever)))]
    points = []
    for i, _rate in enumerate(daily):
        recent = daily[max(0, i + 1 - window):i + 1]
        points.append((i + 1, float(lever[i + 1]), sum(recent) / len(recent)))
    return points


def _time_colour(frac: float) -> str:
    """Early to late: sky blue, blue, black (Okabe-Ito; darker is later, also in grey)."""
    stops = [(0.0, (0x56, 0xB4, 0xE9)), (0.5, (0x00, 0x72, 0xB2)), (1.0, (0x00, 0x00, 0x00))]
    frac = min(max(frac, 0.0), 1.0)
    for (f0, c0), (f1, c1) in pairwise(stops):
        if frac <= f1:
            t = (frac - f0) / (f1 - f0)
            return "#" + "".join(f"{round(a + (b - a) * t):02X}" for a, b in zip(c0, c1, strict=True))
    return "#000000"


def hysteresis_chart(
    points: list[tuple[int, float, float]], lever_label: str, x_min: float, x_max: float, *,
    days: int, width: int = 400, height: int = 230, testid: str = "chart-hysteresis",
) -> str:
    """Desertion (y) against a lever (x): one dot per day, consecutive days joined, coloured by
    time (sky blue early, black late), so the way back after a shock shows apart from the way out.
    """
    left, right, top, bottom = 44, 12, 10, 34
    plot_w, plot_h = width - left - right, height - top - bottom
    y_top = max((y for _, _, y in points), default=0.0)
    y_top = max(y_top * 1.1, 1.0)
    span = (x_max - x_min) or 1.0

    def px(x: float) -> float:
        return left + plot_w * (x - x_min) / span

    def py(y: float) -> float:
        return top + plot_h * (1 - min(y, y_top) / y_top)

    horizon = max(days, points[-1][0] if points else 1, 1)
    gradient = "".join(
        f'<stop offset="{f:.2f}" stop-color="{_time_colour(f)}"/>' for f in (0.0, 0.25, 0.5, 0.75, 1.0))
    parts = [
        '<div class="chart-box"><div class="chart-title">Desertion against '
        f'{html.escape(lever_label)} (hysteresis)</div>'
        '<div class="chart-legend"><span>each dot a day, joined day to day;</span>'
        f'<span class="chart-key">colour: day 1 <svg width="70" height="9"><defs><linearGradient '
        f'id="{testid}-time">{gradient}</linearGradient></defs><rect width="70" height="9" '
        f'fill="url(#{testid}-time)"/></svg> day {horizon}</span></div>',
        f'<svg viewBox="0 0 {width} {height}" width="100%" class="chart" data-testid="{testid}" '
        'xmlns="http://www.w3.org/2000/svg" font-family="sans-serif">',
        f'<line x1="{left}" y1="{top + plot_h}" x2="{left + plot_w}" y2="{top + plot_h}" stroke="#999"/>',
        f'<line x1="{left}" y1="{top}" x2="{left}" y2="{top + plot_h}" stroke="#999"/>',
    ]
    for frac in (0.0, 0.5, 1.0):
        value = y_top * frac
        parts.append(f'<text x="{left - 4}" y="{py(value) + 4:.1f}" font-size="12" text-anchor="end">'
                     f"{value:.2g}</text>")
    for frac, anchor in ((0.0, "start"), (0.5, "middle"), (1.0, "end")):
        value = x_min + span * frac
        parts.append(f'<text x="{px(value):.1f}" y="{top + plot_h + 14}" font-size="12" '
                     f'text-anchor="{anchor}">{value:g}</text>')
    parts.append(
        f'<text x="{left + plot_w / 2}" y="{height - 3}" font-size="11" text-anchor="middle" fill="#444">'
        f"{html.escape(lever_label)} (x); deserters per 1000 a day, {SMOOTH_DAYS}-day mean (y)</text>")
    for (_, x0, y0), (d1, x1, y1) in pairwise(points):
        parts.append(f'<line x1="{px(x0):.1f}" y1="{py(y0):.1f}" x2="{px(x1):.1f}" y2="{py(y1):.1f}" '
                     f'stroke="{_time_colour(d1 / horizon)}" stroke-width="1.5"/>')
    for day, x, y in points:
        colour = _time_colour(day / horizon)
        parts.append(f'<circle cx="{px(x):.1f}" cy="{py(y):.1f}" r="2.4" fill="{colour}" '
                     f'class="hyst-point" data-day="{day}" data-x="{x:g}" data-y="{y:.4f}">'
                     f"<title>day {day}: {html.escape(lever_label)} {x:g}, {y:.2f} per 1000</title></circle>")
    # name the days where the lever moved, and the last day
    moved = [p for q, p in pairwise(points) if p[1] != q[1]]
    for day, x, y in moved + points[-1:]:
        parts.append(f'<text x="{px(x) + (5 if px(x) < left + plot_w - 50 else -5):.1f}" y="{py(y) - 5:.1f}" '
                     f'font-size="11" fill="#222" stroke="#fff" stroke-width="3" paint-order="stroke" '
                     f'text-anchor="{"start" if px(x) < left + plot_w - 50 else "end"}" '
                     f'class="hyst-label">day {day}</text>')
    parts.append("</svg></div>")
    return "".join(parts)


# ---------------------------------------------------------------------------- #
# The soldier inspector
# ---------------------------------------------------------------------------- #


def inspect_soldier(model: MoraleModel, row: int) -> dict:
    """Everything the inspector shows about one soldier, from the model's arrays."""
    agent = model.soldier_agents[row]
    s = model.soldier_table
    ties = model.tie_rows(row)
    ties_gone = int((s.times_deserted[ties] > 0).sum()) if ties.size else 0
    return {
        "id": agent.unique_id,
        "row": row,
        "unit": agent.unit_id,
        "posture": agent.posture_name.replace("_", " "),
        "service": agent.service_name,
        "status": agent.status_name,
        "motivation": agent.motivation,
        "fear": agent.fear,
        "grievance": agent.grievance,
        "risk_aversion": agent.risk_aversion,
        "threshold": agent.threshold,
        "ties": int(ties.size),
        "ties_deserted": ties_gone,
        "combat_days": agent.combat_days,
        "decision": agent.decision(),
    }
