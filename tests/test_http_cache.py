"""The map frame's files are cacheable for good (``ui.http_cache``), and the
vendored libraries' links carry their files' digests, so a changed file is a new
address (``analytics.maps.asset_versions``)."""

from __future__ import annotations

import asyncio
import hashlib
import re
import shutil

import folium
import pytest

from analytics import maps
from analytics.maps import LOCAL_ASSETS, VENDOR_DIR, asset_versions, use_local_assets
from ui.http_cache import IMMUTABLE, ImmutableAssets, immutable

COMPONENT_JS = "/component/streamlit_folium.st_folium/static/js/main.521860b0.js"


@pytest.mark.parametrize(
    ("path", "query", "expected"),
    [
        (COMPONENT_JS, b"", True),
        ("/camreg/component/x.y/static/css/main.0a1b2c3d.css", b"", True),  # base path
        ("/component/streamlit_folium.st_folium/index.html", b"", False),
        ("/component/x.y/static/js/main.js", b"", False),  # no digest in the name
        ("/app/static/vendor/leaflet/leaflet.js", b"v=5819285cec13", True),
        ("/app/static/vendor/leaflet/leaflet.js", b"", False),
        ("/app/static/vendor/leaflet/leaflet.js", b"v=", False),
        ("/app/static/vendor/leaflet/leaflet.js", b"x=1", False),
        ("/_stcore/health", b"v=1", False),
        ("/", b"", False),
    ],
)
def test_only_files_fixed_at_their_address_are_immutable(path, query, expected):
    assert immutable(path, query) is expected


def _respond(path: str, query: bytes = b"", status: int = 200, headers=()):
    """The messages the middleware sends for one request to an app answering
    ``status`` with ``headers``."""
    sent = []

    async def app(scope, receive, send):
        await send(
            {"type": "http.response.start", "status": status, "headers": list(headers)}
        )
        await send({"type": "http.response.body", "body": b"x"})

    async def receive():
        return {"type": "http.request"}

    async def send(message):
        sent.append(message)

    scope = {"type": "http", "path": path, "query_string": query}
    asyncio.run(ImmutableAssets(app)(scope, receive, send))
    return sent


def test_the_middleware_replaces_streamlit_s_cache_header_on_component_files():
    start, body = _respond(COMPONENT_JS, headers=[(b"cache-control", b"public")])
    assert start["headers"] == [(b"cache-control", IMMUTABLE)]
    assert body == {"type": "http.response.body", "body": b"x"}


def test_the_middleware_adds_the_header_to_versioned_static_files_only():
    etag = (b"etag", b'"ef8d"')
    start, _ = _respond(
        "/app/static/vendor/leaflet/leaflet.js", b"v=ab12", headers=[etag]
    )
    assert start["headers"] == [etag, (b"cache-control", IMMUTABLE)]
    start, _ = _respond("/app/static/vendor/leaflet/leaflet.js", headers=[etag])
    assert start["headers"] == [etag]  # no version: the browser asks again


def test_the_middleware_leaves_errors_and_other_paths_alone():
    start, _ = _respond(COMPONENT_JS, status=404)
    assert start["headers"] == []  # a missing file is not kept for a year
    start, _ = _respond("/", headers=[(b"cache-control", b"no-cache")])
    assert start["headers"] == [(b"cache-control", b"no-cache")]


def _links(m: folium.Map) -> list[str]:
    """Every script and style sheet address in the map's page."""
    return re.findall(r'(?:src|href)="([^"]*/vendor/[^"]*)"', m.get_root().render())


def test_every_vendored_link_carries_its_file_s_digest():
    m = folium.Map(tiles=None)
    folium.plugins.MarkerCluster().add_to(m)
    links = _links(use_local_assets(m, "/app/static/vendor"))
    assert links, "the map links its libraries"
    by_path = {rel: name for name, rel in LOCAL_ASSETS.items()}
    for link in links:
        path, version = link.removeprefix("/app/static/vendor/").split("?v=")
        digest = hashlib.sha256((VENDOR_DIR / path).read_bytes()).hexdigest()[:12]
        assert version == digest, (link, by_path[path])
    assert any("leaflet/leaflet.js?v=" in link for link in links)
    assert any("markercluster/leaflet.markercluster.js?v=" in link for link in links)


def test_a_changed_vendored_file_is_a_new_address(monkeypatch, tmp_path):
    copy = tmp_path / "vendor"
    shutil.copytree(VENDOR_DIR, copy)
    monkeypatch.setattr(maps, "VENDOR_DIR", copy)
    asset_versions.cache_clear()
    try:
        before = asset_versions()
        with open(copy / LOCAL_ASSETS["leaflet"], "ab") as f:
            f.write(b"\n// patched\n")
        asset_versions.cache_clear()
        after = asset_versions()
        assert after["leaflet"] != before["leaflet"]
        assert {k: v for k, v in after.items() if k != "leaflet"} == {
            k: v for k, v in before.items() if k != "leaflet"
        }
        (copy / LOCAL_ASSETS["leaflet_css"]).unlink()
        asset_versions.cache_clear()
        assert "leaflet_css" not in asset_versions()  # missing: linked bare
    finally:
        asset_versions.cache_clear()
