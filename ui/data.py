"""Cached access to the dataset and the data-source banner every page shows."""

from __future__ import annotations

import os

import streamlit as st

from analytics.config import CITY_ENV, DATA_ENV, CityConfig, load_city
from analytics.datasets import Dataset, load_dataset
from analytics.safe_output import escape_markdown

# Size of the synthetic demo, e.g. CAMREG_DEMO_CAMERAS=30000 and
# CAMREG_DEMO_INCIDENTS=1000000 to try the dashboard at the program's goal scale.
DEMO_SIZE_ENV = {
    "demo_cameras": "CAMREG_DEMO_CAMERAS",
    "demo_incidents": "CAMREG_DEMO_INCIDENTS",
}


def get_dataset(city_name: str | None = None) -> Dataset:
    """The shared dataset (demo or configured). Shared object: never mutate it.

    Cached per data configuration (the ``CAMREG_*`` variables), so a process
    whose configuration changes never serves the dataset of the old one.
    """
    return _shared_dataset(city_name, _configuration())


@st.cache_resource(show_spinner="Loading camera registry and incidents...")
def _shared_dataset(city_name: str | None, configuration: tuple) -> Dataset:  # noqa: ARG001
    return load_dataset(load_city(city_name), **demo_size())


def _configuration() -> tuple:
    """The environment that decides what load_dataset reads."""
    names = (CITY_ENV, *DATA_ENV.values(), *DEMO_SIZE_ENV.values())
    return tuple((name, os.environ.get(name, "")) for name in names)


get_dataset.clear = _shared_dataset.clear  # type: ignore[attr-defined]


def demo_size() -> dict[str, int]:
    """Demo sizes set in the environment (``DEMO_SIZE_ENV``); empty for defaults.

    Raises ValueError naming the variable when a value is not a positive integer.
    """
    sizes = {}
    for arg, var in DEMO_SIZE_ENV.items():
        raw = os.environ.get(var, "").strip()
        if not raw:
            continue
        try:
            value = int(raw.replace("_", "").replace(",", ""))
        except ValueError:
            value = 0
        if value < 1:
            raise ValueError(
                f"`{var}` was {raw!r} but is expected to be a positive whole number"
            )
        sizes[arg] = value
    return sizes


def get_city() -> CityConfig:
    return get_dataset().city


def source_banner(ds: Dataset) -> None:
    """Say where the numbers come from; synthetic data is always labelled."""
    if ds.synthetic:
        st.info(
            f"**{escape_markdown(ds.label)}** for {escape_markdown(ds.city.name)}: "
            "a made-up city used to demonstrate "
            f"the dashboard (data as of {ds.as_of:%d %b %Y}). These are not the "
            "city's figures.",
            icon=":material/science:",
        )
    else:
        # the label is made of file names: Markdown in them stays text
        st.caption(f"Data: {escape_markdown(ds.label)} · as of {ds.as_of:%d %b %Y}")
