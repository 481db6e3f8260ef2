"""The registry store and the acting person, as the store commands take them.

Shared by ``registry`` and ``requests`` (which offers ``registry stale``), so
neither command module imports the other.
"""

from __future__ import annotations

import argparse
import os
from pathlib import Path

from analytics.cli import CommandError
from analytics.config import CityConfig, load_city
from analytics.store import RegistryStore, StoreError, default_store_path

DEFAULT_USER = "cli"


def user_of(args: argparse.Namespace) -> str:
    """``--user``, else ``$USER``, else ``DEFAULT_USER``."""
    return args.user or os.environ.get("USER", "").strip() or DEFAULT_USER


def store_target(
    args: argparse.Namespace, city: CityConfig | None = None
) -> Path | str:
    """``--db``, else the configured or default store."""
    if args.db:
        return str(args.db).strip()
    return default_store_path(city or load_city(args.city))


def open_store(
    args: argparse.Namespace, city: CityConfig | None = None
) -> RegistryStore:
    """The store of ``args``; an unusable one is a one-line CommandError."""
    try:
        return RegistryStore(store_target(args, city))
    except (StoreError, OSError) as exc:
        # StoreError already names the store; say it once
        raise CommandError(str(exc)) from exc
