"""The design of a sweep: a grid of values, or lhs, sobol or morris samples of ranges (SALib)."""

from __future__ import annotations

import itertools
from collections.abc import Iterable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from experiments.sweeps.spec import SweepSpec


@dataclass(frozen=True)
class Dimension:
    """One varied parameter: its grid values, or the range it is sampled from."""

    name: str
    kind: str  # "int" or "float"
    values: tuple[float, ...] | None = None  # grid
    low: float | None = None
    high: float | None = None


def salib_problem(dimensions: Iterable[Dimension]) -> dict[str, Any]:
    """The SALib problem of a sampled design: names and bounds."""
    dims = list(dimensions)
    return {"num_vars": len(dims), "names": [d.name for d in dims],
            "bounds": [[d.low, d.high] for d in dims]}


def sample_design(spec_: SweepSpec, dimensions: tuple[Dimension, ...]) -> list[tuple[float, ...]]:
    """The design points, in a fixed order that depends only on the spec."""
    if spec_.design == "grid":
        return list(itertools.product(*(d.values for d in dimensions)))
    problem = salib_problem(dimensions)
    n, seed = spec_.samples, spec_.design_seed
    if spec_.design == "lhs":
        from SALib.sample import latin

        x = latin.sample(problem, n, seed=seed)
    elif spec_.design == "sobol":
        from SALib.sample import sobol

        x = sobol.sample(problem, n, calc_second_order=spec_.second_order, seed=seed)
    else:
        from SALib.sample import morris

        x = morris.sample(problem, n, num_levels=spec_.levels, seed=seed)
    return [tuple(float(v) for v in row) for row in x]
