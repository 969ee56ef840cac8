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


def poisson_log_slope(counts, exposure, covariate, iterations: int = 100) -> float:
    """Slope b of a Poisson regression log E[count] = log(exposure) + a + b x, by maximum likelihood.

    exp(b) is the ratio of rates per unit of the covariate (Newton's method on the concave
    log-likelihood, which is iteratively reweighted least squares). NaN when there is nothing to
    fit: no count at all, or a covariate that does not vary.
    """
    counts = np.asarray(counts, dtype=float)
    exposure = np.asarray(exposure, dtype=float)
    covariate = np.asarray(covariate, dtype=float)
    keep = (exposure > 0) & ~np.isnan(covariate)
    counts, exposure, covariate = counts[keep], exposure[keep], covariate[keep]
    if counts.sum() <= 0 or covariate.size < 2 or np.ptp(covariate) == 0:
        return float("nan")
    design = np.column_stack([np.ones_like(covariate), covariate - covariate.mean()])
    beta = np.array([np.log(counts.sum() / exposure.sum()), 0.0])
    for _ in range(iterations):
        expected = exposure * np.exp(design @ beta)
        gradient = design.T @ (counts - expected)
        curvature = design.T @ (design * expected[:, None])
        step = np.linalg.solve(curvature, gradient)
        beta = beta + step
        if not np.all(np.isfinite(beta)):
            return float("nan")
        if np.max(np.abs(step)) < 1e-10:
            break
    return float(beta[1])
