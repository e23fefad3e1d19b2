"""The test OpenID provider (tests/oidc/provider.mjs: Node.js + the npm package oidc-provider) and helpers to drive it.

``oidc_provider`` starts one provider per portal base URL on a loopback port (9120-9129 first), for the whole test
session. Without Node.js or ``node_modules/oidc-provider`` (``npm install``) the tests skip, unless
SREFOP_REQUIRE_OIDC=1 (CI) turns the skip into a failure.
"""

from __future__ import annotations

import json
import os
import shutil
import socket
import subprocess
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

import pytest

from tests.conftest import require_or_skip

os.environ.setdefault("NODE_NO_WARNINGS", "1")  # the provider's process: no Node.js runtime warnings in its log

ROOT = Path(__file__).resolve().parents[2]
SCRIPT = Path(__file__).resolve().parent / "provider.mjs"
PACKAGE = ROOT / "node_modules" / "oidc-provider" / "package.json"
SECRET = "secret-du-client-de-test-0123456789abcdef"
CLIENT_ID = "srefop-portail"
CLIENT_EXPIRED_CODE = "srefop-portail-code-1s"
CLIENT_ROGUE_USERINFO = "srefop-portail-rogue-userinfo"
SIRET = "13002526500013"

# Test accounts of the provider: id → claims. The staff member exists twice, with and without a multi-factor method.
ACCOUNTS = {
    "membre": {"email": "agent.membre@ddets.gouv.fr", "amr": ["pwd"]},
    "staff-mfa": {"email": "equipe.proconnect@cariforef.fr", "amr": ["pwd", "otp", "mfa"]},
    "staff-pwd": {"email": "equipe.proconnect@cariforef.fr", "amr": ["pwd"]},
    "inconnu": {"email": "nouvel.agent@travail.gouv.fr", "amr": ["pwd"]},
    "invite": {"email": "agent.invite@ddets.gouv.fr", "amr": ["pwd"]},
}


def _claims(account_id: str, account: dict) -> dict:
    return {
        "given_name": "Camille",
        "usual_name": f"Agent-{account_id}".title(),
        "uid": f"uid-{account_id}",
        "siret": SIRET,
        "idp_id": "fia1v2",
        **account,
    }


@dataclass
class RunningProvider:
    port: int
    process: subprocess.Popen
    log: Path
    base_urls: list[str] = field(default_factory=list)

    @property
    def domain(self) -> str:
        return f"127.0.0.1:{self.port}"

    @property
    def issuer(self) -> str:
        return f"http://{self.domain}/api/v2"


def _free(port: int) -> bool:
    with socket.socket() as sock:
        try:
            sock.bind(("127.0.0.1", port))
        except OSError:
            return False
    return True


def _start(base_url: str, workdir: Path) -> RunningProvider:
    node = shutil.which("node")
    require_or_skip("oidc", bool(node), "Node.js absent")
    require_or_skip("oidc", PACKAGE.exists(), f"{PACKAGE} absent (npm install)")
    config = {
        "clients": [
            {
                "client_id": client_id,
                "client_secret": SECRET,
                "redirect_uris": [f"{base_url}/compte/oidc/proconnect/login/callback/"],
                "post_logout_redirect_uris": [f"{base_url}/compte/proconnect/deconnexion/"],
            }
            for client_id in (CLIENT_ID, CLIENT_EXPIRED_CODE, CLIENT_ROGUE_USERINFO)
        ],
        "accounts": {key: _claims(key, value) for key, value in ACCOUNTS.items()},
    }
    config_path = workdir / f"oidc-{abs(hash(base_url))}.json"
    config_path.write_text(json.dumps(config))
    candidates = [p for p in range(9120, 9130) if _free(p)]
    if not candidates:  # another run holds them all: any free port
        with socket.socket() as sock:
            sock.bind(("127.0.0.1", 0))
            candidates = [sock.getsockname()[1]]
    for port in candidates:
        log = workdir / f"oidc-{port}.log"
        with log.open("wb") as out:
            process = subprocess.Popen(  # noqa: S603 (fixed arguments)
                [node, str(SCRIPT), str(port), str(config_path)], stdout=out, stderr=subprocess.STDOUT, cwd=ROOT
            )
        deadline = time.monotonic() + 20
        while time.monotonic() < deadline and process.poll() is None:
            if "ready " in log.read_text(errors="replace"):
                return RunningProvider(port=port, process=process, log=log, base_urls=[base_url])
            time.sleep(0.1)
        if process.poll() is None:
            process.terminate()
            process.wait(5)
    pytest.fail(f"Le fournisseur OpenID de test n'a pas démarré : {log.read_text(errors='replace')[-2000:]}")


@pytest.fixture(scope="session")
def oidc_providers():
    """Factory: oidc_providers(base_url) → the provider registered for that portal URL (started once)."""
    running: dict[str, RunningProvider] = {}
    workdir = Path(tempfile.mkdtemp(prefix="srefop-oidc-"))

    def get(base_url: str) -> RunningProvider:
        if base_url not in running:
            running[base_url] = _start(base_url, workdir)
        return running[base_url]

    yield get
    for provider in running.values():
        provider.process.terminate()
        try:
            provider.process.wait(10)
        except subprocess.TimeoutExpired:
            provider.process.kill()
    shutil.rmtree(workdir, ignore_errors=True)


def configure(settings, provider: RunningProvider, *, client_id: str = CLIENT_ID) -> None:
    settings.PROCONNECT_DOMAIN = provider.domain
    settings.PROCONNECT_CLIENT_ID = client_id
    settings.PROCONNECT_CLIENT_SECRET = SECRET
    settings.PROCONNECT_ALGORITHM = "RS256"
    settings.PROCONNECT_ALLOW_HTTP = True
    settings.PROCONNECT_TIMEOUT = 5


@pytest.fixture
def proconnect(settings, oidc_providers):
    """ProConnect configured towards the test provider, for the Django test client (http://testserver)."""
    provider = oidc_providers("http://testserver")
    configure(settings, provider)
    return provider


def replace_query(url: str, **params) -> str:
    parts = urlsplit(url)
    query = dict(parse_qsl(parts.query))
    query.update(params)
    return urlunsplit(parts._replace(query=urlencode(query)))


def authorize(client, *, next_url: str | None = None):
    """Start the sign-in from the portal: the redirect to the provider's authorization endpoint."""
    path = "/compte/oidc/proconnect/login/" + (f"?next={next_url}" if next_url else "")
    response = client.post(path)
    return leave_url(response)


def leave_url(response) -> str:
    """The ProConnect URL of the page the portal shows between a form and ProConnect (proconnect_leave.html)."""
    assert response.status_code == 200, response.content.decode()[:2000]
    assert [t.name for t in response.templates][0] == "account/proconnect_leave.html"
    url = response.context["url"]
    assert f'content="0;url={url.replace("&", "&amp;")}"' in response.content.decode()
    return url


def sign_in_at_provider(authorize_url: str, account: str, session=None) -> str:
    """Go through the provider's sign-in as the given test account; returns the portal callback URL it redirects
    to (the browser's front channel, played with ``requests``)."""
    import requests

    session = session or requests.Session()
    response = session.get(authorize_url, allow_redirects=False, timeout=10)
    assert response.status_code in (302, 303), response.text[:2000]
    interaction = response.headers["Location"]
    interaction = interaction if interaction.startswith("http") else f"{_origin(authorize_url)}{interaction}"
    response = session.post(interaction, data={"login": account}, allow_redirects=False, timeout=10)
    assert response.status_code in (302, 303), response.text[:2000]
    resume = response.headers["Location"]
    response = session.get(resume, allow_redirects=False, timeout=10)
    assert response.status_code in (302, 303), response.text[:2000]
    return response.headers["Location"]


def _origin(url: str) -> str:
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}"


def local(url: str) -> str:
    """The path and query of a portal URL, for the Django test client."""
    parts = urlsplit(url)
    return parts.path + (f"?{parts.query}" if parts.query else "")
