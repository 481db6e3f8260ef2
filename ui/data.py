"""Cached access to the dataset and the data-source banner every page shows."""

from __future__ import annotations

import os
import weakref

import streamlit as st

from analytics import diskcache
from analytics.config import CITY_ENV, DATA_ENV, CityConfig, load_city
from analytics.datasets import (
    UNDATED_NOTE,
    Dataset,
    load_dataset,
    unmapped_sentences,
)
from analytics.safe_output import escape_markdown, set_synthetic_exports

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
    city = load_city(city_name)
    sizes = demo_size()
    if _database_registry(city):
        # a registry on a database server has no file stamp to tell when it
        # changed: read it fresh, never from the disk cache
        return load_dataset(city, **sizes)
    fingerprint = dataset_fingerprint(city_name)
    ds = diskcache.load_or_compute(
        "dataset", fingerprint, lambda: load_dataset(city, **sizes)
    )
    _FINGERPRINTS[id(ds)] = (weakref.ref(ds), fingerprint)
    return ds


def _database_registry(city: CityConfig) -> bool:
    """The registry store is a ``postgresql://`` URL (not a file)."""
    from analytics.store import configured_store
    from analytics.store_db import is_url

    target = configured_store(city)
    return target is not None and is_url(str(target))


# id of a shared dataset -> (the dataset, the fingerprint of the data it was made from)
_FINGERPRINTS: dict[int, tuple[weakref.ref[Dataset], str]] = {}


def shared_fingerprint(ds: Dataset) -> str | None:
    """Disk-cache key of ``ds`` when it is the shared dataset, else None."""
    entry = _FINGERPRINTS.get(id(ds))
    if entry is None or entry[0]() is not ds:
        return None
    return entry[1]


def dataset_fingerprint(city_name: str | None = None) -> str:
    """Disk-cache key of the configured data (:mod:`analytics.diskcache`): the
    city configuration, the input files' size and time, the demo size and code."""
    city = load_city(city_name)
    paths = [city.data_path(key) for key in DATA_ENV]
    return diskcache.files_fingerprint(paths, city, _configuration())


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
    """Say where the numbers come from; synthetic data is always labelled.

    Also says what was not mapped and why (counts per reason), what the loaders
    fixed in the files (folded, one line each), and that an
    undated registry has no pace or forecast: every page calls this.
    """
    set_synthetic_exports(ds.synthetic)  # every CSV/GeoJSON download says so
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
    st.caption(escape_markdown(" ".join(unmapped_sentences(ds))))
    if ds.load_fixes:
        # returned by the loaders (rows kept): file names and values stay text
        n = len(ds.load_fixes)
        with st.expander(f"{n} fix{'es' if n != 1 else ''} made while loading"):
            st.markdown("\n".join(f"- {escape_markdown(f)}" for f in ds.load_fixes))
    if not ds.registry_dated:
        st.info(UNDATED_NOTE, icon=":material/event_busy:")
