"""Companies raised whole: does company make-up bring company breaks forward? (a design aid)

    uv run python docs/design/company_makeup.py segregation=S [seeds=N] [name=value ...]

A prototype, not a model option: at the start each company is raised as a whole from one kind
with chance `conscript_share` (all conscripts or all volunteers) at `segregation` 1, mixed at
random as in the model at 0, and in between a blend (a company's conscript share is
(1 - S) x conscript_share + S x its own draw). Replacements join as in the model. Costa and Kahn
(2003) and McLauchlin (2015): company make-up predicts desertion. Runs `baseline` for 180 days
on design seeds 100 to 100+N-1 (20 by default; two worker processes) and prints the army's mean
rate, its range, the armies at 30% or more, the companies (those that fought) by their rate
(<10%, 10-30%, >=30%), the seeds with a frontline cascade of 10+ by day 90 and the frontline share
of deserters, as `threshold_calibration.py` measures them.
"""


import numpy as np
from threshold_calibration import run_prototype  # the script beside this one

from model.model import MoraleModel

MAKEUP_STREAM = 10_000  # the companies' draws use their own stream, apart from the model's


class RaisedWhole(MoraleModel):
    """The model with companies raised whole at the start, to the given ``segregation``."""

    def __init__(self, seed: int, segregation: float, **overrides):
        self.makeup_rng = np.random.default_rng(MAKEUP_STREAM + seed)
        self.segregation = segregation
        super().__init__(rng=seed, **overrides)

    def _enlist(self, squads, conscript_share, day):
        if day == 0 and np.isscalar(conscript_share):
            raised = self.makeup_rng.random(self.params.n_units) < conscript_share
            per_unit = (1 - self.segregation) * conscript_share + self.segregation * raised
            conscript_share = per_unit[self.squad_unit[squads]]
        return super()._enlist(squads, conscript_share, day)


if __name__ == "__main__":
    run_prototype(RaisedWhole, "segregation", float)
