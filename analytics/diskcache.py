"""Heavy results kept on disk, keyed on a fingerprint of what they were made from.

A restarted dashboard should not spend seconds regenerating the goal-scale demo
or recomputing the default coverage report: both are stored here once per data
version and read back in a fraction of the time. The key (:func:`fingerprint`)
covers the input files' path, size and modification time
(:func:`file_stamp`), the parameters (city configuration, demo size, filters)
and the source of the ``analytics`` package (:func:`code_version`), so a changed
file, filter or line of code never serves an old result.

A cache file that cannot be read (cut short, corrupt, written by an
incompatible library) is deleted and the result recomputed: the cache may make
the dashboard faster, never wrong and never broken. Set ``CAMREG_CACHE_DIR`` to
choose the folder, or to ``off`` to switch the cache off.

GeoDataFrames are stored with their geometry as point coordinates, or WKB for
other shapes (:class:`_Pickler`), which read back several times faster than
pickled shapely objects.
"""

from __future__ import annotations

import contextlib
import hashlib
import io
import logging
import os
import pickle
import tempfile
from collections.abc import Callable, Iterable
from functools import lru_cache
from pathlib import Path
from typing import Any, TypeVar

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

CACHE_ENV = "CAMREG_CACHE_DIR"
DEFAULT_DIR = Path(__file__).resolve().parent.parent / "data" / "cache"
# newest files kept per result name; older ones are pruned. The warm-up alone
# stores 14 coverage reports (two roles, their per-area views and the date
# shortcuts of staff), and visitors add their own filters.
KEEP_PER_NAME = 32
SUFFIX = ".pkl"

log = logging.getLogger(__name__)
T = TypeVar("T")


def cache_dir() -> Path | None:
    """The cache folder (``CAMREG_CACHE_DIR`` or ``data/cache``); None when off."""
    raw = os.environ.get(CACHE_ENV, "").strip()
    if raw.lower() in {"off", "0", "none", "false", "no"}:
        return None
    return Path(raw).expanduser() if raw else DEFAULT_DIR


def file_stamp(path: str | Path | None) -> tuple[str, int, int] | None:
    """(resolved path, size, modification time in ns) of a file, None for no path.

    A missing file stamps as size -1 so that its later appearance changes the
    key. A SQLite write-ahead log beside the file (``<name>-wal``) is folded in:
    a write may change only the log.
    """
    if path is None or str(path) == "":
        return None
    p = Path(path).expanduser()
    try:
        st = p.stat()
        size, mtime = st.st_size, st.st_mtime_ns
    except OSError:
        size, mtime = -1, 0
    wal = p.with_name(p.name + "-wal")
    try:
        wst = wal.stat()
        size, mtime = size + wst.st_size, max(mtime, wst.st_mtime_ns)
    except OSError:
        pass
    return (str(p.resolve()), size, mtime)


@lru_cache(maxsize=1)
def code_version() -> str:
    """Digest of the ``analytics`` package's source: new code, new keys."""
    digest = hashlib.sha256()
    root = Path(__file__).resolve().parent
    for path in sorted(root.rglob("*.py")):
        digest.update(str(path.relative_to(root)).encode())
        digest.update(path.read_bytes())
    return digest.hexdigest()[:16]


def fingerprint(*parts: object) -> str:
    """A short, stable key for ``parts`` (compared by ``repr``) and the code version.

    Parts must have a deterministic ``repr``: strings, numbers, dates, tuples,
    frozen dataclasses, :func:`file_stamp` results.
    """
    digest = hashlib.sha256(code_version().encode())
    for part in parts:
        digest.update(b"\x00")
        digest.update(repr(part).encode())
    return digest.hexdigest()[:24]


def files_fingerprint(paths: Iterable[str | Path | None], *parts: object) -> str:
    """:func:`fingerprint` of the stamps of ``paths`` and of ``parts``."""
    return fingerprint(tuple(file_stamp(p) for p in paths), *parts)


def load_or_compute(
    name: str,
    key: str,
    compute: Callable[[], T],
    folder: Path | None = None,
) -> T:
    """The stored result ``name`` for ``key``, or ``compute()`` stored for next time.

    Parameters
    ----------
    name
        What is stored (``dataset``, ``coverage``): a file-name prefix, letters,
        digits, ``_`` and ``-`` only.
    key
        A :func:`fingerprint` of everything the result depends on.
    compute
        Called on a miss, or when the stored file cannot be read.
    folder
        Defaults to :func:`cache_dir`; with the cache off ``compute()`` is
        simply returned.

    Raises ValueError naming ``name`` or ``key`` when either would not make a
    plain file name. Errors of ``compute`` propagate; errors reading or writing
    the cache never do.
    """
    value = load(name, key, folder)
    if value is not MISSING:
        return value  # type: ignore[no-any-return]
    value = compute()
    save(name, key, value, folder)
    return value


class _Missing:
    """What :func:`load` returns when nothing usable is stored."""

    def __repr__(self) -> str:
        return "MISSING"


MISSING: Any = _Missing()


def load(name: str, key: str, folder: Path | None = None) -> Any:
    """The stored result ``name`` for ``key``, or :data:`MISSING`.

    A file that cannot be read is deleted (and reported as missing); with the
    cache off everything is missing. ``name`` and ``key`` as in
    :func:`load_or_compute`.
    """
    path = _path(name, key, folder)
    if path is None or not path.exists():
        return MISSING
    try:
        with path.open("rb") as fh:
            return pickle.load(fh)
    except Exception as exc:
        log.warning("cache file %s unreadable (%s): recomputing", path, exc)
        _remove(path)
        return MISSING


def stored(name: str, key: str, folder: Path | None = None) -> bool:
    """Whether a result ``name`` for ``key`` is on disk (not whether it reads)."""
    path = _path(name, key, folder)
    return path is not None and path.exists()


def save(name: str, key: str, value: object, folder: Path | None = None) -> None:
    """Store ``value`` as the result ``name`` for ``key`` (atomically; a failure
    is only logged). Older files of ``name`` beyond ``KEEP_PER_NAME`` are pruned."""
    path = _path(name, key, folder)
    if path is None:
        return
    _store(path, value)
    _prune(path.parent, name)


def _path(name: str, key: str, folder: Path | None) -> Path | None:
    """The file of ``name`` and ``key``; None when the cache is off."""
    for what, text in (("name", name), ("key", key)):
        if not text or not all(c.isalnum() or c in "_-" for c in text):
            raise ValueError(
                f"`{what}` was {text!r} but is expected to be letters, digits, "
                "'_' or '-'"
            )
    folder = folder if folder is not None else cache_dir()
    if folder is None:
        return None
    return folder / f"{name}-{key}{SUFFIX}"


def _store(path: Path, value: object) -> None:
    """Write atomically (temporary file, then rename); failures are only logged."""
    tmp: str | None = None
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=".tmp-", suffix=SUFFIX)
        with os.fdopen(fd, "wb") as fh:
            _Pickler(fh, protocol=pickle.HIGHEST_PROTOCOL).dump(value)
        os.replace(tmp, path)
        tmp = None
    except Exception as exc:
        log.warning("could not write cache file %s (%s)", path, exc)
    finally:
        if tmp is not None:
            _remove(Path(tmp))


def _prune(folder: Path, name: str) -> None:
    """Keep the newest ``KEEP_PER_NAME`` files of ``name``."""
    try:
        files = sorted(
            folder.glob(f"{name}-*{SUFFIX}"),
            key=lambda p: p.stat().st_mtime_ns,
            reverse=True,
        )
    except OSError:
        return
    for old in files[KEEP_PER_NAME:]:
        _remove(old)


def _remove(path: Path) -> None:
    with contextlib.suppress(OSError):
        path.unlink()


def _rebuild_geoframe(
    frame: pd.DataFrame, name: str, wkb: Any, crs: str | None
) -> gpd.GeoDataFrame:
    columns = frame.attrs.pop("_camreg_columns", None)
    shapes = shapely.points(wkb) if isinstance(wkb, np.ndarray) else None
    if shapes is None:
        shapes = shapely.from_wkb(wkb[1])
    geometry = gpd.GeoSeries(shapes, index=frame.index, crs=crs)
    frame[name] = geometry  # the frame is fresh from the file: ours to change
    out = gpd.GeoDataFrame(frame, geometry=name, crs=crs)
    return out if columns is None else out[columns]


def _plain_geoframe(obj: object) -> bool:
    """A GeoDataFrame (not a subclass) whose active geometry column is present."""
    if not isinstance(obj, gpd.GeoDataFrame) or type(obj) is not gpd.GeoDataFrame:
        return False
    return obj._geometry_column_name in obj.columns


class _Pickler(pickle.Pickler):
    """Pickles a GeoDataFrame's active geometry as one WKB array."""

    def reducer_override(self, obj: object) -> Any:
        if not _plain_geoframe(obj):
            return NotImplemented
        assert isinstance(obj, gpd.GeoDataFrame)
        name = obj.geometry.name
        frame = pd.DataFrame(obj.drop(columns=[name]))
        frame.attrs = {**obj.attrs, "_camreg_columns": list(obj.columns)}
        crs = obj.crs.to_wkt() if obj.crs is not None else None
        return _rebuild_geoframe, (frame, name, _geometry_payload(obj.geometry), crs)


def _geometry_payload(geometry: gpd.GeoSeries) -> Any:
    """An (n, 2) array of x, y when every shape is a 2-D point (rebuilt 5x
    faster than from WKB), else ``("wkb", array)``."""
    shapes = np.asarray(geometry.array, dtype=object)
    if (
        len(shapes)
        and bool((shapely.get_type_id(shapes) == 0).all())
        and not bool(shapely.is_empty(shapes).any())
        and not bool(shapely.has_z(shapes).any())
    ):
        return shapely.get_coordinates(shapes)
    return ("wkb", shapely.to_wkb(shapes))


def dumps(value: object) -> bytes:
    """``value`` pickled as the cache stores it (for tests and sizes)."""
    buffer = io.BytesIO()
    _Pickler(buffer, protocol=pickle.HIGHEST_PROTOCOL).dump(value)
    return buffer.getvalue()
