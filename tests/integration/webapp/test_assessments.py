"""Organisations answer as a team: shared drafts, no silent overwrites, lead sign-off, reopen."""

from __future__ import annotations

import io
import re
from datetime import timedelta

import pytest
from sqlalchemy import func, select

from surveys import accounts, cycles
from surveys.loader import load_definitions
from surveys.models import AuditEvent, Response, ResponseStatus, Role, utcnow
from tests import factories
from tests.conftest import csrf_from

SECTION_11 = load_definitions().latest("section-11")
FIRST = SECTION_11.pages[0]
SIGN_OFF = SECTION_11.page("sign_off")  # its senior lead's declaration is the lead's alone


@pytest.fixture
def team(db_session):
    organisation = factories.OrganisationFactory(name="Riverside Police")
    lead = factories.UserFactory(
        organisation=organisation, role=Role.ORGANISATION_LEAD, name="Lee Lead"
    )
    contributor = factories.UserFactory(
        organisation=organisation, name="Cass Contributor", role=Role.ORGANISATION_CONTRIBUTOR
    )
    now = utcnow()
    cycle = cycles.publish_cycle(
        db_session,
        SECTION_11,
        cycles.NewCycle(
            "Section 11 2026", now - timedelta(days=1), now + timedelta(days=30), (organisation.id,)
        ),
        created_by=None,
    )
    return organisation, lead, contributor, cycle


def as_user(app, db_session, user):
    client = app.test_client()
    with client.session_transaction() as cookie:
        cookie["token"] = accounts.start_session(db_session, user)
    return client


def page_data(page) -> dict[str, str]:
    """Minimal valid answers for a Section 11 standard page."""
    import random

    from demo.answers import formdata_for, generate_answers

    answers = generate_answers(SECTION_11, rng=random.Random(3))
    return {k: v for k, v in formdata_for(page, answers)}


def post_page(client, cycle, page, data, *, loaded_version=None, opened=None):
    """Post a page; `opened` is the page as this person loaded it earlier (a stale copy)."""
    html = opened or client.get(f"/assessments/{cycle.id}/{page.id}").text
    payload = {**data, "csrf_token": csrf_from(html)}
    if opened is not None:
        payload["loaded_version"] = hidden(html, "loaded_version")[0]
        payload["loaded_answers"] = hidden(html, "loaded_answers")[0]
    if loaded_version is not None:
        payload["loaded_version"] = str(loaded_version)
    return client.post(f"/assessments/{cycle.id}/{page.id}", data=payload)


def sign_off_form(html: str) -> dict[str, str]:
    """Return what the lead's sign-off form posts: its token and the version it shows."""
    match = re.search(r'name="version" value="(\d+)"', html)
    assert match, "page has no sign-off form"
    return {"csrf_token": csrf_from(html), "version": match.group(1), "confirm": "yes"}


def stored_answers(db_session) -> dict:
    stored = db_session.scalar(select(Response))
    db_session.refresh(stored)
    return stored.answers


def hidden(html: str, name: str) -> list[str]:
    return re.findall(rf'<input type="hidden" name="{name}" value="([^"]*)"', html)


def start(client, cycle):
    html = client.get(f"/assessments/{cycle.id}").text
    return client.post(f"/assessments/{cycle.id}/start", data={"csrf_token": csrf_from(html)})


def test_contributor_saves_and_lead_sees_who_saved(app, db_session, team):
    organisation, lead, contributor, cycle = team
    cass = as_user(app, db_session, contributor)
    assert "Section 11 2026" in cass.get("/assessments").text
    start(cass, cycle)
    assert post_page(cass, cycle, FIRST, page_data(FIRST)).status_code == 302
    overview = as_user(app, db_session, lead).get(f"/assessments/{cycle.id}").text
    assert "by Cass Contributor" in overview
    assert db_session.scalar(select(func.count(Response.id))) == 1


def test_two_people_saving_the_same_page_do_not_overwrite(app, db_session, team):
    organisation, lead, contributor, cycle = team
    cass, lee = as_user(app, db_session, contributor), as_user(app, db_session, lead)
    start(cass, cycle)
    version = db_session.scalar(select(Response.version))
    data = page_data(FIRST)
    assert post_page(cass, cycle, FIRST, data, loaded_version=version).status_code == 302
    mine = {**data, "s1_evidence": "Lee's evidence"}
    stale = post_page(lee, cycle, FIRST, mine, loaded_version=version)
    assert stale.status_code == 409
    assert "Cass Contributor saved this page" in stale.text
    assert stored_answers(db_session)["s1_evidence"] == data["s1_evidence"]
    retry = post_page(lee, cycle, FIRST, mine)  # reloaded page: saves knowingly
    assert retry.status_code == 302


def test_contributor_asks_for_sign_off_and_lead_submits_once(app, db_session, team):
    organisation, lead, contributor, cycle = team
    cass, lee = as_user(app, db_session, contributor), as_user(app, db_session, lead)
    start(cass, cycle)
    for page in SECTION_11.pages:
        assert post_page(cass, cycle, page, page_data(page)).status_code == 302, page.id
    html = cass.get(f"/assessments/{cycle.id}/check").text
    assert "Send for sign-off" in html and "Sign off and submit" not in html
    cass.post(f"/assessments/{cycle.id}/submit", data={"csrf_token": csrf_from(html)})
    stored = db_session.scalar(select(Response))
    db_session.refresh(stored)
    assert stored.status is ResponseStatus.AWAITING_SIGN_OFF
    assert stored.answers.get("senior_lead_name") is None  # the contributor never declares
    declare(lee, cycle)
    html = lee.get(f"/assessments/{cycle.id}/check").text
    for _ in range(2):  # a double click
        lee.post(f"/assessments/{cycle.id}/submit", data=sign_off_form(html))
    db_session.refresh(stored)
    assert stored.status is ResponseStatus.SUBMITTED and stored.submitted_by_id == lead.id
    assert db_session.scalar(select(func.count(Response.id))) == 1
    overview = lee.get(f"/assessments/{cycle.id}").text
    assert "Return submitted" in overview and stored.reference in overview
    assert lee.get(f"/assessments/{cycle.id}/{FIRST.id}").status_code == 302  # read-only now
    locked = lee.post(
        f"/assessments/{cycle.id}/{FIRST.id}",
        data={**page_data(FIRST), "csrf_token": csrf_from(overview)},
    )
    assert locked.status_code == 302
    assert db_session.scalar(select(Response.version)) == stored.version


def test_incomplete_return_cannot_be_submitted(app, db_session, team):
    organisation, lead, contributor, cycle = team
    lee = as_user(app, db_session, lead)
    start(lee, cycle)
    html = lee.get(f"/assessments/{cycle.id}/check").text
    assert "Some required questions are not answered yet" in html
    lee.post(
        f"/assessments/{cycle.id}/submit", data={"csrf_token": csrf_from(html), "confirm": "yes"}
    )
    assert db_session.scalar(select(Response.status)) is ResponseStatus.IN_PROGRESS


def test_admin_reopens_and_the_submitted_version_is_kept(app, db_session, team, admin):
    organisation, lead, contributor, cycle = team
    lee = as_user(app, db_session, lead)
    start(lee, cycle)
    for page in SECTION_11.pages:
        post_page(lee, cycle, page, page_data(page))
    html = lee.get(f"/assessments/{cycle.id}/check").text
    lee.post(f"/assessments/{cycle.id}/submit", data=sign_off_form(html))
    stored = db_session.scalar(select(Response))
    boss = as_user(app, db_session, admin)
    html = boss.get(f"/admin/cycles/responses/{stored.id}").text
    boss.post(f"/admin/cycles/responses/{stored.id}/reopen", data={"csrf_token": csrf_from(html)})
    db_session.refresh(stored)
    assert stored.status is ResponseStatus.IN_PROGRESS
    assert len(stored.history) == 1 and stored.history[0].answers
    assert post_page(lee, cycle, FIRST, page_data(FIRST)).status_code == 302


def test_other_organisations_get_404_and_it_is_audited(app, db_session, team):
    organisation, lead, contributor, cycle = team
    other = factories.UserFactory(organisation=factories.OrganisationFactory(name="Elsewhere"))
    start(as_user(app, db_session, lead), cycle)
    outsider = as_user(app, db_session, other)
    for path in (
        f"/assessments/{cycle.id}",
        f"/assessments/{cycle.id}/{FIRST.id}",
        f"/assessments/{cycle.id}/check",
        f"/assessments/{cycle.id}/evidence/1",
        f"/assessments/{cycle.id + 1}",
    ):
        assert outsider.get(path).status_code == 404, path
    html = outsider.get("/assessments").text
    assert (
        outsider.post(
            f"/assessments/{cycle.id}/start", data={"csrf_token": csrf_from(html)}
        ).status_code
        == 404
    )
    denied = db_session.scalars(select(AuditEvent).where(AuditEvent.action == "access.denied"))
    assert len(list(denied)) >= 5


def test_evidence_upload_is_checked_stored_and_served_to_the_team_only(app, db_session, team):
    organisation, lead, contributor, cycle = team
    file_question = next((q for q in FIRST.questions if q.type.value == "file"), None)
    if file_question is None:
        pytest.skip("the first Section 11 page has no evidence upload")
    lee = as_user(app, db_session, lead)
    start(lee, cycle)
    data = page_data(FIRST)
    html = lee.get(f"/assessments/{cycle.id}/{FIRST.id}").text
    bad = lee.post(
        f"/assessments/{cycle.id}/{FIRST.id}",
        data={
            **data,
            "csrf_token": csrf_from(html),
            file_question.id: (io.BytesIO(b"MZ\x90\x00 not a pdf"), "minutes.pdf"),
        },
        content_type="multipart/form-data",
    )
    assert bad.status_code == 400 and "do not match its type" in bad.text
    good = lee.post(
        f"/assessments/{cycle.id}/{FIRST.id}",
        data={
            **data,
            "csrf_token": csrf_from(html),
            file_question.id: (io.BytesIO(b"%PDF-1.4 board minutes"), "../../board minutes.pdf"),
        },
        content_type="multipart/form-data",
    )
    assert good.status_code == 302
    stored = db_session.scalar(select(Response))
    db_session.refresh(stored)
    [file] = stored.answers[file_question.id]
    file_id = file["file_id"]
    download = lee.get(f"/assessments/{cycle.id}/evidence/{file_id}")
    assert download.data == b"%PDF-1.4 board minutes"
    assert "board minutes.pdf" in download.headers["Content-Disposition"]


def test_admin_reminds_organisations_that_have_not_submitted(
    app, db_session, team, admin, smtp_server
):
    app.config.update(MAIL_PORT=smtp_server.port)
    organisation, lead, contributor, cycle = team
    boss = as_user(app, db_session, admin)
    html = boss.get(f"/admin/cycles/{cycle.id}").text
    assert "Returns: 0 of 1 submitted" in html and "Not started" in html
    boss.post(f"/admin/cycles/{cycle.id}/reminders", data={"csrf_token": csrf_from(html)})
    emails = smtp_server.wait_for(2)
    assert {e["To"] for e in emails} == {lead.email, contributor.email}
    assert f"/assessments/{cycle.id}" in emails[0].get_content()


def fill_every_page(client, cycle) -> None:
    for page in SECTION_11.pages:
        assert post_page(client, cycle, page, page_data(page)).status_code == 302, page.id


def declare(lead_client, cycle) -> None:
    """The lead answers the senior lead's declaration (after a contributor filled the rest)."""
    assert post_page(lead_client, cycle, SIGN_OFF, page_data(SIGN_OFF)).status_code == 302


def test_lead_signs_off_only_the_version_they_reviewed(app, db_session, team):
    organisation, lead, contributor, cycle = team
    cass, lee = as_user(app, db_session, contributor), as_user(app, db_session, lead)
    start(cass, cycle)
    fill_every_page(cass, cycle)
    declare(lee, cycle)
    reviewed = lee.get(f"/assessments/{cycle.id}/check").text
    changed = {**page_data(FIRST), "s1_evidence": "Board minutes added after the review"}
    assert post_page(cass, cycle, FIRST, changed).status_code == 302

    refused = lee.post(f"/assessments/{cycle.id}/submit", data=sign_off_form(reviewed))
    assert refused.status_code == 409
    assert db_session.scalar(select(Response.status)) is not ResponseStatus.SUBMITTED
    assert "has not been submitted" in refused.text
    assert "Cass Contributor saved S11-1. Standard 1: Senior leadership" in refused.text
    assert "What evidence shows how you meet this standard?" in refused.text
    assert "Board minutes added after the review" in refused.text  # shown at the new version

    for _ in range(2):  # signs off what they now saw; a double click finds it submitted
        done = lee.post(f"/assessments/{cycle.id}/submit", data=sign_off_form(refused.text))
        assert done.status_code == 302
    stored = db_session.scalar(select(Response))
    db_session.refresh(stored)
    assert stored.status is ResponseStatus.SUBMITTED and stored.signed_off_by_id == lead.id
    assert stored.answers["s1_evidence"] == "Board minutes added after the review"


def test_a_save_that_changes_nothing_does_not_stop_sign_off(app, db_session, team):
    organisation, lead, contributor, cycle = team
    cass, lee = as_user(app, db_session, contributor), as_user(app, db_session, lead)
    start(cass, cycle)
    fill_every_page(cass, cycle)
    declare(lee, cycle)
    reviewed = lee.get(f"/assessments/{cycle.id}/check").text
    assert post_page(cass, cycle, FIRST, page_data(FIRST)).status_code == 302  # same answers
    lee.post(f"/assessments/{cycle.id}/submit", data=sign_off_form(reviewed))
    assert db_session.scalar(select(Response.status)) is ResponseStatus.SUBMITTED


def test_sign_off_without_the_reviewed_version_is_refused(app, db_session, team):
    organisation, lead, contributor, cycle = team
    lee = as_user(app, db_session, lead)
    start(lee, cycle)
    fill_every_page(lee, cycle)
    html = lee.get(f"/assessments/{cycle.id}/check").text
    for version in ("", "abc", "0", "999999"):
        answer = lee.post(
            f"/assessments/{cycle.id}/submit", data={**sign_off_form(html), "version": version}
        )
        assert answer.status_code == 409, version
    assert db_session.scalar(select(Response.status)) is ResponseStatus.IN_PROGRESS


def test_save_and_come_back_later_keeps_evidence_without_a_rating(app, db_session, team):
    organisation, lead, contributor, cycle = team
    cass = as_user(app, db_session, contributor)
    start(cass, cycle)
    typed = {"s1_evidence": "Board minutes, March 2026", "save_and_return": "1"}
    saved = post_page(cass, cycle, FIRST, typed)
    assert saved.status_code == 302 and saved.location.endswith(f"/assessments/{cycle.id}")
    answers = stored_answers(db_session)
    assert answers["s1_evidence"] == "Board minutes, March 2026"
    assert answers.get("s1_rating") is None
    assert "Board minutes, March 2026" in cass.get(f"/assessments/{cycle.id}/{FIRST.id}").text
    assert "In progress" in cass.get(f"/assessments/{cycle.id}").text


def test_save_for_later_keeps_a_half_written_action(app, db_session, team):
    organisation, lead, contributor, cycle = team
    cass = as_user(app, db_session, contributor)
    start(cass, cycle)
    typed = {"s1_actions-0-action": "Refresh the board's training", "save_and_return": "1"}
    assert post_page(cass, cycle, FIRST, typed).status_code == 302
    [row] = [row for row in stored_answers(db_session)["s1_actions"] if row.get("action")]
    assert row["action"] == "Refresh the board's training" and row.get("owner") is None
    html = cass.get(f"/assessments/{cycle.id}/{FIRST.id}").text
    assert "Refresh the board&#39;s training" in html


def test_save_for_later_still_refuses_text_that_would_corrupt_the_answers(app, db_session, team):
    organisation, lead, contributor, cycle = team
    cass = as_user(app, db_session, contributor)
    start(cass, cycle)
    for bad in ("minutes\x00", "x" * 10_001):
        answer = post_page(cass, cycle, FIRST, {"s1_evidence": bad, "save_and_return": "1"})
        assert answer.status_code == 400
    assert stored_answers(db_session).get("s1_evidence") is None


def test_save_and_continue_without_a_rating_shows_the_error_and_keeps_the_text(
    app, db_session, team
):
    organisation, lead, contributor, cycle = team
    cass = as_user(app, db_session, contributor)
    start(cass, cycle)
    answer = post_page(cass, cycle, FIRST, {"s1_evidence": "Board minutes, March 2026"})
    assert answer.status_code == 400
    assert "Select how well your organisation meets standard 1" in answer.text
    assert "Board minutes, March 2026" in answer.text


def both_open_the_first_page(app, db_session, team):
    """Cass and Lee open the first standard after it was filled in once."""
    organisation, lead, contributor, cycle = team
    cass, lee = as_user(app, db_session, contributor), as_user(app, db_session, lead)
    start(cass, cycle)
    assert post_page(cass, cycle, FIRST, page_data(FIRST)).status_code == 302
    path = f"/assessments/{cycle.id}/{FIRST.id}"
    return cass, lee, cass.get(path).text, lee.get(path).text


def test_a_clash_shows_their_answer_beside_mine_and_i_choose_per_question(app, db_session, team):
    cycle = team[3]
    cass, lee, cass_page, lee_page = both_open_the_first_page(app, db_session, team)
    base = page_data(FIRST)
    theirs = {**base, "s1_evidence": "Cass: the board minutes", "s1_impact": "Cass: impact"}
    assert post_page(cass, cycle, FIRST, theirs, opened=cass_page).status_code == 302
    mine = {**base, "s1_evidence": "Lee: the annual report", "s1_development": "Lee: audits"}
    clash = post_page(lee, cycle, FIRST, mine, opened=lee_page)
    assert clash.status_code == 409
    assert "Their answer (saved by Cass Contributor at" in clash.text
    assert "Cass: the board minutes" in clash.text and "Lee: the annual report" in clash.text
    # Only evidence was changed by both: Cass's impact and Lee's development are not asked.
    assert hidden(clash.text, "conflict") == ["s1_evidence"]
    assert stored_answers(db_session)["s1_evidence"] == "Cass: the board minutes"

    fresh = {
        "loaded_version": hidden(clash.text, "loaded_version")[0],
        "loaded_answers": hidden(clash.text, "loaded_answers")[0],
        "conflict": "s1_evidence",
        "csrf_token": csrf_from(clash.text),
    }
    path = f"/assessments/{cycle.id}/{FIRST.id}"
    unchosen = lee.post(path, data={**mine, **fresh, "resolve": "chosen"})
    assert unchosen.status_code == 400
    assert "Choose whether to keep their answer or use yours" in unchosen.text
    chosen = lee.post(
        path, data={**mine, **fresh, "resolve": "chosen", "choice-s1_evidence": "theirs"}
    )
    assert chosen.status_code == 302
    answers = stored_answers(db_session)
    assert answers["s1_evidence"] == "Cass: the board minutes"
    assert answers["s1_development"] == "Lee: audits"
    assert answers["s1_impact"] == "Cass: impact"


def test_a_clash_can_be_settled_with_all_my_answers(app, db_session, team):
    cycle = team[3]
    cass, lee, cass_page, lee_page = both_open_the_first_page(app, db_session, team)
    base = page_data(FIRST)
    assert (
        post_page(cass, cycle, FIRST, {**base, "s1_evidence": "Cass"}, opened=cass_page)
    ).status_code == 302
    mine = {**base, "s1_evidence": "Lee"}
    clash = post_page(lee, cycle, FIRST, mine, opened=lee_page)
    assert clash.status_code == 409
    settled = lee.post(
        f"/assessments/{cycle.id}/{FIRST.id}",
        data={
            **mine,
            "loaded_version": hidden(clash.text, "loaded_version")[0],
            "conflict": "s1_evidence",
            "resolve": "mine",
            "csrf_token": csrf_from(clash.text),
        },
    )
    assert settled.status_code == 302
    assert stored_answers(db_session)["s1_evidence"] == "Lee"


def test_changes_to_different_questions_of_a_page_merge_without_asking(app, db_session, team):
    cycle = team[3]
    cass, lee, cass_page, lee_page = both_open_the_first_page(app, db_session, team)
    base = page_data(FIRST)
    theirs = {**base, "s1_evidence": "Cass: the board minutes"}
    assert post_page(cass, cycle, FIRST, theirs, opened=cass_page).status_code == 302
    mine = {**base, "s1_development": "Lee: audits"}
    assert post_page(lee, cycle, FIRST, mine, opened=lee_page).status_code == 302
    answers = stored_answers(db_session)
    assert answers["s1_evidence"] == "Cass: the board minutes"
    assert answers["s1_development"] == "Lee: audits"
