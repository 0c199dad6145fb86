"""A group's decisions stay on their themes across runs: an update with new answers keeps
every decision on the same theme; a run over a changed selection asks the group to confirm."""

from __future__ import annotations

import re
import uuid

import pytest
from playwright.sync_api import expect
from sqlalchemy import select

from learning.carries import pending_carries
from learning.lineage import current_theme
from learning.models import BoardItem, EntryTheme, LabelSource, RunStatus, Theme, ThemingRun
from learning.runs import visible_themes
from surveys.models import Response, ResponseStatus, utcnow
from tests.browser.conftest import check_accessibility
from tests.browser.test_quality_journey import QUALITY, sign_in
from tests.conftest import inspect_session

pytestmark = [pytest.mark.browser, pytest.mark.demo]

HUMAN_LABEL = "Practical learning we keep"


def start_run(page, server, *streams: str) -> int:
    """Start a run over these streams from /quality; return its id once finished."""
    page.goto(f"{server.url}/quality")
    for stream in streams:
        page.get_by_label(stream, exact=True).check()
    page.get_by_role("button", name="Find themes").click()
    expect(page).to_have_url(re.compile(r"/quality/runs/\d+$"))
    run_id = int(page.url.rsplit("/", 1)[1])
    with inspect_session(server.app) as session:
        run = session.get(ThemingRun, run_id)
        assert run.status is RunStatus.FINISHED, run.failure_reason
    return run_id


def themes_of(server, run_id: int) -> list[Theme]:
    with inspect_session(server.app) as session:
        return visible_themes(session, run_id)


def more_training_answers(server) -> int:
    """Add 1% more submitted training evaluations (at least one; copies of the last one's
    answers); return how many there were before."""
    with inspect_session(server.app) as session:
        last = session.scalars(
            select(Response)
            .where(Response.definition_key.like("training%"))
            .where(Response.status == ResponseStatus.SUBMITTED)
            .order_by(Response.id.desc())
        ).first()
        count = len(
            session.scalars(
                select(Response.id).where(
                    Response.definition_key == last.definition_key,
                    Response.status == ResponseStatus.SUBMITTED,
                )
            ).all()
        )
        for _ in range(max(1, round(count / 100))):
            session.add(
                Response(
                    cycle_id=last.cycle_id,
                    organisation_id=last.organisation_id,
                    public_link_id=last.public_link_id,
                    submission_id=str(uuid.uuid4()),
                    reference=uuid.uuid4().hex[:12].upper(),
                    definition_key=last.definition_key,
                    definition_version=last.definition_version,
                    status=ResponseStatus.SUBMITTED,
                    answers=dict(last.answers),
                    submitted_at=utcnow(),
                )
            )
        session.commit()
        return count


def test_decisions_stay_on_their_themes_and_move_only_when_confirmed(live_server, page):
    server = live_server
    sign_in(page, server.url, QUALITY, "/quality")
    first = start_run(page, server, "Training")
    themes = themes_of(server, first)
    assert len(themes) >= 3
    named, placed, logged = themes[0], themes[1], themes[2]

    # The group renames one theme, places another on the board and logs a third.
    page.goto(f"{server.url}/quality/themes/{named.id}")
    page.get_by_label("Rename").fill(HUMAN_LABEL)
    page.get_by_role("button", name="Rename", exact=True).click()
    expect(page.get_by_role("heading", level=1)).to_have_text(HUMAN_LABEL)
    page.goto(f"{server.url}/quality/themes/{placed.id}")
    page.get_by_label("Stabilised: works well and must be kept").check()
    page.get_by_label("Why (the quality group’s reasons)").fill("Practitioners value it")
    page.get_by_role("button", name="Place on the board").click()
    expect(page).to_have_url(re.compile(r"/board$"))
    page.goto(f"{server.url}/quality/themes/{logged.id}")
    page.get_by_role("button", name="Add to the learning log").click()
    expect(page).to_have_url(re.compile(r"/learning-log/\d+$"))
    with inspect_session(server.app) as session:
        item = session.scalars(select(BoardItem).where(BoardItem.lineage_key.is_not(None))).one()
        link = session.scalars(
            select(EntryTheme).where(EntryTheme.lineage_key == logged.lineage_key)
        ).one()
        item_id, link_id = item.id, link.id

    # 1% more answers, added by an update (the default once a run exists): every decision stays
    # on the same theme, by construction, and nothing asks the group to confirm.
    answers_before = more_training_answers(server)
    assert answers_before >= 1
    page.goto(f"{server.url}/quality")
    expect(page.get_by_label("Update the themes with new answers")).to_be_checked()
    expect(page.get_by_label("Re-theme everything")).not_to_be_checked()
    check_accessibility(page)
    second = start_run(page, server, "Training")
    expect(page.locator("#run-mode")).to_contain_text("This run updated the themes of run")
    expect(page.locator(".govuk-notification-banner")).to_have_count(0)
    check_accessibility(page)
    with inspect_session(server.app) as session:
        run = session.get(ThemingRun, second)
        assert (run.mode, run.based_on_id, run.comparable) == ("update", first, True)
        assert run.coverage["update"]["added_answers"] >= 1
        assert pending_carries(session, second) == []
        decided = {
            "named": named.lineage_key,
            "placed": session.get(BoardItem, item_id).lineage_key,
            "logged": session.get(EntryTheme, link_id).lineage_key,
        }
        assert decided["placed"] == placed.lineage_key
        assert decided["logged"] == logged.lineage_key
        for what, key in decided.items():
            assert current_theme(session, key).run_id == second, what
        renamed = current_theme(session, named.lineage_key)
        assert (renamed.label, renamed.label_source) == (HUMAN_LABEL, LabelSource.HUMAN)
        assert {t.lineage_key for t in visible_themes(session, second)} >= {
            t.lineage_key for t in themes
        }
    page.goto(f"{server.url}/board")
    expect(page.locator("main")).to_contain_text("Stabilised (1)")

    with inspect_session(server.app) as session:  # where the decisions now live
        item_key = session.get(BoardItem, item_id).lineage_key
        link_key = session.get(EntryTheme, link_id).lineage_key
        named_key = (
            session.scalars(select(Theme).where(Theme.run_id == second, Theme.label == HUMAN_LABEL))
            .one()
            .lineage_key
        )

    # Another selection (a full run, since no run read it): nothing moves; the group is asked
    # where each decided theme went.
    third = start_run(page, server, "Training", "Consultation")
    expect(page.locator("main")).to_contain_text("read different streams or questions")
    expect(page.locator(".govuk-notification-banner")).to_contain_text("not found again")
    check_accessibility(page)
    with inspect_session(server.app) as session:
        assert session.get(ThemingRun, third).comparable is False
        assert current_theme(session, named_key).run_id == second  # stays put
        assert current_theme(session, session.get(BoardItem, item_id).lineage_key).run_id == second
        carries = {c.old.lineage_key: c for c in pending_carries(session, third)}
        assert {named_key, item_key, link_key} <= set(carries)
        board_carry = carries[item_key]
        target = (board_carry.candidates or visible_themes(session, third))[0]
        target_label, old_label = target.label, board_carry.old.label
    page.goto(f"{server.url}/board")
    expect(page.locator(".govuk-notification-banner")).to_contain_text("confirm where they went")
    expect(page.locator("main")).to_contain_text(old_label)  # the card keeps the old theme
    page.get_by_role("link", name="confirm where they went").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Confirm where themes went")
    check_accessibility(page)

    # Confirming without a choice is an error, nothing saved.
    form = page.locator("form", has=page.get_by_role("group", name=f"Where did “{old_label}” go?"))
    form.get_by_role("button", name="Confirm").click()
    expect(page.locator(".govuk-error-summary")).to_contain_text("Choose the theme it became")
    check_accessibility(page)
    form = page.locator("form", has=page.get_by_role("group", name=f"Where did “{old_label}” go?"))
    if board_carry.candidates:
        form.get_by_label(f"It became “{target_label}”").check()
    form.get_by_role("button", name="Confirm").click()
    expect(page.locator(".govuk-notification-banner")).to_contain_text("now follow the theme")
    with inspect_session(server.app) as session:
        moved = current_theme(session, session.get(BoardItem, item_id).lineage_key)
        assert moved.run_id == third and moved.id == target.id  # confirming moved the decision
        moved_label = moved.label  # the target's name, or a person's name it now carries
        if named_key != item_key:  # one identity if both were confirmed onto one theme
            assert current_theme(session, named_key).run_id == second  # the rest stay
    page.goto(f"{server.url}/board")
    expect(page.locator("main")).to_contain_text(moved_label)
    check_accessibility(page)
