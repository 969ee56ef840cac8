"""MoraleModel: an army of units under officers, one simulated day per step."""

from __future__ import annotations

from collections.abc import Iterable
from functools import partial
from typing import Any

import mesa
import numpy as np

from agents import Officer, Soldier, Unit
from model import passes
from model import processes as proc
from model.cascades import CascadeTracker
from model.events import Event, by_day, parse_events
from model.metrics import METRICS, daily_metrics
from model.parameters import ARMY, ParameterError, Parameters, validate
from model.state import (
    OfficerStatus,
    OfficerTable,
    Posture,
    Service,
    SoldierTable,
    Status,
    UnitTable,
    is_present,
)
from model.ties import Ties


def _read_metric(model: MoraleModel, name: str) -> float:
    return model.metrics[name]


class MoraleModel(mesa.Model):
    """Soldiers' motivation, fear and grievance turning into desertion cascades.

    Build it with keyword arguments only, so SolaraViz's Reset and
    ``mesa.batch_run`` can call it unchanged::

        MoraleModel(rng=42)                                  # baseline defaults
        MoraleModel(rng=42, penalty_severity=0.9)            # override any parameter
        MoraleModel(rng=42, params=Parameters(...), n_units=40)
        MoraleModel(rng=42, events=[{"day": 60, "levers": {"combat_intensity": 1.0}}])

    Every parameter is validated against the single definition in
    ``model.parameters``; a bad one raises ``ParameterError`` with one line
    naming the field, the value and the allowed range. ``events`` are scheduled
    lever changes (a scenario's ``[[events]]``, ``model.events``); a bad one
    raises ``EventError``, likewise in one line.
    """

    def __init__(
        self,
        *,
        rng: Any = None,
        params: Parameters | dict[str, Any] | None = None,
        events: Iterable[Event | dict[str, Any]] | None = None,
        **overrides: Any,
    ):
        base = params.model_dump() if isinstance(params, Parameters) else dict(params or {})
        checked = validate({**base, **overrides})  # before anything is built
        self.events = parse_events(events, checked)
        super().__init__(rng=rng)
        self.params: Parameters = checked
        self.kernel_params = proc.kernel_parameters(checked)  # what the compiled rules read
        self.lever_changes: list[dict[str, Any]] = []
        self.schedule = by_day(self.events)
        self._build_army()
        self.metrics: dict[str, float] = {}
        self.datacollector = mesa.DataCollector(
            model_reporters={name: partial(_read_metric, name=name) for name in METRICS}
        )
        self._collect()

    # ------------------------------------------------------------------ #
    # Building the army
    # ------------------------------------------------------------------ #

    def _build_army(self) -> None:
        p = self.params
        rng = self.rng
        n_units = p.n_units
        squads_per_unit = -(-p.unit_size // p.squad_size)

        # Units: the first ones hold the front, then the second line, then the reserve.
        n_front = round(p.frontline_share * n_units)
        n_second = min(round(p.second_line_share * n_units), n_units - n_front)
        posture = np.full(n_units, Posture.RESERVE, dtype=np.int8)
        posture[:n_front] = Posture.FRONTLINE
        posture[n_front : n_front + n_second] = Posture.SECOND_LINE
        self.unit_table = UnitTable(n_units)
        self.unit_table.append(
            n_units,
            posture=posture,
            authorised=p.unit_size,
            first_squad=np.arange(n_units) * squads_per_unit,
            n_squads=squads_per_unit,
            supply=p.supply_level,
            cohesion=p.cohesion_start,
            desertion_norm=0.0,
        )
        self.units = [Unit(self, u) for u in range(n_units)]

        # Squads: unit_size soldiers split into squads of squad_size (the last may be smaller).
        slot = np.arange(p.unit_size)
        self.squad_unit = np.repeat(np.arange(n_units), squads_per_unit)
        per_unit_capacity = np.bincount(slot // p.squad_size, minlength=squads_per_unit)
        self.squad_capacity = np.tile(per_unit_capacity, n_units)

        # Soldiers
        self.soldier_table = SoldierTable(n_units * p.unit_size)
        self._present = None  # cache of present_mask()
        self.yesterday_deserters = np.empty(0, dtype=np.int64)  # their ties count them today
        self.yesterday_caught = np.empty(0, dtype=np.int64)  # no longer gone, from today
        self.brought_back = np.zeros(n_units)  # today's caught, as they still weighed in the norm
        self.ties = Ties(n_units * p.unit_size)
        self.soldier_agents: list[Soldier] = []
        self.cascades = CascadeTracker()
        squads = (np.arange(n_units)[:, None] * squads_per_unit + slot[None, :] // p.squad_size)
        rows = self._enlist(squads.ravel(), p.conscript_share, day=0)
        # The war is under way: frontline soldiers have already fought a while (front_days_at_start).
        front = posture[self.soldier_table.unit[rows]] == Posture.FRONTLINE
        self.soldier_table.combat_days[rows[front]] = rng.integers(
            p.dread_days + 1, p.dread_days + p.front_days_at_start, size=int(front.sum())
        )

        # Officers
        self.officer_table = OfficerTable(n_units * p.officers_per_unit)
        self.officer_agents: list[Officer] = []
        self._appoint_officers(np.repeat(np.arange(n_units), p.officers_per_unit), day=0)

        # Army-level state
        self.medical = p.medical_care  # medical care that has reached the units
        self.habituation = 0.0  # soldiers' habituation to the propaganda campaign
        self.counts = dict.fromkeys(
            ("killed", "wounded", "caught", "imprisoned", "returned", "desertions",
             "reinforcements", "officers_killed", "close_calls", "home_news"),
            0,
        )
        self.today = dict.fromkeys(("hit", "deserted", "caught"), 0)
        self.unit_backlash = np.zeros(n_units)  # set each day once punishment salience has faded
        self._refresh_unit_state()
        # Soldiers start believing what the police can do with nobody at large.
        unstretched = proc.arrest_probability(
            p, proc.police_strength(p, float(self.unit_table.authorised.sum())), 0
        )
        self.certainty_belief = proc.caught_before_escape(p, proc.capture_chance(p, unstretched))
        self.assess_enforcement(day=0)
        self.decision_cohesion = self.unit_table.cohesion.copy()  # what today's decisions read
        self.decision_norm = self.unit_table.desertion_norm.copy()
        self._mark_service()

    def _enlist(self, squads: np.ndarray, conscript_share: float, day: int) -> np.ndarray:
        """Add soldiers to the given squads (one per entry); return their rows."""
        p, rng = self.params, self.rng
        k = squads.size
        if k == 0:
            return np.empty(0, dtype=np.int64)
        service = np.where(rng.random(k) < conscript_share, Service.CONSCRIPT, Service.CONTRACT)
        mean_motivation = np.where(
            service == Service.CONSCRIPT, p.conscript_motivation, p.contract_motivation
        )
        self._present = None  # newcomers are present
        motivation = proc.draw_beta(rng, mean_motivation, k, p.trait_concentration)
        rows = self.soldier_table.append(
            k,
            unit=self.squad_unit[squads],
            squad=squads,
            service=service,
            status=Status.SERVING,
            motivation=motivation,
            commitment=motivation,
            fear=proc.draw_beta(rng, p.start_fear, k, p.trait_concentration),
            grievance=proc.draw_beta(rng, p.start_grievance, k, p.trait_concentration),
            risk_aversion=proc.draw_beta(rng, p.risk_aversion_mean, k, p.risk_aversion_concentration),
            threshold=np.clip(rng.normal(p.threshold_mean, p.threshold_spread, k), 0.0, 1.0),
            peer_threshold=np.clip(
                rng.normal(p.peer_threshold_mean, p.peer_threshold_spread, k), 0.01, 1.0
            ),
            joined_day=day,
        )
        self._tie_newcomers(rows)
        # Mesa agents are built one by one (Mesa's API); this runs over newcomers only.
        self.soldier_agents.extend(Soldier(self, row) for row in rows)
        return rows

    def _tie_newcomers(self, rows: np.ndarray) -> None:
        """Give each newcomer ``cross_ties`` ties to random comrades present in his unit."""
        k = self.params.cross_ties
        s = self.soldier_table
        if k == 0 or rows.size == 0:
            self.ties.add(rows[:0], rows[:0], s.n)
            return
        # Candidates: soldiers present in the units that receive newcomers (sorting only those)
        receiving = np.zeros(self.params.n_units, dtype=bool)
        receiving[s.unit[rows]] = True
        by_unit, starts, counts = passes.present_by_unit(
            self.present_mask(), s.unit, receiving, self.params.n_units
        )
        src = np.repeat(rows, k)
        unit = s.unit[src]
        has = counts[unit] > 1
        src, unit = src[has], unit[has]
        dst = by_unit[starts[unit] + (self.rng.random(src.size) * counts[unit]).astype(np.int64)]
        keep = dst != src
        self.ties.add(src[keep], dst[keep], s.n)

    def _appoint_officers(self, units: np.ndarray, day: int) -> None:
        k = units.size
        if k == 0:
            return
        rows = self.officer_table.append(
            k,
            unit=units,
            competence_offset=self.rng.normal(0.0, self.params.officer_trait_spread, k),
            harshness_offset=self.rng.normal(0.0, self.params.officer_trait_spread, k),
            appointed_day=day,
        )
        self.officer_agents.extend(Officer(self, row) for row in rows)

    # ------------------------------------------------------------------ #
    # Views used by the processes, metrics, agents and the dashboard
    # ------------------------------------------------------------------ #

    @property
    def day(self) -> int:
        return self.steps

    def present_mask(self) -> np.ndarray:
        """Soldiers present with their units (read-only; recomputed after any change of status)."""
        if self._present is None:
            self._present = is_present(self.soldier_table.status)
            self._present.flags.writeable = False
        return self._present

    def _still_present(self, rows: np.ndarray) -> np.ndarray:
        """Which of a few ``rows`` are present now (cheaper than ``present_mask`` for a few)."""
        return is_present(self.soldier_table.status[rows])

    def _set_status(self, rows: np.ndarray, status: Status) -> None:
        """The one way soldiers' status changes (it keeps ``present_mask`` true)."""
        if rows.size:
            self.soldier_table.status[rows] = status
            self._present = None

    def n_ties(self) -> np.ndarray:
        """Each soldier's number of ties: his squad's other places plus his cross ties."""
        s = self.soldier_table
        return proc.n_ties(self.squad_capacity[s.squad], self.ties.degree[: s.n])

    def tie_rows(self, row: int) -> np.ndarray:
        """One soldier's comrades: squad mates and cross ties, whatever their status."""
        s = self.soldier_table
        mates = np.flatnonzero(s.squad == s.squad[row])
        mates = mates[mates != row]
        return np.unique(np.concatenate([mates, self.ties.of(row)]))

    def _refresh_unit_state(self) -> None:
        """Per-unit quantities every process reads: strength, overstretch, leadership."""
        p, s, u, o = self.params, self.soldier_table, self.unit_table, self.officer_table
        present = self.present_mask()
        self.unit_present = passes.count_where(s.unit, present, p.n_units).astype(np.float64)
        self.unit_stretch = proc.overstretch(self.unit_present, u.authorised)
        self.unit_competence, self.unit_harshness, self.unit_led = proc.unit_leadership(
            p, o.unit, o.status == OfficerStatus.SERVING, o.competence_offset,
            o.harshness_offset, p.n_units,
        )

    def _soldier_state(self) -> passes.SoldierState:
        """The soldiers' columns the compiled passes read and update in place."""
        s = self.soldier_table
        return passes.SoldierState(
            present=self.present_mask(), unit=s.unit, squad=s.squad,
            risk_aversion=s.risk_aversion, threshold=s.threshold,
            commitment=s.commitment, peer_threshold=s.peer_threshold,
            combat_days=s.combat_days, fear=s.fear, grievance=s.grievance, ties_gone=s.ties_gone,
            home_worry=s.home_worry,
            peer_signal=s.peer_signal,
            motivation=s.motivation, propaganda_lift=s.propaganda_lift,
            push=s.push, deterrence=s.deterrence, noise=s.noise,
        )

    def _unit_conditions(self) -> passes.UnitConditions:
        """Today's per-unit quantities the compiled passes read."""
        u = self.unit_table
        return passes.UnitConditions(
            at_front=u.posture == Posture.FRONTLINE,
            competence=self.unit_competence, led=self.unit_led, harshness=self.unit_harshness,
            stretch=self.unit_stretch, supply=u.supply, backlash=self.unit_backlash,
            certainty=self.unit_certainty, cohesion=u.cohesion, norm=u.desertion_norm,
        )

    def _army_conditions(self) -> passes.ArmyConditions:
        """Today's army-wide quantities the compiled passes read."""
        return passes.ArmyConditions(
            medical=float(self.medical), habituation=self.habituation,
            severity=proc.perceived_severity(self.params),
        )

    def _mark_service(self) -> None:
        """Remember who has served at the front and in the rear (rate denominators)."""
        s = self.soldier_table
        passes.mark_service(self.present_mask(), s.unit, self.unit_table.posture == Posture.FRONTLINE,
                           s.served_frontline, s.served_rear)

    # ------------------------------------------------------------------ #
    # Levers
    # ------------------------------------------------------------------ #

    def set_lever(self, name: str, value: Any) -> None:
        """Change a parameter on the running model; it takes effect from the next day.

        Validated by the single parameter definition. Army-shape parameters
        (``n_units``, ``unit_size``, ...) cannot change mid-run: they apply on reset.
        """
        if name in ARMY:
            raise ParameterError(
                f"parameter '{name}' shapes the army and applies on reset, not mid-run"
            )
        old = getattr(self.params, name) if name in Parameters.model_fields else None
        self.params = validate({**self.params.model_dump(), name: value}, source="set_lever")
        new = getattr(self.params, name)
        last = self.lever_changes[-1] if self.lever_changes else None
        if last and last["day"] == self.day and last["name"] == name:
            # Several moves of one lever on one day (a slider being dragged) are one change.
            last["new"] = new
            if last["new"] == last["old"]:
                self.lever_changes.pop()
        elif new != old:
            self.lever_changes.append({"day": self.day, "name": name, "old": old, "new": new})

    def set_levers(self, **changes: Any) -> None:
        for name, value in changes.items():
            self.set_lever(name, value)

    # ------------------------------------------------------------------ #
    # One day
    # ------------------------------------------------------------------ #

    def step(self) -> None:
        """One day of war, in the order it happens."""
        day = self.day  # Mesa has already counted this step
        self.scheduled_changes(day)
        self.kernel_params = proc.kernel_parameters(self.params)  # today's levers
        self.rotate_units()
        self._refresh_unit_state()
        self.assess_enforcement(day)
        self.deliver_supplies()
        present_at_dawn = self.unit_present
        hit = self.fight()
        self.hear_from_home()
        self.live_through_the_day(hit)
        deserters = self.decide(day)
        self.enforce(day)
        self.heal_wounded()
        self.replace_officers(day)
        self.remember_losses(deserters, present_at_dawn)
        self.reinforce(day)
        self._mark_service()
        self._collect()

    def scheduled_changes(self, day: int) -> None:
        """The scenario's events of today pull their levers before the day begins."""
        for changes in self.schedule.get(day, ()):
            self.set_levers(**changes)

    def assess_enforcement(self, day: int) -> None:
        """Police against the deserters they pursue: today's capture chance and soldiers' certainty (R5, B1).

        Deserters at large (``self.pursued_rows``, within ``pursuit_days``) are found here once a
        day; ``enforce`` hunts the same rows after today's decisions.
        """
        p, s, u = self.params, self.soldier_table, self.unit_table
        at_large = np.flatnonzero(s.status == Status.DESERTED)
        self.pursued_rows = at_large[proc.pursued(p, day - s.deserted_day[at_large])]
        self.police = proc.police_strength(p, float(u.authorised.sum()))
        arrest = proc.arrest_probability(p, self.police, self.pursued_rows.size)
        self.capture_chance = proc.capture_chance(p, arrest)
        self.certainty_belief = proc.certainty_belief(
            p, self.certainty_belief, proc.caught_before_escape(p, self.capture_chance)
        )
        belief = self.certainty_belief
        if p.local_arrest_estimate > 0:  # each company also sees its own deserters at large
            at_large_here = proc.per_unit_sum(s.unit[self.pursued_rows], None, p.n_units)
            belief = belief * proc.local_arrest_factor(
                p, proc.police_strength(p, u.authorised), at_large_here
            )
        self.unit_certainty = proc.perceived_certainty(
            p, belief, self.unit_harshness, u.punishment_salience
        )

    def remember_losses(self, deserters: np.ndarray, present_at_dawn: np.ndarray) -> None:
        """The unit's memory of the day: losses cut its cohesion, desertions feed its norm."""
        p, s, u = self.params, self.soldier_table, self.unit_table
        deserted = proc.per_unit_sum(s.unit[deserters], None, p.n_units)
        lost = self.unit_hit + deserted
        u.cohesion[:] = proc.cohesion_after_day(p, u.cohesion, lost, present_at_dawn)
        u.desertion_norm[:] = proc.desertion_norm_after_day(
            p, u.desertion_norm, deserted, self.brought_back, u.authorised
        )

    def rotate_units(self) -> None:
        """Relieve frontline units that have fought ``rotation_days`` (loop B3)."""
        u = self.unit_table
        relieved, relieving = proc.rotation_orders(self.params, u.posture, u.days_in_posture)
        if relieved.size:
            u.posture[relieved], u.posture[relieving] = u.posture[relieving], Posture.FRONTLINE
            u.days_in_posture[relieved] = 0
            u.days_in_posture[relieving] = 0
        u.days_in_posture += 1
        u.days_frontline += u.posture == Posture.FRONTLINE

    def deliver_supplies(self) -> None:
        """Supplies and medical care reach the units, with a delay (loop R3)."""
        p, u = self.params, self.unit_table
        absent_share = proc.absent_share(self.unit_present, u.authorised)
        target = proc.supply_reaching_units(p, absent_share, u.posture)
        u.supply[:] = proc.supply_after_delivery(p, u.supply, target)
        self.medical = proc.medical_care_reaching(p, self.medical)

    def fight(self) -> np.ndarray:
        """Casualties among soldiers and officers at the front; returns a mask of those hit."""
        p, s, u, o, rng = self.params, self.soldier_table, self.unit_table, self.officer_table, self.rng
        self.unit_hazard = proc.casualty_hazard(p, u.posture, self.unit_stretch, self.unit_competence)
        unit_factor, squad_factor = proc.todays_engagements(p, rng, self.squad_unit)
        # per squad, then one lookup per soldier (as the unit's hazard was before engagements)
        squad_hazard = np.minimum(self.unit_hazard[self.squad_unit] * squad_factor, 1.0)
        present = np.flatnonzero(self.present_mask())
        hit_rows = present[rng.random(present.size) < squad_hazard[s.squad[present]]]
        dies = rng.random(hit_rows.size) < proc.killed_share(p, self.medical)
        killed, wounded = hit_rows[dies], hit_rows[~dies]
        self._set_status(killed, Status.KILLED)
        self._set_status(wounded, Status.WOUNDED)
        s.wound_days_left[wounded] = proc.wound_days(p, self.medical, rng, wounded.size)
        s.combat_days[hit_rows] = 0
        self.unit_hit = proc.per_unit_sum(s.unit[hit_rows], None, p.n_units)
        # Close calls: a soldier's own brush with death (drawn among all present, kept at the front)
        near = proc.personal_events(proc.close_call_chance(p), present, rng)
        near = near[self._still_present(near) & (u.posture[s.unit[near]] == Posture.FRONTLINE)]
        s.fear[near] = proc.fear_after_close_call(p, s.fear[near])
        self.counts["close_calls"] += near.size
        self.present_rows = present  # present at dawn: the mail reaches them (``hear_from_home``)
        self.counts["killed"] += killed.size
        self.counts["wounded"] += wounded.size
        self.today["hit"] = hit_rows.size

        serving = np.flatnonzero(o.status == OfficerStatus.SERVING)
        # officers are with the whole unit: its hazard for the day, not one squad's
        todays_hazard = np.minimum(self.unit_hazard * unit_factor, 1.0)
        killed_chance = proc.officer_killed_chance(p, todays_hazard[o.unit[serving]], self.medical)
        lost = serving[rng.random(serving.size) < killed_chance]
        o.status[lost] = OfficerStatus.KILLED
        o.killed_day[lost] = self.day
        self.counts["officers_killed"] += lost.size

        hit = np.zeros(s.n, dtype=bool)
        hit[hit_rows] = True
        return hit

    def hear_from_home(self) -> None:
        """Bad news from home reaches soldiers at the front and in the rear alike (Weitz 2005)."""
        p, s = self.params, self.soldier_table
        news = proc.personal_events(p.home_news_rate, self.present_rows, self.rng)
        news = news[self._still_present(news)]  # not those hit this morning
        s.home_worry[news] = proc.worry_after_home_news(s.home_worry[news])
        self.counts["home_news"] += news.size

    def live_through_the_day(self, hit: np.ndarray) -> None:
        """Fear, grievance and motivation of everyone still present move with the day.

        One compiled pass over the soldiers (``passes.morale_pass``) applies the
        per-soldier rules; here are the army- and unit-level quantities they read
        and what each soldier saw happen to his comrades.
        The absent keep their values until they return.
        """
        p, s, u = self.params, self.soldier_table, self.unit_table
        n, n_squads = s.n, self.squad_capacity.size
        hit_rows = np.flatnonzero(hit)
        squad_hit, cross_hit = proc.tie_sums(
            hit_rows, np.ones(hit_rows.size), s.squad, self.ties, n_squads, n
        )
        unit_hit_share = proc.unit_hit_share(s.unit[hit_rows], self.unit_present, p.n_units)
        # yesterday's deserters count as gone (+1), yesterday's caught no longer (-1)
        gone, back = self.yesterday_deserters, self.yesterday_caught
        squad_gone, cross_gone = proc.tie_sums(
            np.concatenate([gone, back]), np.repeat([1.0, -1.0], [gone.size, back.size]),
            s.squad, self.ties, n_squads, n,
        )
        u.punishment_salience[:] = proc.fade_salience(p, u.punishment_salience)
        self.unit_backlash = proc.punishment_backlash(p, u.punishment_salience, self.unit_harshness)
        self.habituation = float(proc.propaganda_habituation(p, self.habituation))
        contacts = passes.TodaysContacts(
            hit=hit.astype(np.float32), squad_hit=squad_hit, cross_hit=cross_hit,
            unit_hit_share=unit_hit_share, squad_gone=squad_gone, cross_gone=cross_gone,
            squad_places=self.squad_capacity, cross_ties=self.ties.degree,
        )
        passes.morale_pass(
            self.kernel_params, self._soldier_state(), self._unit_conditions(), self._army_conditions(),
            contacts,
        )

    def decide(self, day: int) -> np.ndarray:
        """Each soldier present weighs leaving; those over their threshold desert (loops R1-R4, B1)."""
        s = self.soldier_table
        # float32 ziggurat draws: the day's mood needs no double precision, and is drawn for every row
        mood = self.rng.standard_normal(s.n, dtype=np.float32)
        deserts = passes.decision_pass(
            self.kernel_params, self._soldier_state(), self._unit_conditions(), self._army_conditions(),
            mood,
        )
        return self.leave(day, np.flatnonzero(deserts))

    def leave(self, day: int, deserters: np.ndarray) -> np.ndarray:
        """Today's deserters leave: their status, day, posture and cascade are recorded."""
        s, u = self.soldier_table, self.unit_table
        # the unit's memory as the soldiers weighed it today (it changes at the end of the day)
        self.decision_cohesion, self.decision_norm = u.cohesion.copy(), u.desertion_norm.copy()

        self._set_status(deserters, Status.DESERTED)
        s.deserted_day[deserters] = day
        s.deserted_posture[deserters] = u.posture[s.unit[deserters]]
        s.times_deserted[deserters] += 1
        self.yesterday_deserters = deserters  # their ties count them tomorrow
        s.cascade[deserters] = self.cascades.record(
            day, deserters, s.unit, s.squad, s.cascade, self.ties
        )
        self.counts["desertions"] += deserters.size
        self.today["deserted"] = deserters.size
        return deserters

    def enforce(self, day: int) -> None:
        """Military police catch deserters; the caught are jailed or sent back (loops B1, R4)."""
        p, s, u, rng = self.params, self.soldier_table, self.unit_table, self.rng
        # draws only for the deserters pursued (found this morning, before today's desertions)
        pursued = self.pursued_rows
        caught = pursued[proc.capture(self.capture_chance, rng.random(pursued.size))]
        is_jailed = proc.imprisoned(p, rng.random(caught.size))
        jailed, sent_back = caught[is_jailed], caught[~is_jailed]
        self._set_status(jailed, Status.JAILED)
        self._set_status(sent_back, Status.RETURNED)
        s.grievance[sent_back] = proc.grievance_on_return(p, s.grievance[sent_back])
        # back with his unit, he starts his days in combat afresh (kept while he was away, so
        # that the inspector still explains the decision he made on the day he left)
        s.combat_days[sent_back] = 0
        # The unit sees the punishment, whether the deserter is jailed or sent back.
        punished = proc.per_unit_sum(s.unit[caught], None, p.n_units)
        u.punishment_salience[:] = proc.salience_after_punishments(
            u.punishment_salience, punished, u.authorised
        )
        # Brought back, they no longer count as gone: for their ties tomorrow (``ties_gone``) and,
        # as much as they still weigh in it, in their unit's norm tonight (``remember_losses``).
        self.yesterday_caught = caught
        s.ties_gone[sent_back] += 1.0  # his own capture is in his squad's count; he is not his own tie
        self.brought_back = proc.per_unit_sum(
            s.unit[caught], proc.captured_norm_weight(p, day - s.deserted_day[caught]), p.n_units
        )
        self.counts["caught"] += caught.size
        self.counts["imprisoned"] += jailed.size
        self.counts["returned"] += sent_back.size
        self.today["caught"] = caught.size

    def heal_wounded(self) -> None:
        """Wounded soldiers heal and return to their units."""
        s = self.soldier_table
        wounded = np.flatnonzero(s.status == Status.WOUNDED)
        s.wound_days_left[wounded], healed = proc.heal_one_day(s.wound_days_left[wounded])
        self._set_status(wounded[healed], Status.SERVING)

    def replace_officers(self, day: int) -> None:
        """A killed officer is replaced after ``officer_replacement_days``."""
        o, p = self.officer_table, self.params
        due = np.flatnonzero(
            (o.status == OfficerStatus.KILLED)
            & ~o.replaced
            & (day - o.killed_day >= p.officer_replacement_days)
        )
        o.replaced[due] = True
        self._appoint_officers(o.unit[due].copy(), day)

    def reinforce(self, day: int) -> None:
        """Replacements, mostly mobilised conscripts, fill vacancies in squads (loop B2).

        Newcomers dilute their unit's cohesion (a newcomer to a broken company starts in a
        broken company) and inherit its desertion norm (it is the unit's).
        """
        p, s, u = self.params, self.soldier_table, self.unit_table
        on_books = self.present_mask() | (s.status == Status.WOUNDED)
        occupied = passes.count_where(s.squad, on_books, self.squad_capacity.size)
        arrivals = proc.replacements(p, proc.vacancies(self.squad_capacity, occupied), self.rng)
        if arrivals.any():
            present = passes.count_where(s.unit, self.present_mask(), p.n_units)
            newcomers = np.bincount(self.squad_unit, weights=arrivals, minlength=p.n_units)
            u.cohesion[:] = proc.cohesion_after_reinforcement(u.cohesion, present, newcomers)
        squads = np.repeat(np.arange(arrivals.size), arrivals)
        rows = self._enlist(squads, p.replacement_conscript_share, day)
        self.counts["reinforcements"] += rows.size

    # ------------------------------------------------------------------ #
    # Inspection and data
    # ------------------------------------------------------------------ #

    def decision_breakdown(self, row: int) -> dict[str, float]:
        """Today's decision of one soldier, term by term (for the inspector)."""
        s, u = self.soldier_table, self.unit_table
        p = self.kernel_params[0]
        deploying = bool(proc.is_deploying(
            p, bool(u.posture[s.unit[row]] == Posture.FRONTLINE), int(s.combat_days[row])
        ))
        unit = s.unit[row]
        values = proc.push_terms(
            p, float(s.fear[row]), float(s.grievance[row]), float(s.motivation[row]),
            float(s.propaganda_lift[row]), float(s.peer_signal[row]), deploying,
            float(self.decision_norm[unit]), float(self.decision_cohesion[unit]),
            float(s.home_worry[row]),
        )
        terms = {f"push_{name}": float(v) for name, v in zip(proc.PUSH_TERMS, values, strict=True)}
        push = float(proc.total_push(values))
        return {
            **terms,
            "push": push,
            "propaganda_lift": float(s.propaganda_lift[row]),
            "deterrence": float(s.deterrence[row]),
            "noise": float(s.noise[row]),
            "threshold": float(s.threshold[row]),
            "margin": push - float(s.deterrence[row]) + float(s.noise[row]) - float(s.threshold[row]),
        }

    def _collect(self) -> None:
        self.metrics = daily_metrics(self)
        self.datacollector.collect(self)

    def run(self, days: int, progress=None) -> None:
        """Run ``days`` days; ``progress(day)`` is called after each, if given."""
        for _ in range(days):
            self.step()
            if progress is not None:
                progress(self.day)

    def change_over(self, metric: str, days: int) -> float:
        """How much a daily metric changed over the last ``days`` days."""
        values = self.datacollector.model_vars[metric]
        return float(values[-1] - values[max(len(values) - 1 - days, 0)])

    def timeseries(self):
        """The daily metrics as a DataFrame, one row per day (day 0 = the start)."""
        df = self.datacollector.get_model_vars_dataframe().reset_index(drop=True)
        return df
