"""Cached access to the dataset and the data-source banner every page shows."""

from __future__ import annotations

import streamlit as st

from analytics.config import CityConfig, load_city
from analytics.datasets import Dataset, load_dataset


@st.cache_resource(show_spinner="Loading camera registry and incidents...")
def get_dataset(city_name: str | None = None) -> Dataset:
    """The shared dataset (demo or configured). Shared object: never mutate it."""
    return load_dataset(load_city(city_name))


def get_city() -> CityConfig:
    return get_dataset().city


def source_banner(ds: Dataset) -> None:
    """Say where the numbers come from; synthetic data is always labelled."""
    if ds.synthetic:
        st.info(
            f"**{ds.label}** for {ds.city.name}: a made-up city used to demonstrate "
            f"the dashboard (data as of {ds.as_of:%d %b %Y}). These are not the "
            "city's figures.",
            icon="🧪",
        )
    else:
        st.caption(f"Data: {ds.label} · as of {ds.as_of:%d %b %Y}")
