"""Real-browser single sign-on: `[auth]` + `[sso]` in secrets.toml are enough.

A tiny OpenID Connect provider runs on loopback (discovery, authorize, token
and JWKS endpoints, an RS256-signed ID token made with joserfc, Authlib's JOSE
library). The
dashboard runs with a secrets file naming it; Chromium clicks "Sign in with
your city account", the provider sends it straight back, and the sidebar names
the person with the role their group maps to. The audit log records the sign-in
under the e-mail address.
"""

from __future__ import annotations

import json
import threading
import time
import urllib.parse
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import ClassVar

import pytest

from analytics.browser import dashboard_server, free_port
from analytics.store import RegistryStore
from tests.browserkit import (
    PAGE_TIMEOUT_MS,
    artifact,
    demo_env,
    open_app,
    warm_up,
)

pytestmark = pytest.mark.browser

CLIENT_ID = "camreg-dashboard"
EMAIL = "det.lee@city.example"


class _Provider(BaseHTTPRequestHandler):
    """Just enough OIDC: every authorisation request is granted at once."""

    issuer = ""
    key = None
    codes: ClassVar[dict[str, str]] = {}

    def log_message(self, *args):  # keep pytest output quiet
        pass

    def _json(self, body: dict) -> None:
        data = json.dumps(body).encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def do_GET(self):
        url = urllib.parse.urlparse(self.path)
        if url.path == "/.well-known/openid-configuration":
            self._json(
                {
                    "issuer": self.issuer,
                    "authorization_endpoint": f"{self.issuer}/authorize",
                    "token_endpoint": f"{self.issuer}/token",
                    "jwks_uri": f"{self.issuer}/jwks",
                    "response_types_supported": ["code"],
                    "subject_types_supported": ["public"],
                    "id_token_signing_alg_values_supported": ["RS256"],
                    "scopes_supported": ["openid", "email", "profile"],
                }
            )
        elif url.path == "/jwks":
            self._json({"keys": [self.key.as_dict(private=False)]})
        elif url.path == "/authorize":
            query = dict(urllib.parse.parse_qsl(url.query))
            code = f"code-{len(self.codes)}"
            self.codes[code] = query.get("nonce", "")
            back = {"code": code, "state": query["state"]}
            self.send_response(302)
            self.send_header(
                "Location", f"{query['redirect_uri']}?{urllib.parse.urlencode(back)}"
            )
            self.end_headers()
        else:
            self.send_error(404)

    def do_POST(self):
        from joserfc import jwt

        length = int(self.headers.get("Content-Length", 0))
        form = dict(urllib.parse.parse_qsl(self.rfile.read(length).decode()))
        nonce = self.codes.get(form.get("code", ""))
        if self.path != "/token" or nonce is None:
            self.send_error(400)
            return
        now = int(time.time())
        claims = {
            "iss": self.issuer,
            "aud": CLIENT_ID,
            "sub": "u-1001",
            "email": EMAIL,
            "email_verified": True,
            "name": "Det. Lee",
            "groups": ["LRPD Investigations"],
            "nonce": nonce,
            "iat": now,
            "exp": now + 600,
        }
        token = jwt.encode({"alg": "RS256", "kid": "test-key"}, claims, self.key)
        self._json(
            {
                "access_token": "access",
                "token_type": "Bearer",
                "expires_in": 600,
                "id_token": token,
            }
        )


@pytest.fixture(scope="module")
def sso_server(tmp_path_factory, chromium):  # skips without Chromium
    pytest.importorskip("authlib")
    from joserfc.jwk import RSAKey

    tmp = tmp_path_factory.mktemp("sso")
    provider = ThreadingHTTPServer(("127.0.0.1", 0), _Provider)
    _Provider.issuer = f"http://127.0.0.1:{provider.server_port}"
    _Provider.key = RSAKey.generate_key(2048, parameters={"kid": "test-key"})
    threading.Thread(target=provider.serve_forever, daemon=True).start()

    # the redirect URI names the dashboard's port before the server starts
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    secrets = tmp / "secrets.toml"
    secrets.write_text(
        f"""
[auth]
redirect_uri = "{url}/oauth2callback"
cookie_secret = "a long random string for the identity cookie"
client_id = "{CLIENT_ID}"
client_secret = "not a real secret"
server_metadata_url = "{_Provider.issuer}/.well-known/openid-configuration"

[sso]
[sso.groups]
"LRPD Investigations" = "investigator"
[sso.domains]
"city.example" = "staff"
"""
    )
    env = demo_env(
        {
            "CAMREG_USERS": str(tmp / "no-accounts.json"),
            "CAMREG_AUDIT_DB": str(tmp / "audit.sqlite"),
        }
    )
    try:
        with dashboard_server(
            env,
            log=artifact("streamlit-sso-server.log"),
            port=port,
            args=("--secrets.files", str(secrets)),
        ) as started:
            assert started == url
            warm_up(url, chromium)
            yield url, tmp
    finally:
        provider.shutdown()


def test_city_sign_on_names_the_person_with_the_mapped_role(sso_server, chromium):
    url, tmp = sso_server
    page = chromium.new_page(viewport={"width": 1400, "height": 1000})
    try:
        open_app(page, f"{url}/Incident_canvass")
        sidebar = page.locator('[data-testid="stSidebar"]')
        public = sidebar.get_by_text("Viewing as: public")
        public.wait_for(timeout=PAGE_TIMEOUT_MS)
        assert public.count() == 1
        sidebar.get_by_role("button", name="Sign in with your city account").click()
        sidebar.get_by_text("Signed in as").wait_for(timeout=PAGE_TIMEOUT_MS)
        sidebar.get_by_text(EMAIL).first.wait_for(timeout=PAGE_TIMEOUT_MS)
        role = sidebar.get_by_text("(investigator)")
        role.first.wait_for(timeout=PAGE_TIMEOUT_MS)
        assert role.count() == 1
        page.screenshot(path=str(artifact("sso-signed-in.png")))
        # Streamlit's identity cookie keeps the sign-in across a reload
        page.reload()
        open_app(page, page.url)
        sidebar.get_by_text("Signed in as").wait_for(timeout=PAGE_TIMEOUT_MS)
    except Exception:
        page.screenshot(path=str(artifact("sso-failure.png")), full_page=True)
        raise
    finally:
        page.context.close()
    log = RegistryStore(tmp / "audit.sqlite").audit_log("sign_in")
    assert EMAIL in set(log["user"])
