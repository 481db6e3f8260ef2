"""Cache headers for the map frame's files: a browser loads them once.

Every page with a map draws it in a new frame (streamlit-folium's component),
which loads the component's script (225 kB) and then the map libraries
(``static/vendor``), one after another. Streamlit sends the component's files
with ``Cache-Control: public`` and no lifetime or validator, and the static
files with none, so the browser asked the server again on every page switch,
while the server was busy with the new page's run.

Both kinds of file have fixed contents at their address: the component's build
names its scripts by their digest (``main.521860b0.js``), and
``analytics.maps.use_local_assets`` links the vendored files with theirs
(``leaflet.js?v=...``). :class:`ImmutableAssets` marks those responses as
cacheable for a year and immutable; everything else passes untouched.
"""

from __future__ import annotations

import re
from urllib.parse import parse_qs

from starlette.datastructures import MutableHeaders
from starlette.types import ASGIApp, Message, Receive, Scope, Send

IMMUTABLE = b"public, max-age=31536000, immutable"
# A component build's file named by its digest: /component/<name>/.../x.<hex>.js
_COMPONENT_BUILD = re.compile(r"/component/[^/]+/.*\.[0-9a-f]{8,}\.(?:js|css)$")
_STATIC = "/app/static/"  # Streamlit's static serving (server.enableStaticServing)


def immutable(path: str, query: bytes = b"") -> bool:
    """Whether the file at ``path`` (with ``query``) never changes at its address.

    >>> immutable("/component/streamlit_folium.st_folium/static/js/main.521860b0.js")
    True
    >>> immutable("/component/streamlit_folium.st_folium/index.html")
    False
    >>> immutable("/app/static/vendor/leaflet/leaflet.js", b"v=0f1e2d3c4b5a")
    True
    >>> immutable("/app/static/vendor/leaflet/leaflet.js")
    False
    """
    if _COMPONENT_BUILD.search(path):
        return True
    if _STATIC in path:
        return bool(parse_qs(query.decode("latin-1")).get("v", [""])[0])
    return False


class ImmutableAssets:
    """ASGI middleware: ``Cache-Control: public, max-age=31536000, immutable``
    on the successful responses for which :func:`immutable` holds (Starlette,
    which Streamlit's server is built on, gives the types and the headers)."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or not immutable(
            scope.get("path", ""), scope.get("query_string", b"")
        ):
            await self.app(scope, receive, send)
            return

        async def send_cached(message: Message) -> None:
            if message["type"] == "http.response.start" and message["status"] == 200:
                message.setdefault("headers", [])  # optional in ASGI
                MutableHeaders(scope=message)["cache-control"] = IMMUTABLE.decode()
            await send(message)

        await self.app(scope, receive, send_cached)
