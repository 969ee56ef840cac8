"""Why no early cascade: how many of a frontline soldier's comrades could a departure tip?
(design seeds 100-103; a diagnosis, not a test).

    uv run python docs/design/cascade_reach.py

For the soldiers present in frontline units on days 30, 60 and 90 of `baseline`: the share whose
margin (push - deterrence - threshold, before the day's mood) lies within the peer push that
comrades leaving can add at the default `peer_influence` (`peer_influence` x `peer_gain`, 0.25
under revision 7), and within half of it; and how many of a departure's ties that is on average
(the squad's other places and his cross ties). Then the number of frontline desertions before
day 90 and the largest frontline cascade by then. Recorded in docs/validation.md ("Revision 7
against the timer").
"""

from model.metrics import unit_table
from model.model import MoraleModel
from model.state import Posture

for seed in (100, 101, 102, 103):
    model = MoraleModel(rng=seed)
    p = model.params
    reach = p.peer_influence * p.peer_gain
    for day in range(90):
        model.step()
        if day + 1 in (30, 60, 90):
            s, u = model.soldier_table, model.unit_table
            present = model.present_mask()
            front = present & (u.posture[s.unit] == Posture.FRONTLINE)
            margin = (s.push - s.deterrence - s.threshold)[front]
            ties = p.squad_size - 1 + 2 * p.cross_ties
            within, within_half = (margin > -reach).mean(), (margin > -reach / 2).mean()
            print(f"seed {seed} day {day + 1:2d}: frontline soldiers within {reach:.2f} of leaving "
                  f"{100 * within:4.1f}% (about {within * ties:.1f} of {ties} ties), within "
                  f"{reach / 2:.3f} {100 * within_half:4.1f}%; mean margin {margin.mean():.2f}")
    s = model.soldier_table
    left = (s.times_deserted > 0) & (s.deserted_posture == int(Posture.FRONTLINE))
    ut = unit_table(model)
    largest = ut[ut.posture == "frontline"].largest_cascade.max()
    print(f"seed {seed}: {left.sum()} frontline deserters by day 90, largest frontline cascade "
          f"{0 if largest != largest else int(largest)}")
