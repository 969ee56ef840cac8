"""Statistics over seeds shared by the sweep report and the stylized facts."""

from __future__ import annotations

import numpy as np


def _mean_and_sd(values: np.ndarray) -> tuple[np.ndarray, float, float] | None:
    """The values without NaN, their mean and standard deviation; None with fewer than two."""
    values = np.asarray(values, dtype=float)
    values = values[~np.isnan(values)]
    if values.size < 2:
        return None
    return values, float(values.mean()), float(values.std(ddof=1))


def _too_few(values: np.ndarray) -> tuple[float, float, float, float]:
    values = np.asarray(values, dtype=float)
    values = values[~np.isnan(values)]
    return (float(values.mean()) if values.size else np.nan, np.nan, np.nan, np.nan)


def interval(values: np.ndarray) -> tuple[float, float, float, float]:
    """Mean, standard deviation and 95% confidence interval of the mean (t distribution)."""
    from scipy import stats

    found = _mean_and_sd(values)
    if found is None:
        return _too_few(values)
    values, mean, sd = found
    n = values.size
    half = float(stats.t.ppf(0.975, n - 1)) * sd / np.sqrt(n)
    return mean, sd, mean - half, mean + half


def bootstrap_interval(values: np.ndarray, resamples: int = 10_000, seed: int = 0
                       ) -> tuple[float, float, float, float]:
    """Mean, standard deviation and a 95% bootstrap (percentile) interval of the mean.

    For counts and heavy-tailed outcomes: the interval stays within the values seen (a count's
    never goes below zero), where the t interval of a skewed sample can. Seeded: the same
    values give the same interval.
    """
    found = _mean_and_sd(values)
    if found is None:
        return _too_few(values)
    values, mean, sd = found
    n = values.size
    draws = max(1_000, min(resamples, 10_000_000 // n))
    rng = np.random.default_rng(seed)
    means = values[rng.integers(0, n, size=(draws, n))].mean(axis=1)
    low, high = np.quantile(means, [0.025, 0.975])
    return mean, sd, float(low), float(high)
