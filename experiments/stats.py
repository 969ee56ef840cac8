"""Statistics over seeds shared by the sweep report and the stylized facts."""

from __future__ import annotations

import numpy as np


def interval(values: np.ndarray) -> tuple[float, float, float, float]:
    """Mean, standard deviation and 95% confidence interval of the mean (t distribution)."""
    from scipy import stats

    values = np.asarray(values, dtype=float)
    values = values[~np.isnan(values)]
    n = values.size
    if n == 0:
        return (np.nan,) * 4
    mean = float(values.mean())
    if n == 1:
        return mean, np.nan, np.nan, np.nan
    sd = float(values.std(ddof=1))
    half = float(stats.t.ppf(0.975, n - 1)) * sd / np.sqrt(n)
    return mean, sd, mean - half, mean + half
