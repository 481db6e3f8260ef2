"""Offence categories and severity weights per incident, as numpy arrays.

The city's ``[offenses.weights]`` give each category a weight (by default a
violent incident counts 3, a property one 1, another 0.5); the coverage kernels
(headline, wards, districts, gaps) weigh incidents with these arrays.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from analytics.config import CityConfig
from analytics.schema import CATEGORIES


def category_codes(incidents: pd.DataFrame) -> np.ndarray:
    """Index into ``CATEGORIES`` of each incident; missing or unknown -> "other"."""
    other = CATEGORIES.index("other")
    if "category" not in incidents:
        return np.full(len(incidents), other, dtype=np.int64)
    codes = pd.Categorical(incidents["category"], categories=CATEGORIES).codes
    return np.where(codes < 0, other, codes).astype(np.int64)


def weight_table(city: CityConfig) -> np.ndarray:
    """Severity weight of each of ``CATEGORIES``, in that order."""
    return np.array([city.weight_for(c) for c in CATEGORIES], dtype=float)


def severity_weights(incidents: pd.DataFrame, city: CityConfig) -> np.ndarray:
    """Severity weight of each incident from its category (``city.weight_for``);
    a missing or unknown category weighs as "other"."""
    weights: np.ndarray = weight_table(city)[category_codes(incidents)]
    return weights


def weighted_share(weights: np.ndarray, hit: np.ndarray) -> float:
    """Share of the total weight on the ``hit`` incidents (NaN without weight)."""
    total = float(weights.sum())
    return float(weights[hit].sum()) / total if total > 0 else float("nan")
