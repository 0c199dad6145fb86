"""Browser fixtures: a live server, Debian's chromium through Playwright, and axe-core.

One HTTP server per test process serves whichever app the running test made: each test
still gets a fresh app on a fresh copy of its database (the demo for tests marked `demo`).
"""

from __future__ import annotations

import functools
import shutil
import threading
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from werkzeug.serving import make_server

from tests.conftest import IN_CI, free_port, make_app
from webapp.database import get_engine

ROOT = Path(__file__).resolve().parents[2]
AXE = ROOT / "node_modules" / "axe-core" / "axe.min.js"
AXE_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"]
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
]


@dataclass
class LiveServer:
    url: str
    app: object


class CurrentApp:
    """The WSGI app the shared server calls: the app of the test that is running."""

    def __init__(self) -> None:
        self.app: object | None = None

    def __call__(self, environ: dict, start_response: object) -> object:
        assert self.app is not None, "a request reached the live server between tests"
        return self.app(environ, start_response)  # type: ignore[operator]


@pytest.fixture(scope="session")
def http_server() -> Iterator[tuple[str, CurrentApp]]:
    """One threaded HTTP server on loopback for the whole session."""
    current = CurrentApp()
    port = free_port()
    server = make_server("127.0.0.1", port, current, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{port}", current
    server.shutdown()
    thread.join(timeout=5)


@pytest.fixture
def live_server(request, http_server, smtp_server) -> Iterator[LiveServer]:
    """Serve a fresh app over real HTTP on loopback, mailing to the test SMTP server."""
    url, current = http_server
    app = make_app(
        demo=request.node.get_closest_marker("demo") is not None,
        MAIL_PORT=smtp_server.port,
        BASE_URL=url,
    )
    current.app = app
    yield LiveServer(url=url, app=app)
    current.app = None
    get_engine(app).dispose()
    shutil.rmtree(app.config["DATA_FOLDER"], ignore_errors=True)


@pytest.fixture(scope="session")
def browser() -> Iterator[object]:
    executable = shutil.which("chromium")
    if executable is None:
        if IN_CI:
            pytest.fail("Debian's chromium is required under CI=true (make browser-deps)")
        pytest.skip("chromium is not installed (make browser-deps)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=executable, headless=True, args=CHROMIUM_ARGS
        )
        yield browser
        browser.close()


@pytest.fixture
def page(browser) -> Iterator[object]:
    # bypass_csp lets the test inject axe-core; the app's own CSP stays on for real users.
    context = browser.new_context(bypass_csp=True)
    page = context.new_page()
    page.on("dialog", lambda dialog: pytest.fail(f"unexpected dialog: {dialog.message}"))
    yield page
    context.close()


@functools.cache
def _axe_source() -> str:
    return AXE.read_text()


def check_accessibility(page) -> list[dict]:
    """Run axe-core on the page; fail on serious or critical violations, return the rest."""
    # GOV.UK Frontend sets aria-expanded on radios that reveal a question; axe calls that
    # critical, GOV.UK keeps it on purpose (alphagov/govuk-frontend#979). Ignore only that.
    page.evaluate("""() => document.querySelectorAll(
        '.govuk-radios__input[aria-expanded], .govuk-checkboxes__input[aria-expanded]')
        .forEach(el => el.removeAttribute('aria-expanded'))""")
    page.add_script_tag(content=_axe_source())
    # resultTypes: axe still runs every rule, but details only the violations (passes and the
    # rest keep one node each), which is what this check reads; the rest cost time on big pages.
    result = page.evaluate(
        "tags => axe.run(document, {runOnly: {type: 'tag', values: tags},"
        " resultTypes: ['violations']})",
        AXE_TAGS,
    )
    violations = result["violations"]
    blocking = [v for v in violations if v["impact"] in ("serious", "critical")]
    assert blocking == [], "\n".join(
        f"{v['id']} ({v['impact']}) on {page.url}: {v['help']} -> "
        f"{[n['target'] for n in v['nodes']][:3]}"
        for v in blocking
    )
    return violations
