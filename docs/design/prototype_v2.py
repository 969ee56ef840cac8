"""Prototype of issue-12 mechanisms as a subclass (scratch; design seeds 100-109 only).

Kept as the record of what docs/validation_plan.md's "Prototype" section ran. It subclasses the
model as it was before the revision (commit b15618d) and does not run on the revised model.
"""

import numpy as np

from model import processes as proc
from model.model import MoraleModel
from model.state import Status

V2 = dict(
    cohesion_start=0.6,
    cohesion_days=60.0,
    cohesion_loss=1.0,
    cohesion_weight=0.15,
    norm_memory_days=60.0,
    norm_weight=1.5,
    norm_half=0.2,
    peer2=0.5,
    peer2_gain=1.0,
    peer_threshold_mean=0.25,
    peer_threshold_spread=0.1,
    peer_width=0.04,
    police_per_100=2.0,
    capture_k=2.3,
    belief_days=14.0,
    prison_share=0.25,
    leadership_rate=1 / 30,
    leadership_span=0.3,
)


class Proto(MoraleModel):
    def __init__(self, v2=None, schedule=None, **kw):
        self.v2 = {**V2, **(v2 or {})}
        kw.setdefault("severity_exponent", 1.0)
        kw.setdefault("leadership_lift", 0.0)
        self._peer_off = kw.pop("peer_influence", None)
        super().__init__(peer_influence=0.0, **kw)
        if self._peer_off is not None:
            self.v2["peer2"] = self._peer_off
        v = self.v2
        n_units = self.params.n_units
        self.cohesion = np.full(n_units, v["cohesion_start"])
        self.norm = np.zeros(n_units)
        s = self.soldier_table
        self.ties_gone = np.zeros(s.n)
        self.peer_thr = np.clip(
            self.rng.normal(v["peer_threshold_mean"], v["peer_threshold_spread"], s.n), 0.01, 1
        )
        self.commit = s.motivation.astype(np.float64).copy()
        self.belief = 0.5
        self.capture_chance = 0.0
        self.schedule = schedule or {}
        self.series = []

    def _grow(self):
        s = self.soldier_table
        k = s.n - self.ties_gone.size
        if k > 0:
            v = self.v2
            self.ties_gone = np.concatenate([self.ties_gone, np.zeros(k)])
            self.peer_thr = np.concatenate(
                [
                    self.peer_thr,
                    np.clip(
                        self.rng.normal(v["peer_threshold_mean"], v["peer_threshold_spread"], k), 0.01, 1
                    ),
                ]
            )
            self.commit = np.concatenate([self.commit, s.motivation[-k:].astype(np.float64)])

    def step(self):
        day = self.day
        if day in self.schedule:
            self.set_levers(**self.schedule[day])
        p, v, s = self.params, self.v2, self.soldier_table
        self.kernel_params = proc.kernel_parameters(p)
        self.fade_peer_memory()
        self.rotate_units()
        self._refresh_unit_state()
        self._certainty_v2()
        self.deliver_supplies()
        present_before = self.unit_present.copy()
        hit = self.fight()
        self.live_through_the_day(hit)
        self._leadership_v2()
        extra = self._extra_push()
        thr = s.threshold.copy()
        s.threshold[:] = thr - extra
        deserters = self.decide(day)
        s.threshold[:] = thr
        self._after_desertions(deserters)
        self.enforce_v2(day)
        self.heal_wounded()
        self.replace_officers(day)
        present_now = np.bincount(s.unit[self.present_mask()], minlength=p.n_units).astype(float)
        lost = np.maximum(present_before - present_now, 0)
        self.cohesion += (1 - self.cohesion) / v["cohesion_days"] - v["cohesion_loss"] * lost / np.maximum(
            present_before, 1
        )
        self.cohesion = np.clip(self.cohesion, 0, 1)
        n0 = s.n
        self.reinforce(day)
        self._grow()
        new = np.bincount(s.unit[n0:], minlength=p.n_units).astype(float)
        self.cohesion *= present_now / np.maximum(present_now + new, 1)
        self._mark_service()
        self._collect()
        self.series.append(
            (
                day,
                self.today["deserted"],
                float(self.present_mask().sum()),
                float(s.motivation[self.present_mask()].mean()),
                float(self.cohesion.mean()),
                float(self.norm.mean()),
                self.capture_chance,
            )
        )

    def _certainty_v2(self):
        p, v, s, u = self.params, self.v2, self.soldier_table, self.unit_table
        at_large = int((s.status == Status.DESERTED).sum())
        police = p.enforcement * v["police_per_100"] / 100 * u.authorised.sum()
        self.capture_chance = p.max_capture_rate * (1 - np.exp(-v["capture_k"] * police / max(at_large, 1)))
        within = 1 - (1 - self.capture_chance) ** p.pursuit_days
        self.belief += (within - self.belief) / v["belief_days"]
        self.unit_certainty = np.clip(
            self.belief * (1 + p.harsh_certainty * self.unit_harshness)
            + p.salience_certainty * u.punishment_salience,
            0,
            1,
        )

    def _leadership_v2(self):
        v, s = self.v2, self.soldier_table
        pres = self.present_mask()
        comp = np.where(self.unit_led, self.unit_competence, 0.0)[s.unit]
        target = np.clip(self.commit + v["leadership_span"] * (comp - 0.5), 0, 1)
        m = s.motivation.astype(np.float64)
        s.motivation[pres] = np.clip(m + v["leadership_rate"] * (target - m), 0, 1)[pres]

    def _extra_push(self):
        v, s = self.v2, self.soldier_table
        n_ties = np.maximum(self.n_ties(), 1)
        share = self.ties_gone / n_ties
        peer = v["peer2"] * v["peer2_gain"] / (1 + np.exp(-(share - self.peer_thr) / v["peer_width"]))
        unit = s.unit
        return (
            peer
            + v["norm_weight"] * (self.norm[unit] / (self.norm[unit] + v["norm_half"]))
            - v["cohesion_weight"] * self.cohesion[unit]
        ).astype(np.float32)

    def _after_desertions(self, deserters):
        v, s, p = self.v2, self.soldier_table, self.params
        self.norm *= np.exp(-1 / v["norm_memory_days"])
        self.norm += np.bincount(s.unit[deserters], minlength=p.n_units) / np.maximum(
            self.unit_table.authorised, 1
        )
        if deserters.size:
            sq, cross = proc.tie_sums(
                deserters, np.ones(deserters.size), s.squad, self.ties, self.squad_capacity.size, s.n
            )
            gained = sq[s.squad] + cross[: s.n]
            gained[deserters] -= 1  # own
            self.ties_gone += gained

    def enforce_v2(self, day):
        p, s, u, rng = self.params, self.soldier_table, self.unit_table, self.rng
        at_large = np.flatnonzero((s.status == Status.DESERTED) & (s.deserted_day < day))
        catchable = (day - s.deserted_day[at_large]) <= p.pursuit_days
        caught = at_large[catchable & (rng.random(at_large.size) < self.capture_chance)]
        jail = rng.random(caught.size) < self.v2["prison_share"]
        self._set_status(caught[jail], Status.JAILED)
        self._set_status(caught[~jail], Status.RETURNED)
        s.grievance[caught[~jail]] = np.clip(s.grievance[caught[~jail]] + p.returned_grievance, 0, 1)
        seen = proc.per_unit_sum(s.unit[caught], None, p.n_units)
        u.punishment_salience += 100.0 * seen / np.maximum(u.authorised, 1)
        self.counts["caught"] += caught.size
        self.today["caught"] = caught.size
