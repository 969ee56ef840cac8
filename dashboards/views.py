"""What the dashboard shows, computed from a model: pure functions, no Solara.

Kept apart from the components so they can be tested without a browser and
stay cheap enough to run every frame (everything here is array work).
"""

from __future__ import annotations

import html
from dataclasses import dataclass

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
        bands.append({"y": y + 12, "label": f"{POSTURE_LABELS[posture]} ({members.size} units)"})
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

    ``marks`` are vertical lines at lever changes ({day, label}); their labels are set on
    staggered rows inside the plot (``mark_label_rows``) so that they never overlap each other,
    and the legend sits above the plot, apart from them. The title and legend are HTML, so
    their size on the page does not shrink with the chart.
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
        f'<div class="chart-box"><div class="chart-title">{html.escape(title)}</div>'
        f'<div class="chart-legend">{legend}</div>',
        f'<svg viewBox="0 0 {width} {height}" width="100%" class="chart" '
        f'data-testid="{testid}" xmlns="http://www.w3.org/2000/svg" font-family="sans-serif">',
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
    placed = mark_label_rows([(px(m["day"]), m["label"]) for m in marks or []],
                             left=left, right=left + plot_w, rows=max(int(plot_h // MARK_ROW) - 1, 1))
    for mark, (x_text, anchor, row) in zip(marks or [], placed, strict=True):
        x = px(mark["day"])
        parts.append(
            f'<line x1="{x:.1f}" y1="{top}" x2="{x:.1f}" y2="{top + plot_h}" stroke="#444" '
            f'stroke-dasharray="3,3" class="lever-mark" data-day="{mark["day"]}"/>'
            f'<text x="{x_text:.1f}" y="{top + MARK_ROW * (row + 1) - 2}" font-size="{MARK_FONT}" '
            f'fill="#222" text-anchor="{anchor}" stroke="#fff" stroke-width="3" paint-order="stroke" '
            f'class="lever-mark-label">{html.escape(mark["label"])}</text>'
        )
    parts.append("</svg></div>")
    return "".join(parts)


MARK_FONT = 10  # lever-change labels on the charts (SVG units)
MARK_ROW = 12  # their row height


def mark_label_rows(
    marks: list[tuple[float, str]], *, left: float, right: float, rows: int
) -> list[tuple[float, str, int]]:
    """Where each lever-change label goes: (x, text-anchor, row), rows counted from the top.

    A label starts just right of its line, or ends just left of it where it would pass the
    plot's right edge. Labels are taken in order of day, each on the first row where it does
    not overlap a label already placed (widths estimated from the number of characters); when
    every row is taken, on the row where it overlaps least.
    """
    taken: list[list[tuple[float, float]]] = [[] for _ in range(rows)]
    placed: list[tuple[float, str, int] | None] = [None] * len(marks)
    for i in sorted(range(len(marks)), key=lambda k: marks[k][0]):
        x, text = marks[i]
        w = 0.58 * MARK_FONT * len(text) + 2
        if x + 3 + w <= right:
            span, x_text, anchor = (x + 1, x + 3 + w), x + 3, "start"
        else:
            span, x_text, anchor = (x - 3 - w, x - 1), x - 3, "end"
        span = (max(span[0], left - 40), span[1])

        def overlap(row: int, span=span) -> float:
            return sum(max(0.0, min(b, span[1]) - max(a, span[0]) + 4) for a, b in taken[row])

        row = next((r for r in range(rows) if overlap(r) == 0), None)
        if row is None:
            row = min(range(rows), key=overlap)
        taken[row].append(span)
        placed[i] = (x_text, anchor, row)
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


@dataclass
class Loop:
    key: str
    name: str
    kind: str  # "R" reinforcing, "B" balancing
    strength: float  # today's push (R) or pull (B), in push units
    explain: str


def loop_strengths(model: MoraleModel) -> list[Loop]:
    """How hard each feedback loop pushes (R) or holds (B) today, in units of the push to leave.

    Each figure is the mean, over soldiers present, of the part of today's decision
    that the loop supplies, so they can be compared with each other.
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
    police_stretched = (p.deterrence_weight * p.penalty_severity * mean(s.risk_aversion[here])
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
             "replacements this week per soldier present: refill understrength units"),
        Loop("B3", "rotation", "B", relieved, "share of the front relieved in the last week"),
        Loop("B4", "propaganda", "B", mean(p.weight_motivation * s.propaganda_lift[here]),
             "a short, fading lift of motivation"),
    ]


# Node positions of the causal-loop diagram (an SVG 620 x 500; the loop list below y = 430)
_NODES = {
    "norm": (100, 45, "Desertion norm"),
    "peers": (310, 45, "Ties gone"),
    "cohesion": (520, 45, "Cohesion"),
    "deterrence": (95, 140, "Deterrence"),
    "understrength": (525, 140, "Understrength"),
    "desertion": (310, 215, "Desertion"),
    "punishment": (62, 300, "Punishment"),
    "police": (205, 290, "Police stretched"),
    "fear": (550, 290, "Fear"),
    "grievance": (190, 385, "Grievance"),
    "supply": (440, 385, "Supply strain"),
}
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


def loop_diagram(model: MoraleModel) -> str:
    """The morale cycle as a causal-loop diagram whose arrows and badges carry live values."""
    loops = {lp.key: lp for lp in loop_strengths(model)}
    reinforcing = [lp for lp in loops.values() if lp.kind == "R"]
    driver = max(reinforcing, key=lambda lp: lp.strength)
    strongest = {
        kind: max(max(lp.strength for lp in loops.values() if lp.kind == kind), 1e-6)
        for kind in ("R", "B")
    }
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
    parts = [
        '<svg viewBox="0 0 620 500" width="100%" data-testid="loop-diagram" '
        'xmlns="http://www.w3.org/2000/svg" font-family="sans-serif">',
        '<defs><marker id="arrow" viewBox="0 0 10 10" refX="9" refY="5" markerWidth="9" '
        'markerHeight="9" markerUnits="userSpaceOnUse" orient="auto-start-reverse">'
        '<path d="M 0 0 L 10 5 L 0 10 z" fill="#555"/></marker></defs>',
        '<text x="310" y="494" font-size="10" text-anchor="middle" fill="#666">arrow width: '
        "strength relative to the strongest loop of its kind (solid vermilion: reinforcing; "
        "dashed blue: balancing)"
        "</text>",
    ]
    for src, dst, key in _EDGES:
        (x0, y0, _), (x1, y1, _) = _NODES[src], _NODES[dst]
        lp = loops[key]
        colour = PUSH if lp.kind == "R" else HOLD
        dash = "" if lp.kind == "R" else ' stroke-dasharray="8,4"'
        widthpx = 1 + 6 * lp.strength / strongest[lp.kind]
        # shorten the arrow so it ends at the node's edge; bend it a little
        dx, dy = x1 - x0, y1 - y0
        length = max((dx * dx + dy * dy) ** 0.5, 1)
        sx, sy = x0 + dx * 38 / length, y0 + dy * 22 / length
        ex, ey = x1 - dx * 44 / length, y1 - dy * 24 / length
        cx, cy = (sx + ex) / 2 - dy * 0.12, (sy + ey) / 2 + dx * 0.12
        parts.append(
            f'<path d="M {sx:.0f} {sy:.0f} Q {cx:.0f} {cy:.0f} {ex:.0f} {ey:.0f}" fill="none" '
            f'stroke="{colour}" stroke-width="{widthpx:.1f}"{dash} opacity="0.85" marker-end="url(#arrow)">'
            f"<title>{key} {lp.name}: {lp.strength:.3f}</title></path>"
        )
    for key, (x, y, label) in _NODES.items():
        parts.append(
            f'<rect x="{x - 62}" y="{y - 20}" width="124" height="40" rx="8" fill="#fafafa" '
            f'stroke="#333"/><text x="{x}" y="{y - 4}" font-size="12" text-anchor="middle" '
            f'font-weight="bold">{label}</text><text x="{x}" y="{y + 12}" font-size="10" '
            f'text-anchor="middle" data-testid="node-{key}">{html.escape(node_values[key])}</text>'
        )
    y = 432
    for i, lp in enumerate(loops.values()):
        x = 8 + (i % 4) * 153
        row_y = y + (i // 4) * 22
        colour = PUSH if lp.kind == "R" else HOLD
        weight = "bold" if lp is driver and lp.strength > 0 else "normal"
        parts.append(
            f'<text x="{x}" y="{row_y}" font-size="11" fill="{colour}" font-weight="{weight}" '
            f'data-testid="loop-{lp.key}"><title>{html.escape(lp.explain)}</title>'
            f"{lp.key} {lp.name} {lp.strength:.3f}</text>"
        )
    parts.append(
        f'<text x="310" y="20" font-size="12" text-anchor="middle" data-testid="loop-driver">'
        f"Strongest reinforcing loop now: {driver.key} {driver.name}</text></svg>"
    )
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
