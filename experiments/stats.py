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


def bootstrap_interval(values: np.ndarray, resamples: int = 10_000, seed: int = 0
                       ) -> tuple[float, float, float, float]:
    """Mean, standard deviation and a 95% bootstrap (percentile) interval of the mean.

    For counts and heavy-tailed outcomes: the interval stays within the values seen (a count's
    never goes below zero), where the t interval of a skewed sample can. Seeded: the same
    values give the same interval.
    """
    values = np.asarray(values, dtype=float)
    values = values[~np.isnan(values)]
    n = values.size
    if n == 0:
        return (np.nan,) * 4
    mean = float(values.mean())
    if n == 1:
        return mean, np.nan, np.nan, np.nan
    sd = float(values.std(ddof=1))
    draws = max(1_000, min(resamples, 10_000_000 // n))
    rng = np.random.default_rng(seed)
    means = values[rng.integers(0, n, size=(draws, n))].mean(axis=1)
    low, high = np.quantile(means, [0.025, 0.975])
    return mean, sd, float(low), float(high)
