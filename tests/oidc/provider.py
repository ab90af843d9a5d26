"""Run the test OpenID provider (tests/oidc/provider.mjs: panva's oidc-provider under
Node) on 127.0.0.1, and sign in through its development login and consent forms.

``scripts/setup.sh`` installs the provider from the committed package-lock.json
(``npm ci``); without Node or those packages the tests that need it skip, saying so.
"""

from __future__ import annotations

import json
import shutil
import subprocess
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any
from urllib.parse import urljoin

import httpx
import pytest
from lxml import html

from tests.compat.live import stop

HERE = Path(__file__).resolve().parent
SCRIPT = HERE / "provider.mjs"
CLIENT_ID = "flscreen"
CLIENT_SECRET = "flscreen-test-client-secret-0123456789"
ACCOUNTS = {
    # login name at the provider -> the claims it releases
    "li": {"email": "officer.li@customs.example", "name": "Li Wei"},
    "nw": {"email": "buyer@northwind.example", "name": "Northwind buyer"},
    "stranger": {"email": "stranger@elsewhere.example", "name": "Not mapped"},
    "unverified": {"email": "auditor.ko@customs.example", "email_verified": False},
}


def missing() -> str | None:
    """Why the provider cannot run here, or None."""
    if shutil.which("node") is None:
        return "node is not installed (scripts/setup.sh installs nodejs)"
    if not (HERE / "node_modules" / "oidc-provider").is_dir():
        return (
            "the test OpenID provider is not installed: run scripts/setup.sh (npm ci in tests/oidc)"
        )
    return None


@contextmanager
def running_provider(redirect_uris: list[str], **extra: Any) -> Iterator[str]:
    """Start the provider for flscreen's client with ``redirect_uris``; yields its issuer."""
    reason = missing()
    if reason:
        pytest.skip(reason)
    config = {
        "client_id": CLIENT_ID,
        "client_secret": CLIENT_SECRET,
        "redirect_uris": redirect_uris,
        "accounts": ACCOUNTS,
        **extra,
    }
    # stderr to a file, not a pipe nobody reads: a chatty provider must never block.
    with tempfile.TemporaryFile(mode="w+") as errors:
        proc = subprocess.Popen(
            ["node", str(SCRIPT), json.dumps(config)],
            cwd=HERE,
            stdout=subprocess.PIPE,
            stderr=errors,
            text=True,
        )
        try:
            assert proc.stdout is not None
            line = proc.stdout.readline()  # the provider prints its issuer once it serves
            if not line.startswith("{"):
                proc.kill()
                proc.wait(timeout=10)
                errors.seek(0)
                raise AssertionError(f"the OpenID provider did not start: {line}{errors.read()}")
            yield str(json.loads(line)["issuer"])
        finally:
            stop(proc)


def submit_form(
    client: httpx.Client, page: httpx.Response, fields: dict[str, str]
) -> httpx.Response:
    """Post the page's first form, its own (hidden) inputs plus ``fields``."""
    tree = html.fromstring(page.text)
    forms = tree.xpath("//form")
    assert forms, f"no form on {page.url}: {page.text[:300]}"
    form = forms[0]
    data = {i.get("name"): i.get("value") or "" for i in form.xpath(".//input[@name]")}
    data.update(fields)
    return client.post(urljoin(str(page.url), form.get("action")), data=data)


def sign_in_at_provider(authorize_url: str, login: str, browser: httpx.Client | None = None) -> str:
    """Follow the provider's login and consent forms as a person would; the URL it
    finally sends the browser to (flscreen's callback with code and state). ``browser``
    keeps the provider's cookies (its session) for later requests; a fresh one by
    default."""
    if browser is None:
        with httpx.Client(follow_redirects=False, timeout=30) as fresh:
            return sign_in_at_provider(authorize_url, login, fresh)
    page = _follow(browser, browser.get(authorize_url))
    page = _follow(browser, submit_form(browser, page, {"login": login, "password": "any"}))
    if page.status_code == 200 and 'value="consent"' in page.text:  # the consent form
        page = _follow(browser, submit_form(browser, page, {}))
    assert page.is_redirect, f"the provider did not send the browser back: {page.text[:500]}"
    return str(page.headers["location"])


def visit_provider(browser: httpx.Client, url: str) -> httpx.Response:
    """Open ``url`` at the provider and follow its redirects while they stay there: a
    page of its own (a login form), or the redirect that leaves it."""
    return _follow(browser, browser.get(url))


def sign_out_at_provider(browser: httpx.Client, end_session_url: str) -> str:
    """Open the provider's end-session URL and confirm its "sign me out" form; the URL it
    then sends the browser to (the client's post-logout redirect URI)."""
    page = visit_provider(browser, end_session_url)
    assert page.status_code == 200 and "logoutForm" in page.text, page.text[:500]
    page = _follow(browser, submit_form(browser, page, {"logout": "yes"}))
    assert page.is_redirect, f"the provider did not send the browser back: {page.text[:500]}"
    return str(page.headers["location"])


def _follow(browser: httpx.Client, answer: httpx.Response) -> httpx.Response:
    """Follow redirects that stay at the provider; stop at one that leaves it."""
    while answer.is_redirect:
        target = urljoin(str(answer.url), answer.headers["location"])
        if httpx.URL(target).netloc != answer.url.netloc:
            return answer
        answer = browser.get(target)
    return answer
