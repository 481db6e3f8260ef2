"""Cached access to the dataset and the data-source banner every page shows."""

from __future__ import annotations

import functools
import os
import threading
import weakref
from collections.abc import Callable
from typing import TypeVar

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
from analytics.store import camera_version, configured_store

T = TypeVar("T")

# Size of the synthetic demo, e.g. CAMREG_DEMO_CAMERAS=30000 and
# CAMREG_DEMO_INCIDENTS=1000000 to try the dashboard at the program's goal scale.
DEMO_SIZE_ENV = {
    "demo_cameras": "CAMREG_DEMO_CAMERAS",
    "demo_incidents": "CAMREG_DEMO_INCIDENTS",
}


def get_dataset(city_name: str | None = None) -> Dataset:
    """The shared dataset (demo or configured). Shared object: never mutate it.

    Cached per data configuration (the ``CAMREG_*`` variables), so a process
    whose configuration changes never serves the dataset of the old one, and
    per camera version of the registry store (``analytics.store.camera_version``:
    one query by primary key per run), so an import or withdrawal made anywhere
    -- this session, another one, the command line on another machine -- shows
    on the next page run, on SQLite and on PostgreSQL alike.
    """
    configuration = _configuration()
    target = _store_target(city_name, configuration)
    version = camera_version(target) if target is not None else None
    return _shared_dataset(city_name, configuration, version)


@functools.lru_cache(maxsize=8)
def _store_target(city_name: str | None, configuration: tuple) -> str | None:  # noqa: ARG001
    """The configured registry store (path or URL) for a data configuration."""
    try:
        target = configured_store(load_city(city_name))
    except (ValueError, OSError):  # the page reports a broken configuration
        return None
    return None if target is None else str(target)


# a few entries: the current version and the one before it while sessions
# still draw with it
@st.cache_resource(
    max_entries=4, show_spinner="Loading camera registry and incidents..."
)
def _shared_dataset(
    city_name: str | None,
    configuration: tuple,  # noqa: ARG001
    version: int | None,  # noqa: ARG001
) -> Dataset:
    city = load_city(city_name)
    sizes = demo_size()
    fingerprint = dataset_fingerprint(city_name)
    ds = diskcache.load_or_compute(
        "dataset", fingerprint, lambda: load_dataset(city, **sizes)
    )
    _FINGERPRINTS[id(ds)] = (weakref.ref(ds), fingerprint)
    return ds


def store_version(city: CityConfig) -> tuple | None:
    """The data version of a registry on a database server (``postgresql://``),
    which has no file stamp: ``RegistryStore.data_version()``; None for files.

    Raises what opening the store raises (the page says what to fix).
    """
    from analytics.store import RegistryStore
    from analytics.store_db import is_url

    target = configured_store(city)
    if target is None or not is_url(str(target)):
        return None
    return RegistryStore(target).data_version()


# id of a shared dataset -> (the dataset, the fingerprint of the data it was made from)
_FINGERPRINTS: dict[int, tuple[weakref.ref[Dataset], str]] = {}


def shared_fingerprint(ds: Dataset) -> str | None:
    """Disk-cache key of ``ds`` when it is the shared dataset, else None."""
    entry = _FINGERPRINTS.get(id(ds))
    if entry is None or entry[0]() is not ds:
        return None
    return entry[1]


# id of a dataset -> (the dataset, {name: value worked out from it once})
_DERIVED: dict[int, tuple[weakref.ref[Dataset], dict[str, object]]] = {}
_DERIVED_LOCK = threading.Lock()


def per_dataset(ds: Dataset, name: str, compute: Callable[[], T]) -> T:
    """``compute()`` once per dataset object and ``name``, then the same value.

    For small figures every page run needs from the whole data (the oldest
    incident, the default window: a scan of a million incidents each at goal
    scale). Datasets are never changed once made, so the object is the key; a
    value goes with its dataset.
    """
    with _DERIVED_LOCK:
        entry = _DERIVED.get(id(ds))
        if entry is None or entry[0]() is not ds:
            for old in [k for k, (ref, _) in _DERIVED.items() if ref() is None]:
                del _DERIVED[old]
            entry = (weakref.ref(ds), {})
            _DERIVED[id(ds)] = entry
        values = entry[1]
    if name not in values:
        values[name] = compute()
    return values[name]  # type: ignore[return-value]


def dataset_fingerprint(city_name: str | None = None) -> str:
    """Disk-cache key of the configured data (:mod:`analytics.diskcache`): the
    city configuration, the input files' size and time, the data version of a
    registry on a database server (:func:`store_version`), the demo size and
    code."""
    city = load_city(city_name)
    paths = [city.data_path(key) for key in DATA_ENV]
    return diskcache.files_fingerprint(
        paths, city, _configuration(), store_version(city)
    )


def _configuration() -> tuple:
    """The environment that decides what load_dataset reads."""
    names = (CITY_ENV, *DATA_ENV.values(), *DEMO_SIZE_ENV.values())
    return tuple((name, os.environ.get(name, "")) for name in names)


def _clear() -> None:
    _shared_dataset.clear()
    _store_target.cache_clear()


get_dataset.clear = _clear  # type: ignore[attr-defined]


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
