"""The quality group themes the demo answers, edits, logs, places and acts; the lead sees it."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect
from sqlalchemy import select

from demo.people import DEMO_PASSWORD
from learning.models import Action, BoardItem, LearningEntry, RunStatus, Theme, ThemingRun
from learning.runs import start_run, visible_themes
from learning.selection import Selection
from surveys.models import User, utcnow
from tests.browser.conftest import check_accessibility
from tests.conftest import inspect_session

pytestmark = [pytest.mark.browser, pytest.mark.demo]  # the server's database holds the demo

QUALITY = "quality@example.org"
LEAD = "lead@police.example.org"
ACTION_TEXT = "Refresh escalation policy training"
NEW_LABEL = "Escalation and challenge"


@pytest.fixture
def demo(live_server):
    """The live server, on the demo partnership, users and answers."""
    return live_server


def sign_in(page, base_url: str, email: str, start: str = "/") -> None:
    """Sign in through the sign-in page the app sends an anonymous visitor to."""
    page.goto(f"{base_url}{start}")
    expect(page).to_have_title(re.compile(r"^Sign in"))
    page.get_by_label("Email address").fill(email)
    page.get_by_label("Password", exact=True).fill(DEMO_PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    expect(page).not_to_have_title(re.compile(r"Sign in"))


def visible(app: object, run_id: int) -> list[Theme]:
    """The run's themes as the run page lists them, largest first."""
    with inspect_session(app) as session:
        return visible_themes(session, run_id)


def start_run_and_merge(page, server) -> tuple[int, Theme]:
    """Start a run from /quality, open the largest theme and merge the next one into it."""
    sign_in(page, server.url, QUALITY, "/quality")
    expect(page.get_by_role("heading", level=1)).to_have_text("Find the themes in what people said")
    check_accessibility(page)
    page.get_by_label("Training", exact=True).check()
    page.get_by_role("button", name="Find themes").click()
    expect(page).to_have_url(re.compile(r"/quality/runs/\d+$"))
    run_id = int(page.url.rsplit("/", 1)[1])
    with inspect_session(server.app) as session:
        run = session.get(ThemingRun, run_id)
        assert run.status is RunStatus.FINISHED, run.failure_reason
        assert run.selection["streams"] == ["training"]
    themes = visible(server.app, run_id)
    assert len(themes) >= 2
    expect(page.get_by_role("heading", level=1)).to_have_text(f"{len(themes)} themes")
    expect(page.locator("main")).to_contain_text(f"Theming run {run_id}")
    check_accessibility(page)

    first, second = themes[0], themes[1]
    page.get_by_role("link", name=first.label, exact=True).click()
    expect(page.get_by_role("heading", level=1)).to_have_text(first.label)
    expect(page.locator("main")).to_contain_text("Suggested:")
    check_accessibility(page)
    page.get_by_role("link", name=re.compile(r"^See all \d+ statements")).click()
    expect(page.get_by_role("heading", level=1)).to_contain_text(first.label)
    expect(page.get_by_role("checkbox")).to_have_count(first.size)
    check_accessibility(page)
    page.get_by_role("link", name="Back to the theme").click()

    page.get_by_label(f"{second.label} ({second.size})", exact=True).check()
    page.get_by_role("button", name="Merge", exact=True).click()
    expect(page.locator(".govuk-notification-banner")).to_contain_text("Your change has been saved")
    page.get_by_label("Rename").fill(NEW_LABEL)
    page.get_by_role("button", name="Rename", exact=True).click()
    expect(page.get_by_role("heading", level=1)).to_have_text(NEW_LABEL)
    with inspect_session(server.app) as session:
        merged = session.get(Theme, first.id)
        assert merged.size == first.size + second.size
        assert merged.label == NEW_LABEL
    expect(page.locator(".govuk-summary-list")).to_contain_text(f"{merged.size} (")
    assert second.id not in {t.id for t in visible(server.app, run_id)}
    return run_id, merged


def promote_place_and_act(page, server, theme: Theme, police_org: str) -> int:
    """Log the theme, place it as Changed, create an action; return the action's id."""
    page.get_by_role("button", name="Add to the learning log").click()
    expect(page).to_have_url(re.compile(r"/learning-log/\d+$"))
    expect(page.locator("main")).to_contain_text(f"{NEW_LABEL}: {theme.size} statements")
    check_accessibility(page)
    page.get_by_role("link", name="Learning log", exact=True).first.click()
    expect(page.get_by_role("table")).to_contain_text(NEW_LABEL)
    check_accessibility(page)
    with inspect_session(server.app) as session:
        entry = session.scalar(
            select(LearningEntry).order_by(LearningEntry.id.desc())
        )  # the newest
        assert entry is not None and entry.title

    page.goto(f"{server.url}/quality/themes/{theme.id}")
    page.get_by_label("Changed: must improve or be done differently").check()
    page.get_by_label("Why (the quality group’s reasons)").fill("Practitioners ask for it")
    page.get_by_role("button", name="Place on the board").click()
    expect(page).to_have_url(re.compile(r"/board$"))
    changed = page.locator(".govuk-grid-column-one-third").nth(2)
    expect(changed.get_by_role("heading", level=2)).to_have_text("Changed (1)")
    expect(changed).to_contain_text(NEW_LABEL)
    expect(changed).to_contain_text("Why: Practitioners ask for it")
    check_accessibility(page)

    changed.get_by_text("Create an action").click()
    changed.get_by_label("What must be done").fill(ACTION_TEXT)
    changed.get_by_label("Organisation responsible").select_option(label=police_org)
    due = changed.get_by_role("group", name="Due date")
    due.get_by_label("Day").fill("31")
    due.get_by_label("Month").fill("12")
    due.get_by_label("Year").fill("2026")
    changed.get_by_role("button", name="Create action").click()
    expect(page).to_have_url(re.compile(r"/actions$"))
    expect(page.locator(".govuk-notification-banner")).to_contain_text("its organisation")
    expect(page.get_by_role("table")).to_contain_text(ACTION_TEXT)
    check_accessibility(page)
    with inspect_session(server.app) as session:
        item = session.scalar(select(BoardItem))
        assert item.column.value == "changed" and item.why == "Practitioners ask for it"
        action = session.scalar(select(Action).order_by(Action.id.desc()))  # the newest
        assert action.board_item_id == item.id
        assert action.owner_organisation.name == police_org
        return action.id


def download_pdf_report(page, server, run_id: int) -> None:
    """Open the run's report page and download its PDF."""
    page.goto(f"{server.url}/reports/runs/{run_id}")
    expect(page).to_have_title(re.compile(rf"^Theme report: run {run_id}"))
    expect(page.locator("main")).to_contain_text(NEW_LABEL)
    check_accessibility(page)
    with page.expect_download() as download:
        page.get_by_role("link", name="Download as PDF (PDF)").click()
    assert download.value.suggested_filename == f"theme-report-run-{run_id}.pdf"
    with open(download.value.path(), "rb") as pdf:
        body = pdf.read()
    assert body.startswith(b"%PDF-") and len(body) > 1000


def test_quality_group_closes_the_loop_and_the_lead_sees_the_action(demo, page):
    with inspect_session(demo.app) as session:
        police = session.scalar(select(User).where(User.email == LEAD))
        police_org = police.organisation.name

    run_id, theme = start_run_and_merge(page, demo)
    action_id = promote_place_and_act(page, demo, theme, police_org)
    page.get_by_role("link", name=ACTION_TEXT).click()
    expect(page.get_by_role("heading", level=1)).to_have_text(ACTION_TEXT)
    check_accessibility(page)
    download_pdf_report(page, demo, run_id)

    page.get_by_role("link", name="Sign out").click()
    page.get_by_role("button", name="Sign out").click()
    sign_in(page, demo.url, LEAD, "/actions")
    expect(page.get_by_role("heading", level=1)).to_have_text(f"{police_org}’s actions")
    expect(page.get_by_role("table")).to_contain_text(ACTION_TEXT)
    check_accessibility(page)
    page.get_by_role("link", name=ACTION_TEXT).click()
    expect(page).to_have_url(re.compile(rf"/actions/{action_id}$"))
    page.get_by_label("Progress update").fill("Sessions booked")
    page.get_by_label("Status").select_option("in_progress")
    page.get_by_role("button", name="Save update").click()
    expect(page.locator(".govuk-notification-banner")).to_contain_text("Your update has been saved")
    expect(page.locator("main")).to_contain_text("Sessions booked")
    check_accessibility(page)
    with inspect_session(demo.app) as session:
        assert session.get(Action, action_id).status.value == "in_progress"
    # The lead sees the action, but not the quality group's pages or the report.
    assert page.goto(f"{demo.url}/quality").status == 404
    assert page.goto(f"{demo.url}/reports/runs/{run_id}").status == 404


def queue_run(app: object) -> int:
    """Queue a run with no job behind it, so it stays waiting until the test moves it."""
    with inspect_session(app) as session:
        member = session.scalar(select(User).where(User.email == QUALITY))
        return start_run(session, Selection(streams=("training",)), started_by=member).id


def advance(app: object, run_id: int) -> None:
    """Do what the worker does half-way: running, embedding, one batch of two done."""
    with inspect_session(app) as session:
        run = session.get(ThemingRun, run_id)
        run.status, run.stage, run.done, run.total = RunStatus.RUNNING, "embed", 1, 2
        run.heartbeat_at = utcnow()
        session.commit()


def test_progress_page_shows_a_queued_run_and_cancels_it(demo, page):
    run_id = queue_run(demo.app)
    sign_in(page, demo.url, QUALITY, f"/quality/runs/{run_id}")
    expect(page.get_by_role("heading", level=1)).to_have_text(f"Theming run {run_id}")
    expect(page.locator("#run-status")).to_have_text("Waiting to start.")
    progress = page.locator("progress")
    expect(progress).to_have_attribute("value", "0")
    expect(progress).to_have_accessible_name("Progress of the theming run")
    check_accessibility(page)

    page.get_by_role("button", name="Cancel this run").click()
    expect(page).to_have_url(re.compile(r"/quality$"))
    expect(page.locator(".govuk-notification-banner")).to_contain_text("has been cancelled")
    expect(page.get_by_role("table")).to_contain_text("Cancelled")
    with inspect_session(demo.app) as session:
        assert session.get(ThemingRun, run_id).status is RunStatus.CANCELLED
    page.goto(f"{demo.url}/quality/runs/{run_id}")
    expect(page.locator("main")).to_contain_text("This run was cancelled. No themes were saved.")
    expect(page.locator("progress")).to_have_count(0)
    expect(page.locator('meta[http-equiv="refresh"]')).to_have_count(0)
    check_accessibility(page)


def test_progress_page_refreshes_itself_without_javascript(demo, browser):
    run_id = queue_run(demo.app)
    context = browser.new_context(java_script_enabled=False)
    page = context.new_page()
    sign_in(page, demo.url, QUALITY, f"/quality/runs/{run_id}")
    expect(page.locator("#run-status")).to_have_text("Waiting to start.")
    expect(page.locator('meta[http-equiv="refresh"]')).to_have_attribute("content", "5")
    advance(demo.app, run_id)
    # No click: the page's own refresh must bring the new stage within two periods.
    status = page.locator("#run-status")
    expect(status).to_have_text(re.compile(r"reading the meaning .*: \d+% done"), timeout=12_000)
    expect(page.locator("progress")).not_to_have_attribute("value", "0")
    context.close()


def test_progress_page_updates_live_with_javascript(demo, page):
    run_id = queue_run(demo.app)
    sign_in(page, demo.url, QUALITY, f"/quality/runs/{run_id}")
    expect(page.locator("#run-status")).to_have_text("Waiting to start.")
    page.evaluate("window.stillTheSamePage = true")
    advance(demo.app, run_id)
    status = page.locator("#run-status")
    expect(status).to_contain_text("reading the meaning", timeout=12_000)
    expect(page.locator("progress")).not_to_have_attribute("value", "0")
    # Live means the status changed in place, so a screen reader keeps its place.
    assert page.evaluate("window.stillTheSamePage === true"), "the page reloaded instead"
