"""MoraleModel as a Mesa model: agents, reproducibility, invariants, live levers."""

from __future__ import annotations

import cProfile
import pstats

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from agents import Officer, Soldier, Unit
from model.model import MoraleModel
from model.parameters import LEVERS, ParameterError, spec
from model.state import Posture, Status

STATE_COLUMNS = ("motivation", "fear", "grievance", "risk_aversion", "threshold")


def test_soldiers_and_officers_are_registered_mesa_agents(small_model):
    m = small_model
    soldiers = m.agents_by_type[Soldier]
    officers = m.agents_by_type[Officer]
    assert len(soldiers) == 6 * 40 and len(officers) == 6
    assert len({a.unique_id for a in m.agents}) == len(m.agents)
    # agents read their row of the model's arrays
    soldier = m.soldier_agents[5]
    m.soldier_table.fear[5] = 0.77
    assert soldier.fear == pytest.approx(0.77)
    # Mesa's AgentSet tools work on them
    assert m.agents.select(agent_type=Soldier).agg("fear", np.mean) == pytest.approx(
        m.soldier_table.fear.mean()
    )
    by_unit = soldiers.groupby("unit_id").count()
    assert by_unit == dict.fromkeys(range(6), 40)
    assert len(soldiers.select(lambda a: a.service_name == "conscript")) == int(
        (m.soldier_table.service == 1).sum()
    )


def test_units_are_explicit(small_model):
    unit = small_model.units[0]
    assert isinstance(unit, Unit)
    assert unit.posture in tuple(Posture)
    assert unit.present == unit.authorised == 40
    assert len(unit.officers) == 1 and len(unit.members) == 40
    graph = unit.tie_network()
    assert graph.number_of_nodes() == 40
    # squad mates are tied: a squad of 10 is a clique
    squad = [s for s in unit.members if s.squad == unit.members[0].squad]
    assert all(graph.has_edge(a, b) for a in squad for b in squad if a is not b)


def test_datacollector_agent_reporters_work():
    import mesa

    m = MoraleModel(rng=1, n_units=3, unit_size=20)
    dc = mesa.DataCollector(agenttype_reporters={Soldier: {"fear": "fear", "status": "status"}})
    dc.collect(m)
    m.step()
    dc.collect(m)
    frame = dc.get_agenttype_vars_dataframe(Soldier)
    assert len(frame) >= 2 * 60
    last = frame.xs(frame.index.get_level_values(0).max(), level=0)
    assert last["fear"].to_numpy() == pytest.approx(m.soldier_table.fear[: len(last)])


def test_starting_traits_follow_their_parameters():
    """start_fear, start_grievance, trait_concentration, risk_aversion_concentration and
    officer_trait_spread are read."""
    shape = dict(n_units=20, unit_size=50, officers_per_unit=2)
    default = MoraleModel(rng=3, **shape)
    changed = MoraleModel(rng=3, start_fear=0.4, start_grievance=0.3, trait_concentration=200,
                          risk_aversion_concentration=200, officer_trait_spread=0.0, **shape)
    s0, s1 = default.soldier_table, changed.soldier_table
    assert s0.fear.mean() == pytest.approx(0.1, abs=0.02)
    assert s1.fear.mean() == pytest.approx(0.4, abs=0.02)
    assert s1.grievance.mean() == pytest.approx(0.3, abs=0.02)
    # more concentrated Beta draws: soldiers of one kind are more alike
    assert s1.risk_aversion.std() < 0.5 * s0.risk_aversion.std()
    assert s1.grievance.std() < 0.5 * s0.grievance.std()
    # risk aversion is uniform on 0..1 by default (Epstein 2002): standard deviation 1/sqrt(12)
    assert s0.risk_aversion.std() == pytest.approx(12 ** -0.5, abs=0.02)
    assert default.officer_table.competence_offset.std() == pytest.approx(0.15, abs=0.05)
    assert not changed.officer_table.competence_offset.any()
    assert not changed.officer_table.harshness_offset.any()


@pytest.mark.parametrize("front_days", [2, 60, 240])
def test_frontline_soldiers_start_having_fought_up_to_front_days_at_start(front_days):
    model = MoraleModel(rng=4, front_days_at_start=front_days, dread_days=5)
    s, u = model.soldier_table, model.unit_table
    front = u.posture[s.unit] == Posture.FRONTLINE
    days = s.combat_days[front]
    assert days.min() >= 6 and days.max() <= 5 + front_days - 1
    assert days.max() >= 5 + 0.9 * (front_days - 1)  # the whole range is drawn, not a corner of it
    assert not s.combat_days[~front].any()  # the second line and reserve have not been fighting


def test_same_seed_same_run_and_different_seed_different_run():
    a = MoraleModel(rng=11, n_units=8, unit_size=50)
    b = MoraleModel(rng=11, n_units=8, unit_size=50)
    c = MoraleModel(rng=12, n_units=8, unit_size=50)
    for m in (a, b, c):
        m.run(60)
    pd.testing.assert_frame_equal(a.timeseries(), b.timeseries())
    pd.testing.assert_frame_equal(a.cascades.table(), b.cascades.table())
    assert not a.timeseries().equals(c.timeseries())


def check_invariants(model: MoraleModel) -> None:
    s = model.soldier_table
    counts = np.bincount(s.status, minlength=len(Status))
    assert counts.sum() == s.n  # every soldier ever assigned has exactly one status
    assert set(np.unique(s.status)) <= {int(x) for x in Status}
    for name in STATE_COLUMNS:
        values = getattr(s, name)
        assert np.isfinite(values).all(), name
        assert ((values >= 0) & (values <= 1)).all(), name
    assert (model.unit_table.supply >= 0).all() and (model.unit_table.supply <= 1).all()
    metrics = model.metrics
    assert all(np.isfinite(v) for v in metrics.values())
    assert metrics["present"] + metrics["wounded_now"] + metrics["at_large"] + metrics[
        "in_prison"
    ] + int(counts[Status.KILLED]) == metrics["soldiers_ever"]
    assert metrics["killed_cumulative"] == counts[Status.KILLED]
    for rate in ("desertion_rate", "desertion_rate_frontline", "desertion_rate_rear",
                 "combat_effectiveness"):
        assert 0 <= metrics[rate] <= 1, rate


def test_counts_add_up_every_day_at_defaults():
    m = MoraleModel(rng=3)
    for _ in range(120):
        m.step()
        check_invariants(m)
    ts = m.timeseries()
    assert len(ts) == 121 and ts["day"].tolist() == list(range(121))
    assert ts["deserted_cumulative"].is_monotonic_increasing
    assert ts["soldiers_ever"].is_monotonic_increasing


lever_values = st.fixed_dictionaries(
    {name: st.floats(0, 1) for name in LEVERS if spec(name)["units"] == "0..1"}
)


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    levers=lever_values,
    rotation=st.integers(0, 40),
    seed=st.integers(0, 2**31),
    shape=st.tuples(st.integers(1, 8), st.integers(4, 60), st.integers(2, 12), st.integers(0, 4)),
)
def test_invariants_hold_for_any_levers(levers, rotation, seed, shape):
    n_units, unit_size, squad_size, cross_ties = shape
    m = MoraleModel(
        rng=seed, n_units=n_units, unit_size=unit_size, squad_size=squad_size,
        cross_ties=cross_ties, rotation_days=rotation, **levers,
    )
    for day in range(40):
        if day == 20:  # pull every lever the other way mid-run
            m.set_levers(**{k: 1.0 - v for k, v in levers.items()})
        m.step()
        check_invariants(m)


def test_lever_change_takes_effect_next_day_and_is_recorded():
    m = MoraleModel(rng=5, n_units=4, unit_size=50, combat_intensity=0.0)
    m.run(10)
    assert m.metrics["killed_cumulative"] == 0 and m.counts["wounded"] == 0
    m.set_lever("combat_intensity", 1.0)
    assert m.lever_changes == [{"day": 10, "name": "combat_intensity", "old": 0.0, "new": 1.0}]
    m.run(30)
    assert m.counts["killed"] + m.counts["wounded"] > 0


def test_bad_lever_changes_are_refused_and_change_nothing():
    m = MoraleModel(rng=5, n_units=2, unit_size=20)
    before = m.params
    with pytest.raises(ParameterError, match="penalty_severity"):
        m.set_lever("penalty_severity", 2.0)
    with pytest.raises(ParameterError, match="applies on reset"):
        m.set_lever("n_units", 40)
    with pytest.raises(ParameterError, match="unknown parameter"):
        m.set_lever("courage", 1.0)
    assert m.params == before and m.lever_changes == []


def test_constructor_rejects_bad_parameters_before_building():
    with pytest.raises(ParameterError, match="unit_size"):
        MoraleModel(rng=1, unit_size=-3)


def _calls_per_step(n_units: int) -> int:
    m = MoraleModel(rng=2, n_units=n_units, unit_size=100, reinforcement_rate=0.0)
    m.run(3)
    profiler = cProfile.Profile()
    profiler.enable()
    m.run(5)
    profiler.disable()
    return pstats.Stats(profiler).total_calls


def test_step_does_not_loop_over_soldiers_in_python():
    """Ten times the soldiers must not mean more Python calls: the step is array work."""
    small, large = _calls_per_step(5), _calls_per_step(50)
    assert large < 1.3 * small, (small, large)


def test_decision_breakdown_explains_who_left_and_who_stayed():
    """The inspector's terms (Python) agree with the compiled decision: today's deserters had a
    positive margin, those who stayed did not, and the push is the one the pass computed."""
    m = MoraleModel(rng=4, combat_intensity=0.8)
    m.run(30)
    while m.today["deserted"] == 0 and m.day < 200:  # stop on a day when some left
        m.step()
    s = m.soldier_table
    left = np.flatnonzero(s.deserted_day == m.day)
    stayed = np.flatnonzero(m.present_mask())[:50]
    assert left.size and stayed.size
    for row in [*left[:20], *stayed]:
        d = m.soldier_agents[row].decision()
        assert d["push"] == pytest.approx(s.push[row], abs=1e-5)
        assert (d["margin"] > 0) == (row in left), (row, d)


def test_compiled_day_equals_the_rules_applied_in_python():
    """The compiled passes of model/passes.py do what their Python source says, soldier by soldier."""
    from model import passes

    harsh = dict(n_units=6, unit_size=40, combat_intensity=1.0, supply_level=0.3,
                 threshold_mean=0.55)  # so that some desert
    compiled, interpreted = MoraleModel(rng=11, **harsh), MoraleModel(rng=11, **harsh)
    compiled.run(20)
    interpreted.run(20)
    original = (passes.morale_pass, passes.decision_pass)
    passes.morale_pass, passes.decision_pass = (f.py_func for f in original)
    try:
        interpreted.run(10)
    finally:
        passes.morale_pass, passes.decision_pass = original
    compiled.run(10)
    assert compiled.metrics["desertions_cumulative"] > 0
    for column in ("fear", "grievance", "motivation", "peer_signal", "propaganda_lift", "push", "deterrence"):
        np.testing.assert_allclose(getattr(compiled.soldier_table, column),
                                   getattr(interpreted.soldier_table, column),
                                   rtol=1e-6, atol=1e-6, err_msg=column)
    np.testing.assert_array_equal(compiled.soldier_table.status, interpreted.soldier_table.status)
