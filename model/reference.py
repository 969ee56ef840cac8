"""REFERENCE IMPLEMENTATION, for benchmarks and cross-checks only; not the model.

The same daily rules as `model.model.MoraleModel` (docs/ODD.md, section 7), written
the plain Mesa way: every soldier is an ordinary Mesa agent holding his state in
Python attributes, and each phase of the day is a Python method called on every
agent (`AgentSet.do`). Formulas are written out again from the ODD, not imported
from `model/processes.py`, so that agreement between the two is an independent
check that the vectorised model implements the documented rules.

It serves twice:
- the baseline of the speed ratio (`benchmarks/performance.py`);
- `tests/test_reference.py` compares its aggregate outputs with the vectorised
  model's over seeds, within statistical tolerance.

Not reproduced: rotation (`rotation_days` must be 0), cascade tracking and the
per-day data collection beyond a few aggregates (the last two do not change the
dynamics). Random draws differ from the vectorised
model's, so runs agree in distribution, not draw for draw.
"""

from __future__ import annotations

import math
from collections import Counter

import mesa
import numpy as np

from model.parameters import Parameters, validate

SERVING, WOUNDED, KILLED, DESERTED, JAILED, RETURNED = range(6)
FRONTLINE, SECOND_LINE, RESERVE = range(3)


def sentence_as_weighed(p: Parameters) -> float:
    """Revision 15: the sentence (a share of the maximum) weighed by its discounted years, equal
    to the lever at severity 0.5 (Epstein's scale); the lever itself when nothing is discounted."""
    b = p.discount_factor
    if b >= 1.0:
        return p.penalty_severity
    # a year t into the sentence weighs b^t; the integral's 1 / -ln(b) cancels in the ratio
    sentence, default_sentence = p.penalty_severity * p.max_sentence_years, 0.5 * p.max_sentence_years
    return 0.5 * (1.0 - b ** sentence) / (1.0 - b ** default_sentence)


def clip(x: float) -> float:
    return 0.0 if x < 0.0 else 1.0 if x > 1.0 else x


class RefUnit:
    def __init__(self, uid: int, posture: int, authorised: int, supply: float):
        self.uid, self.posture, self.authorised, self.supply = uid, posture, authorised, supply
        self.squads: list[list[RefSoldier]] = []
        self.officers: list[RefOfficer] = []
        self.salience = 0.0
        self.days_in_posture = 0
        # recomputed each morning
        self.present = 0
        self.stretch = 0.0
        self.competence = 0.0
        self.harshness = 0.0
        self.led = False
        self.certainty = 0.0
        self.hazard = 0.0
        self.todays_hazard = 0.0  # with today's engagement, if any
        self.hit_today = 0
        self.deserted_today = 0
        self.brought_back = 0.0  # today's caught, as they still weighed in the norm
        self.cohesion = 0.0  # set from cohesion_start
        self.norm = 0.0


class RefOfficer(mesa.Agent):
    def __init__(self, model, unit: RefUnit):
        super().__init__(model)
        self.unit = unit
        self.serving = True
        self.killed_day = -1
        self.replaced = False
        self.competence_offset = float(model.rng.normal(0.0, model.p.officer_trait_spread))
        self.harshness_offset = float(model.rng.normal(0.0, model.p.officer_trait_spread))

    def fight(self) -> None:
        m, p = self.model, self.model.p
        if self.serving and m.rng.random() < self.unit.todays_hazard * p.officer_risk * m.killed_share():
            self.serving = False
            self.killed_day = m.day


class RefSoldier(mesa.Agent):
    def __init__(self, model, unit: RefUnit, squad: list, conscript_share: float, day: int):
        super().__init__(model)
        p, rng = model.p, model.rng
        self.unit, self.squad = unit, squad
        squad.append(self)
        self.conscript = rng.random() < conscript_share
        mean = p.conscript_motivation if self.conscript else p.contract_motivation
        self.motivation = model.beta(mean)
        self.commitment = self.motivation
        self.fear = model.beta(p.start_fear)
        self.grievance = model.beta(p.start_grievance)
        self.risk_aversion = model.beta(p.risk_aversion_mean, p.risk_aversion_concentration)
        self.threshold = clip(rng.normal(p.threshold_mean, p.threshold_spread))
        self.peer_threshold = min(max(rng.normal(p.peer_threshold_mean, p.peer_threshold_spread), 0.01), 1.0)
        self.status = SERVING
        self.combat_days = 0
        self.cross: list[RefSoldier] = []
        self.ties_gone = 0.0
        self.left_yesterday = False
        self.left_today = False
        self.caught_yesterday = False
        self.caught_today = False
        self.home_worry = 0.0
        self.wound_days = 0.0
        self.deserted_day = -1
        self.ever_deserted = False
        self.hit = False
        self.lift = 0.0
        self.signal = 0.0
        self.joined = day

    @property
    def present(self) -> bool:
        return self.status in (SERVING, RETURNED)

    # ---- phases of the day, each called on every soldier ----

    def dawn(self) -> None:
        self.left_yesterday, self.left_today = self.left_today, False
        self.caught_yesterday, self.caught_today = self.caught_today, False
        self.hit = False

    def fight(self) -> None:
        m = self.model
        if self.present and m.rng.random() < m.squad_hazard[id(self.squad)]:
            self.hit = True
            self.unit.hit_today += 1
            self.combat_days = 0
            if m.rng.random() < m.killed_share():
                self.status = KILLED
                m.killed += 1
            else:
                self.status = WOUNDED
                self.wound_days = m.rng.exponential(m.p.recovery_days * (1 - 0.5 * m.medical))
        elif (self.present and self.unit.posture == FRONTLINE  # a close call, his own
              and m.rng.random() < m.p.close_call_rate * m.p.combat_intensity):
            self.fear = clip(self.fear + m.p.close_call_fear)

    def hear_from_home(self) -> None:
        m = self.model
        if self.present and m.rng.random() < m.p.home_news_rate:
            self.home_worry = 1.0  # bad news from home: the worry is fresh

    def live(self) -> None:
        if not self.present:
            return
        m, p, u = self.model, self.model.p, self.unit
        front = u.posture == FRONTLINE
        self.combat_days = self.combat_days + 1 if front else 0
        # fear
        ties_hit = sum(s.hit for s in self.squad if s is not self) + sum(s.hit for s in self.cross)
        share_hit = u.hit_today / max(u.present, 1)
        shock = (p.fear_per_casualty * share_hit + p.friend_fear_per_casualty * ties_hit) * (
            1 - 0.5 * m.medical
        )
        stress = p.combat_stress * p.combat_intensity * front * (1 + self.combat_days / p.fatigue_days)
        recovery = p.fear_recovery * (1 - 0.5 * p.officer_calm + p.officer_calm * u.competence) * self.fear
        self.fear = clip(self.fear + shock + stress + p.overstretch_stress * u.stretch - recovery)
        # grievance
        backlash = (p.punishment_backlash * u.salience * u.harshness * p.penalty_severity
                    / p.salience_days)
        self.grievance = clip(
            self.grievance + p.grievance_per_shortfall * (1 - u.supply) + p.harsh_grievance * u.harshness
            + p.overstretch_stress * u.stretch + backlash - p.grievance_decay * self.grievance
        )
        self.home_worry -= self.home_worry / p.home_worry_days
        # peers: ties who deserted yesterday join the count of those gone since he joined;
        # ties caught yesterday (jailed or sent back) leave it
        n_ties = m.squad_places[id(self.squad)] - 1 + len(self.cross)
        ties = [s for s in self.squad if s is not self] + self.cross
        self.ties_gone = max(self.ties_gone + sum(s.left_yesterday for s in ties)
                             - sum(s.caught_yesterday for s in ties), 0.0)
        share = self.ties_gone / max(n_ties, 1)
        # a smooth step from 2 peer_width below his threshold to 2 peer_width above it;
        # nothing to respond to while none of his ties has gone
        x = min(max((share - self.peer_threshold) / (4 * p.peer_width) + 0.5, 0.0), 1.0)
        self.signal = x * x * (3 - 2 * x) if self.ties_gone > 0 else 0.0
        # motivation: a bounded pull towards the officers' target around his commitment
        if u.led:
            target = clip(self.commitment + p.leadership_span * (u.competence - 0.5))
        else:
            target = clip(self.commitment - p.leadership_span / 2)
        led_to = self.motivation + (target - self.motivation) / p.leadership_days
        self.motivation = clip(led_to - p.peer_erosion * self.signal
                               - p.grievance_erosion * self.grievance)
        novelty = max(p.propaganda - m.habituation, 0.0)
        strength = p.propaganda_residual * p.propaganda + (1 - p.propaganda_residual) * novelty
        self.lift = (p.propaganda_lift * strength * (1 - self.fear) * (1 - self.grievance)
                     * (1 - self.motivation))

    def decide(self) -> None:
        if not self.present:
            return
        m, p, u = self.model, self.model.p, self.unit
        deploying = u.posture == FRONTLINE and self.combat_days <= p.dread_days
        push = (p.weight_fear * self.fear + p.weight_grievance * self.grievance
                + p.weight_motivation * (1 - clip(self.motivation + self.lift))
                + p.peer_influence * p.peer_gain * self.signal
                + p.deployment_dread * p.combat_intensity * deploying
                + p.peer_influence * p.norm_weight * u.norm / (u.norm + p.norm_half)
                - p.cohesion_weight * u.cohesion + p.weight_home * self.home_worry)
        deter = p.deterrence_weight * u.certainty * m.severity * self.risk_aversion
        if push - deter + m.rng.normal(0.0, p.daily_noise) > self.threshold:
            m.deserting.append(self)

    def evade(self) -> None:
        m, p = self.model, self.model.p
        if self.status != DESERTED or self.deserted_day >= m.day:
            return
        if m.day - self.deserted_day > p.pursuit_days:
            return
        if m.rng.random() < m.capture_chance:
            m.caught += 1
            self.caught_today = True
            self.unit.salience += 100.0 / max(self.unit.authorised, 1)
            # brought back, he takes his faded weight out of his unit's norm tonight
            self.unit.brought_back += math.exp(-(m.day - self.deserted_day) / p.norm_memory_days)
            if m.rng.random() < p.prison_share:
                self.status = JAILED
            else:
                self.status = RETURNED
                self.grievance = clip(self.grievance + p.returned_grievance)

    def heal(self) -> None:
        if self.status == WOUNDED:
            self.wound_days -= 1
            if self.wound_days <= 0:
                self.status = SERVING


class ReferenceModel(mesa.Model):
    """The plain-Mesa reference (see the module docstring)."""

    def __init__(self, *, rng=None, params: Parameters | None = None, **overrides):
        super().__init__(rng=rng)
        base = params.model_dump() if params is not None else {}
        self.p = p = validate({**base, **overrides})
        if p.rotation_days:
            raise ValueError("the reference implementation does not reproduce rotation_days")
        self.medical = p.medical_care
        self.habituation = 0.0
        self.killed = self.caught = self.desertions = 0
        self.deserting: list[RefSoldier] = []
        self.squad_places: dict[int, int] = {}
        self.squad_hazard: dict[int, float] = {}  # today's, with the unit's engagement
        n_front = round(p.frontline_share * p.n_units)
        n_second = min(round(p.second_line_share * p.n_units), p.n_units - n_front)
        self.units = []
        for uid in range(p.n_units):
            posture = FRONTLINE if uid < n_front else SECOND_LINE if uid < n_front + n_second else RESERVE
            unit = RefUnit(uid, posture, p.unit_size, p.supply_level)
            unit.cohesion = p.cohesion_start
            for start in range(0, p.unit_size, p.squad_size):
                squad: list[RefSoldier] = []
                unit.squads.append(squad)
                self.squad_places[id(squad)] = min(p.squad_size, p.unit_size - start)
                for _ in range(self.squad_places[id(squad)]):
                    RefSoldier(self, unit, squad, p.conscript_share, 0)
            for _ in range(p.officers_per_unit):
                unit.officers.append(RefOfficer(self, unit))
            self.units.append(unit)
        # police against deserters pursued (Epstein's arrest probability); belief starts at it
        police = p.police_per_100 / 100 * sum(u.authorised for u in self.units)
        daily = p.enforcement * p.max_capture_rate * (1 - math.exp(-p.capture_k * police / 1))
        self.belief = 1 - (1 - daily) ** p.pursuit_days
        self.capture_chance = 0.0
        for unit in self.units:
            members = [s for squad in unit.squads for s in squad]
            for soldier in members:
                self._tie(soldier, members)
                if unit.posture == FRONTLINE:
                    soldier.combat_days = int(self.rng.integers(p.dread_days + 1,
                                                                 p.dread_days + p.front_days_at_start))

    # ---- helpers ----
    @property
    def day(self) -> int:
        return self.steps

    def beta(self, mean: float, concentration: float | None = None) -> float:
        mean = min(max(mean, 0.01), 0.99)
        concentration = self.p.trait_concentration if concentration is None else concentration
        return float(self.rng.beta(mean * concentration, (1 - mean) * concentration))

    def killed_share(self) -> float:
        return self.p.killed_share * (1 - 0.5 * self.medical)

    def _tie(self, soldier: RefSoldier, candidates: list) -> None:
        if len(candidates) <= 1:
            return
        for _ in range(self.p.cross_ties):
            other = candidates[int(self.rng.random() * len(candidates))]
            if other is not soldier:
                soldier.cross.append(other)
                other.cross.append(soldier)

    @property
    def soldiers(self):
        return self.agents_by_type[RefSoldier]

    # ---- the day ----
    def step(self) -> None:
        p, soldiers = self.p, self.soldiers
        self.severity = sentence_as_weighed(p)
        soldiers.do("dawn")
        self.morning()
        present_at_dawn = {unit.uid: unit.present for unit in self.units}
        soldiers.do("fight")
        soldiers.do("hear_from_home")
        if RefOfficer in self.agents_by_type:
            self.agents_by_type[RefOfficer].do("fight")
        for unit in self.units:
            unit.salience *= math.exp(-1.0 / p.salience_days)
        self.habituation += (p.propaganda - self.habituation) / p.propaganda_habituation_days
        soldiers.do("live")
        self.deserting = []
        soldiers.do("decide")
        for soldier in self.deserting:
            soldier.status = DESERTED
            soldier.deserted_day = self.day
            soldier.ever_deserted = True
            soldier.left_today = True
            soldier.unit.deserted_today += 1
            soldier.combat_days = 0
        self.desertions += len(self.deserting)
        soldiers.do("evade")
        soldiers.do("heal")
        self.replace_officers()
        for unit in self.units:  # the unit's memory: losses cut cohesion, desertions feed the norm
            lost = unit.hit_today + unit.deserted_today
            unit.cohesion = clip(unit.cohesion + (1 - unit.cohesion) / p.cohesion_days
                                 - p.cohesion_loss * lost / max(present_at_dawn[unit.uid], 1))
            unit.norm = max(unit.norm * math.exp(-1 / p.norm_memory_days) + (
                unit.deserted_today - unit.brought_back) / max(unit.authorised, 1), 0.0)
        self.reinforce()

    def morning(self) -> None:
        p = self.p
        pursued_soldiers = [s for s in self.soldiers
                            if s.status == DESERTED and self.day - s.deserted_day <= p.pursuit_days]
        pursued = len(pursued_soldiers)
        at_large_from = Counter(s.unit.uid for s in pursued_soldiers)  # per unit, for the local estimate
        police = p.police_per_100 / 100 * sum(u.authorised for u in self.units)
        arrest = 1 - math.exp(-p.capture_k * police / max(pursued, 1))
        self.capture_chance = p.enforcement * p.max_capture_rate * arrest
        caught_share = 1 - (1 - self.capture_chance) ** p.pursuit_days
        self.belief += (caught_share - self.belief) / p.certainty_days
        present_total = 0
        for unit in self.units:
            unit.days_in_posture += 1
            unit.present = sum(s.present for squad in unit.squads for s in squad)
            present_total += unit.present
            unit.stretch = min(max(unit.authorised / max(unit.present, 1) - 1, 0.0), 2.0)
            serving = [o for o in unit.officers if o.serving]
            unit.led = bool(serving)
            unit.competence = (sum(clip(p.officer_competence + o.competence_offset) for o in serving)
                               / len(serving)) if serving else 0.0
            unit.harshness = (sum(clip(p.officer_harshness + o.harshness_offset) for o in serving)
                              / len(serving)) if serving else 0.0
            belief = self.belief
            if p.local_arrest_estimate > 0:  # Epstein's ratio as the company sees it
                own_police = p.police_per_100 / 100 * unit.authorised
                own = at_large_from[unit.uid]
                seen = 1 - math.exp(-p.capture_k * own_police / max(own, 1))
                calm = 1 - math.exp(-p.capture_k * own_police)
                belief *= 1 - p.local_arrest_estimate * (1 - (seen / calm if calm > 0 else 1.0))
            unit.certainty = clip(belief * (1 + p.harsh_certainty * unit.harshness)
                                  + p.salience_certainty * unit.salience)
            unit.hit_today = 0
            unit.deserted_today = 0
            unit.brought_back = 0.0
        absent = 1 - present_total / sum(u.authorised for u in self.units)
        reaching = p.supply_level * max(0.0, 1 - p.logistics_strain * absent)
        for unit in self.units:
            target = reaching * (1 - p.frontline_supply_loss) if unit.posture == FRONTLINE else reaching
            unit.supply = clip(unit.supply + (target - unit.supply) / p.supply_delay_days)
            exposure = {FRONTLINE: 1.0, SECOND_LINE: p.second_line_exposure, RESERVE: 0.0}[unit.posture]
            unit.hazard = min(1.0, p.max_casualty_rate * p.combat_intensity * exposure
                              * (1 + unit.stretch) * (1 - p.officer_protection * unit.competence))
            # engagements: the unit's losses come in actions, on the squads in contact (mean kept)
            action = 0.0
            if p.engagement_share > 0:
                engaged = self.rng.random() < 1 / p.engagement_days
                sigma = p.engagement_spread
                action = engaged * self.rng.lognormal(-sigma * sigma / 2, sigma) * p.engagement_days
            steady = 1 - p.engagement_share
            unit.todays_hazard = min(1.0, unit.hazard * (steady + p.engagement_share * action))
            for squad in unit.squads:
                contact = p.engagement_share > 0 and self.rng.random() < p.contact_share
                share = p.engagement_share * action * contact / p.contact_share
                self.squad_hazard[id(squad)] = min(1.0, unit.hazard * (steady + share))
        self.medical += (p.medical_care - self.medical) / p.supply_delay_days

    def replace_officers(self) -> None:
        for unit in self.units:
            for officer in list(unit.officers):
                if (not officer.serving and not officer.replaced
                        and self.day - officer.killed_day >= self.p.officer_replacement_days):
                    officer.replaced = True
                    unit.officers.append(RefOfficer(self, unit))

    def reinforce(self) -> None:
        p = self.p
        daily = 1 - (1 - p.reinforcement_rate) ** (1 / 7)
        for unit in self.units:
            newcomers = []
            for squad in unit.squads:
                held = sum(s.present or s.status == WOUNDED for s in squad)
                vacancies = max(self.squad_places[id(squad)] - held, 0)
                for _ in range(int(self.rng.binomial(vacancies, daily))):
                    newcomers.append(RefSoldier(self, unit, squad, p.replacement_conscript_share, self.day))
            if newcomers:  # ties to comrades present, newcomers included (as in the model)
                present = [s for squad in unit.squads for s in squad if s.present]
                before = len(present) - len(newcomers)  # newcomers dilute cohesion
                unit.cohesion *= before / max(len(present), 1)
                for soldier in newcomers:
                    self._tie(soldier, present)

    # ---- a few aggregates, named as in model/metrics.py ----
    def metrics(self) -> dict[str, float]:
        soldiers = list(self.soldiers)
        present = [s for s in soldiers if s.present]
        return {
            "soldiers_ever": len(soldiers),
            "present": len(present),
            "killed_cumulative": self.killed,
            "caught_cumulative": self.caught,
            "desertions_cumulative": self.desertions,
            "desertion_rate": sum(s.ever_deserted for s in soldiers) / len(soldiers),
            "mean_fear": float(np.mean([s.fear for s in present])) if present else 0.0,
            "mean_grievance": float(np.mean([s.grievance for s in present])) if present else 0.0,
            "mean_motivation": float(np.mean([s.motivation for s in present])) if present else 0.0,
        }
