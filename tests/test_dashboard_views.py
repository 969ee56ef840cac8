"""The dashboard's pure functions (no browser): the cycle diagram's scale, hysteresis, links."""

from __future__ import annotations

import re

import pytest

from dashboards import links, views
from model.model import MoraleModel
from model.parameters import specs

LIVE = [s["name"] for s in specs() if s["group"] != "army"]


def test_lever_history_scheduled_events_act_on_their_day_and_slider_moves_the_next():
    model = MoraleModel(rng=1, n_units=2, unit_size=20,
                        events=[{"day": 3, "levers": {"combat_intensity": 1.0}}])
    model.run(4)
    model.set_lever("combat_intensity", 0.2)  # between day 4 and day 5
    model.run(2)
    assert views.lever_history(model, "combat_intensity") == [0.5, 0.5, 0.5, 1.0, 1.0, 0.2, 0.2]
    assert views.lever_history(model, "enforcement") == [model.params.enforcement] * 7


def test_hysteresis_points_are_a_weekly_mean_rate_per_1000_against_the_lever():
    desertions = [0, 10, 0, 5]
    present = [1000, 500, 500, 500]
    lever = [0.5, 0.5, 1.0, 1.0]
    points = views.hysteresis_points(desertions, present, lever, window=2)
    assert points == [(1, 0.5, 10.0), (2, 1.0, 5.0), (3, 1.0, 5.0)]  # 10 per 1000; (10+0)/2; (0+10)/2


def test_time_colours_go_from_light_to_dark():
    light = [sum(int(views._time_colour(f)[i:i + 2], 16) for i in (1, 3, 5)) for f in (0, 0.3, 0.6, 1)]
    assert light == sorted(light, reverse=True)


def test_edge_width_is_one_scale_with_a_visible_minimum():
    assert views.edge_width(0.2) == pytest.approx(2 * views.edge_width(0.1))
    assert views.edge_width(0.0) == views.EDGE_MIN_PX
    assert views.edge_width(1.0) == views.EDGE_MAX_PX


def test_loop_balance_leaves_out_loops_not_in_push_units():
    loops = [views.Loop("R1", "contagion", "R", 0.01, ""), views.Loop("R5", "police", "R", 0.04, ""),
             views.Loop("B1", "deterrence", "B", 0.03, ""),
             views.Loop("B2", "reinforcement", "B", 0.5, "", unit="replacements")]
    balance = views.loop_balance(loops)
    assert balance.reinforcing == pytest.approx(0.05) and balance.balancing == pytest.approx(0.03)
    assert balance.dominant.key == "R5"
    assert views.loop_balance([views.Loop("R1", "c", "R", 0.0, "")]).dominant is None
    held = [views.Loop("R1", "contagion", "R", 0.01, ""), views.Loop("B1", "deterrence", "B", 0.06, "")]
    assert views.loop_balance(held).dominant.key == "B1"  # a balancing loop can be the strongest


def test_loop_diagram_draws_each_edge_with_its_loops_width_and_an_arrowhead():
    model = MoraleModel(rng=42, n_units=4, unit_size=50, combat_intensity=0.9)
    model.run(60)
    svg = views.loop_diagram(model)
    strengths = {lp.key: lp.strength for lp in views.loop_strengths(model)}
    edges = re.findall(r'<g class="edge" data-loop="(\w+)".*?stroke-width="([\d.]+)".*?</g>', svg)
    assert len(edges) == len(views._EDGES)
    assert svg.count('class="arrowhead"') == len(views._EDGES)
    for key, width in edges:
        assert float(width) == pytest.approx(views.edge_width(strengths[key]), abs=0.01), key
    dominant = views.loop_balance(views.loop_strengths(model)).dominant
    assert f'data-loop="{dominant.key}">Strongest loop now: {dominant.label}' in svg


def test_a_link_round_trips():
    link = links.RunLink(scenario="offensive", seed=7, day=120, start={"supply_level": 0.6},
                         changes=[(30, "enforcement", 0.45), (31, "rotation_days", 30)])
    decoded, ignored = links.decode(links.encode(link), scenarios=["offensive"], lessons=[], live_names=LIVE)
    assert decoded == link and ignored == []


@pytest.mark.parametrize("query, bad", [
    ("seed=abc", "seed='abc'"), ("day=-3", "day='-3'"), ("day=99999", "day='99999'"),
    ("scenario=nope", "scenario='nope'"), ("lesson=nope", "lesson='nope'"),
    ("ch=5:nope:1", "change '5:nope:1'"), ("ch=x:enforcement:1", "change 'x:enforcement:1'"),
    ("ch=5:enforcement:7", "change '5:enforcement:7'"), ("set=enforcement:abc", "set 'enforcement:abc'"),
    ("set=rotation_days:2.5", "set 'rotation_days:2.5'"), ("seed=1&color=red", "unknown field 'color'"),
    ("lesson=hysteresis&pred=7", "pred='7'"), ("scenario=offensive&pred=B", "pred='B'"),
])
def test_bad_link_values_are_ignored_and_named(query, bad):
    link, ignored = links.decode(query, scenarios=["offensive"], lessons=["hysteresis"], live_names=LIVE)
    assert link is not None and any(bad in item for item in ignored), ignored


def test_a_lessons_link_keeps_the_locked_in_prediction_only():
    link = links.RunLink(lesson="hysteresis", seed=42, day=120, prediction=2)
    assert "pred=B" in links.encode(link)
    decoded, ignored = links.decode(links.encode(link), scenarios=[], lessons=["hysteresis"], live_names=LIVE)
    assert decoded == link and ignored == []
    assert links.decode("lesson=hysteresis&day=120", scenarios=[], lessons=["hysteresis"],
                        live_names=LIVE)[0].prediction is None  # no prediction: the page asks for one
    assert "pred" not in links.encode(links.RunLink(scenario="offensive", prediction=2))


def test_a_query_without_a_run_is_no_link():
    assert links.decode("", scenarios=[], lessons=[], live_names=LIVE) == (None, [])
    assert links.decode("utm_source=x", scenarios=[], lessons=[], live_names=LIVE) == (None, [])


def test_unit_map_is_plain_json():
    """What the map sends to the browser is plain JSON: a numpy number in it made Solara log
    'Invalid JSON, will try a with a more forgiving json encoder' on every rendered day."""
    import dataclasses
    import json

    model = MoraleModel(rng=3, n_units=5, unit_size=20)
    model.run(3)
    json.dumps(dataclasses.asdict(views.unit_map(model)))  # raises TypeError on a numpy value


def test_lever_mark_labels_take_rows_of_their_own_and_stay_inside_the_chart():
    labels = ["Intensity of fighting 0.5→0.55", "Supply budget 0.7→0.75", "Hunt for deserters 0.4→0.45",
              "Propaganda campaign 0.2→0.25", "Days at the front before relief 0→30",
              "Officers' skill 0.5→0.6"]
    marks = [(0.11, labels[0]), (0.11, labels[1]), (0.12, labels[2]), (0.5, labels[3]), (0.97, labels[4]),
             (0.97, labels[5])]
    placed = views.mark_label_rows(marks)
    spans = []
    for (x, text), (px, anchor, row) in zip(marks, placed, strict=True):
        assert px == x and 0 <= anchor <= 1
        w = (views.MARK_CHAR_EM * views.MARK_PX * len(text) + views.MARK_PAD_PX) / views.MIN_CHART_PX
        span = (x - anchor * w, x + (1 - anchor) * w)
        if w <= 1:
            assert span[0] >= -1e-9 and span[1] <= 1 + 1e-9, (text, span)
        spans.append((row, span))
    for i, (row, (a, b)) in enumerate(spans):
        for other_row, (c, d) in spans[i + 1:]:
            assert row != other_row or b <= c or d <= a
    assert placed[5][1] == 1.0  # near the right edge a label ends at its line
    html = views.line_chart("t", [("a", "#000", [0.1, 0.2])], marks=[{"day": 1, "label": "A 0→1"}],
                            testid="c")
    assert 'class="lever-mark-label">A 0→1</span>' in html and "font-size:14px" in html


def test_the_server_counts_the_armies_alive_in_it():
    """What benchmarks/class_load.py reads (through MORALE_MEMORY_LOG) to tell a closed tab's
    session kept alive from memory the process merely keeps."""
    import gc

    from dashboards.server import live_armies

    gc.collect()
    before = live_armies()
    army = MoraleModel(rng=0, n_units=2, unit_size=10)
    assert live_armies() == before + 1
    del army
    gc.collect()
    assert live_armies() == before


def test_the_server_holds_glibcs_allocator_to_two_arenas_and_fixed_thresholds(monkeypatch):
    """What kept a class's memory from piling up (docs/dashboard.md, "Under a class's load");
    a value the user set in the environment wins."""
    from dashboards.server import MALLOC_THRESHOLD, environment

    for variable in ("MALLOC_ARENA_MAX", "MALLOC_MMAP_THRESHOLD_", "MALLOC_TRIM_THRESHOLD_"):
        monkeypatch.delenv(variable, raising=False)
    env = environment("baseline")
    assert env["MALLOC_ARENA_MAX"] == "2"
    assert env["MALLOC_MMAP_THRESHOLD_"] == env["MALLOC_TRIM_THRESHOLD_"] == MALLOC_THRESHOLD
    monkeypatch.setenv("MALLOC_ARENA_MAX", "4")
    assert environment("baseline")["MALLOC_ARENA_MAX"] == "4"
