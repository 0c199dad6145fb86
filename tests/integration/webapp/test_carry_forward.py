"""Carry forward: next cycle's return starts from the last one, each standard confirmed or
changed before it goes, and the partnership sees what changed since last cycle."""

from __future__ import annotations

import random
import re
from datetime import timedelta

from sqlalchemy import select

from demo.answers import generate_answers
from surveys import carry_forward, responses, tenancy
from surveys.loader import load_definitions
from surveys.models import Response, ResponseStatus, utcnow
from tests import factories
from tests.conftest import csrf_from
from tests.integration.webapp import test_assessments
from tests.integration.webapp.test_assessments import (
    SECTION_11,
    SIGN_OFF,
    as_user,
    declare,
    page_data,
    post_page,
    sign_off_form,
)
from tests.integration.webapp.test_your_returns import answer_and_submit, publish

team = test_assessments.team  # the fixture: an organisation's lead, contributor and a cycle
STANDARDS = [page for page in SECTION_11.pages if page.standard]
LAST_YEAR = generate_answers(SECTION_11, rng=random.Random(5))


def last_year(db_session, organisation, lead):
    """The organisation's submitted return to last year's cycle (files on standard 1)."""
    cycle = publish(db_session, organisation, "Section 11 2025", days_ago=380, closes_in=30)
    submitted = answer_and_submit(
        db_session, cycle, organisation, lead, LAST_YEAR, files=("minutes.pdf", "plan.pdf")
    )
    cycle.closes_at = utcnow() - timedelta(days=300)
    db_session.commit()
    return submitted


def start(client, cycle):
    html = client.get(f"/assessments/{cycle.id}").text
    return client.post(f"/assessments/{cycle.id}/start", data={"csrf_token": csrf_from(html)})


def this_years(db_session) -> Response:
    found = db_session.scalars(select(Response).order_by(Response.id.desc())).first()
    db_session.refresh(found)
    return found


def test_a_new_return_starts_from_the_last_with_every_standard_to_confirm(app, db_session, team):
    organisation, lead, contributor, cycle = team
    last_year(db_session, organisation, lead)
    cass = as_user(app, db_session, contributor)
    before = cass.get(f"/assessments/{cycle.id}").text
    assert "will start from your organisation’s last one, Section 11 2025" in before
    start(cass, cycle)

    answers = this_years(db_session).answers
    for page in STANDARDS:
        for question in page.questions:
            if question.type.value != "file" and question.id in LAST_YEAR:
                assert answers[question.id] == LAST_YEAR[question.id], question.id
    assert "s1_evidence_file" not in answers  # evidence files are never carried
    assert all(question.id not in answers for question in SIGN_OFF.questions)
    mark = carry_forward.carried(answers)
    assert mark.from_title == "Section 11 2025"
    assert mark.unconfirmed == tuple(page.id for page in STANDARDS)

    overview = cass.get(f"/assessments/{cycle.id}").text
    assert len(re.findall(r"Carried forward\s*</strong>", overview)) == len(STANDARDS)
    assert f"{len(STANDARDS)} still to confirm" in overview
    first = cass.get(f"/assessments/{cycle.id}/standard_1").text
    assert "Carried forward from Section 11 2025 — confirm or change" in first
    assert "minutes.pdf" in first and "plan.pdf" in first  # named, to attach again
    assert "upload them again if they still apply" in first


def test_saving_a_page_confirms_it_changed_or_not_and_the_rest_stop_submission(
    app, db_session, team
):
    organisation, lead, contributor, cycle = team
    last_year(db_session, organisation, lead)
    cass, lee = as_user(app, db_session, contributor), as_user(app, db_session, lead)
    start(cass, cycle)
    version = this_years(db_session).version
    unchanged = {**page_data(STANDARDS[0]), **_as_posted(STANDARDS[0])}
    assert post_page(cass, cycle, STANDARDS[0], unchanged).status_code == 302
    saved = this_years(db_session)
    assert saved.version == version  # confirmed without a new version: nothing changed
    assert "standard_1" not in carry_forward.carried(saved.answers).unconfirmed
    assert "Carried forward from" not in cass.get(f"/assessments/{cycle.id}/standard_1").text

    declare(lee, cycle)
    check = lee.get(f"/assessments/{cycle.id}/check").text
    assert "13 standards are still as carried forward from Section 11 2025" in check
    refused = lee.post(f"/assessments/{cycle.id}/submit", data=sign_off_form(check))
    assert refused.status_code == 400
    assert "There is a problem" in refused.text
    assert "Confirm or change S11-2. Standard 2" in refused.text
    assert f'href="/assessments/{cycle.id}/standard_2?back=check"' in refused.text
    theirs = cass.get(f"/assessments/{cycle.id}/check").text
    sent = cass.post(f"/assessments/{cycle.id}/submit", data={"csrf_token": csrf_from(theirs)})
    assert sent.status_code == 400 and "Confirm or change S11-14" in sent.text
    assert this_years(db_session).status is ResponseStatus.IN_PROGRESS

    for page in STANDARDS[1:]:
        assert post_page(cass, cycle, page, _as_posted(page)).status_code == 302, page.id
    check = lee.get(f"/assessments/{cycle.id}/check").text
    assert "still as carried forward" not in check
    lee.post(f"/assessments/{cycle.id}/submit", data=sign_off_form(check))
    assert this_years(db_session).status is ResponseStatus.SUBMITTED


def _as_posted(page) -> dict[str, str]:
    """The page's carried answers as a browser posts them back unchanged."""
    from demo.answers import formdata_for

    return dict(formdata_for(page, LAST_YEAR))


def test_the_partnership_sees_per_standard_what_changed_since_last_cycle(
    app, db_session, team, admin
):
    organisation, lead, contributor, cycle = team
    previous = last_year(db_session, organisation, lead)
    changed = dict(LAST_YEAR)
    before = SECTION_11.question("s2_rating").option_label(LAST_YEAR["s2_rating"]["value"])
    new_rating = next(
        level for level in SECTION_11.question("s2_rating").scale.levels if level.label != before
    )
    changed["s2_rating"] = {"value": new_rating.value, "scale_version": 1}
    changed["s3_evidence"] = "A new safeguarding policy, approved by the board in May."
    now = answer_and_submit(db_session, cycle, organisation, lead, changed)
    page = as_user(app, db_session, admin).get(f"/admin/cycles/responses/{now.id}").text
    assert f"last return (Section 11 2025, reference {previous.reference})" in page
    assert page.count("Unchanged since last cycle (Section 11 2025)") == len(STANDARDS) - 3
    assert f"rating {before} → {new_rating.label}" in page
    assert "changed: ‘What evidence shows how you meet this standard?’" in page
    # standard 1: last year's files are not this year's
    assert "changed: ‘Upload evidence (optional)’" in page


def test_a_shared_return_carries_the_marks_to_every_copy(app, db_session):
    from tests.integration.webapp.test_shared_returns import copies, make_region, publish_shared

    region = make_region(db_session)
    earlier = publish(db_session, region.police, "Section 11 2025", days_ago=380, closes_in=30)
    earlier.opens_at = utcnow() - timedelta(days=400)
    db_session.commit()
    answer_and_submit(db_session, earlier, region.police, region.lead, LAST_YEAR)
    cycle_a, cycle_b = publish_shared(app, db_session, region)
    response = responses.start_organisation_response(
        db_session, cycle_a, region.police.id, definitions=load_definitions()
    )
    shared = [copy for copy in copies(db_session) if copy.cycle_id in (cycle_a.id, cycle_b.id)]
    assert len(shared) == 2
    assert [carry_forward.carried(copy.answers).unconfirmed for copy in shared] == [
        tuple(page.id for page in STANDARDS)
    ] * 2
    bea = as_user(app, db_session, region.b_contributor)  # confirms through B's copy
    tenancy.work_in(db_session, region.b.id)
    assert post_page(bea, cycle_b, STANDARDS[0], _as_posted(STANDARDS[0])).status_code == 302
    tenancy.work_in(db_session, region.a.id)
    shared = [copy for copy in copies(db_session) if copy.cycle_id in (cycle_a.id, cycle_b.id)]
    for copy in shared:
        assert "standard_1" not in carry_forward.carried(copy.answers).unconfirmed
    assert {copy.answers.get("s1_evidence") for copy in shared} == {LAST_YEAR["s1_evidence"]}
    assert response.id in {copy.id for copy in shared}
    assert factories  # the region's people come from the factories
