"""Answer once: an organisation serving two partnerships answers one shared Section 11.

Partnership A publishes a Section 11 cycle shared with partnership B; B joins it; each adds a
local question. The police force, which serves both, answers one return (its lead is a
member of A only), signs it off once, and each partnership sees it in its own returns list
with the form's answers and its own local answer only. Copies never drift: a stale save made
through one partnership's copy is refused, a change through the other stops a sign-off of
what the lead did not see, and reopening reopens it for both and tells them.
"""

from __future__ import annotations

import io
import re
import uuid
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path

import pytest
from sqlalchemy import create_engine, select

from surveys import tenancy
from surveys.definition import QuestionType
from surveys.loader import load_definitions
from surveys.models import (
    Cycle,
    EvidenceFile,
    OrganisationPartnership,
    Partnership,
    Response,
    ResponseStatus,
    Role,
    SharedCycleOffer,
    User,
)
from tests import factories
from tests.conftest import csrf_from, date_fields, post_with_csrf
from tests.integration.webapp.test_assessments import as_user, page_data, sign_off_form

SECTION_11 = load_definitions().latest("section-11")
FILE_QUESTION = next(
    q for page in SECTION_11.pages for q in page.questions if q.type is QuestionType.FILE
)


@dataclass
class Region:
    a: Partnership
    b: Partnership
    admin_a: User
    admin_b: User
    police: object
    lead: User  # a member of A only
    b_contributor: User  # the same force's contributor, a member of B only


@pytest.fixture
def region(db_session) -> Region:
    return make_region(db_session)


def make_region(db_session) -> Region:
    a = db_session.scalar(select(Partnership).order_by(Partnership.id))
    police = factories.OrganisationFactory(name="Shire Police")
    admin_a = factories.UserFactory(role=Role.PARTNERSHIP_ADMIN, organisation=None)
    lead = factories.UserFactory(organisation=police, role=Role.ORGANISATION_LEAD, name="Lee Lead")
    b = Partnership(name="Neighbouring Partnership")
    db_session.add(b)
    db_session.commit()
    tenancy.work_in(db_session, b.id)
    db_session.add(OrganisationPartnership(organisation_id=police.id, partnership_id=b.id))
    admin_b = factories.UserFactory(role=Role.PARTNERSHIP_ADMIN, organisation=None)
    b_contributor = factories.UserFactory(
        organisation=police, role=Role.ORGANISATION_CONTRIBUTOR, name="Bea Contributor"
    )
    db_session.commit()
    tenancy.work_in(db_session, a.id)
    return Region(a, b, admin_a, admin_b, police, lead, b_contributor)


def publish_shared(app, db_session, region: Region) -> tuple[Cycle, Cycle]:
    """A publishes a shared Section 11 offered to B; B joins with the force; both add a question."""
    admin_a = as_user(app, db_session, region.admin_a)
    today = date.today()
    published = post_with_csrf(
        admin_a,
        "/admin/cycles/new",
        {
            "definition": "section-11",
            "title": "Regional Section 11 2026",
            **date_fields("opens_on", today - timedelta(days=1)),
            **date_fields("closes_on", today + timedelta(days=30)),
            "organisations": str(region.police.id),
            "share_with": str(region.b.id),
        },
    )
    assert published.status_code == 302, published.text
    cycle_a = db_session.scalar(select(Cycle).where(Cycle.title == "Regional Section 11 2026"))
    admin_b = as_user(app, db_session, region.admin_b)
    offers = admin_b.get("/admin/cycles").text
    assert "Shared cycles offered to you" in offers and "Regional Section 11 2026" in offers
    with tenancy.every_partnership(db_session):
        offer = db_session.scalar(select(SharedCycleOffer))
    joined = post_with_csrf(
        admin_b, f"/admin/cycles/offers/{offer.id}", {"organisations": str(region.police.id)}
    )
    assert joined.status_code == 302, joined.text
    tenancy.work_in(db_session, region.b.id)
    cycle_b = db_session.scalar(select(Cycle))
    assert cycle_b.shared_round == cycle_a.shared_round and cycle_b.id != cycle_a.id
    for client, cycle, question in (
        (admin_a, cycle_a, "How do you share information with the MASH?"),
        (admin_b, cycle_b, "How do you work with our county lines protocol?"),
    ):
        added = post_with_csrf(
            client, f"/admin/cycles/{cycle.id}/local-questions", {"label": question}
        )
        assert added.status_code == 302, added.text
    tenancy.work_in(db_session, region.a.id)
    return cycle_a, cycle_b


def copies(db_session) -> list[Response]:
    with tenancy.every_partnership(db_session):
        found = list(db_session.scalars(select(Response).order_by(Response.id)))
        for response in found:
            db_session.refresh(response)
    return found


def local_ids(db_session, cycle: Cycle) -> list[str]:
    with tenancy.every_partnership(db_session):
        stored = db_session.get(Cycle, cycle.id)
        db_session.refresh(stored)
        return [question["id"] for question in stored.local_questions]


def answer_everything(client, cycle: Cycle, local: dict[str, str]) -> None:
    """Answer every Section 11 page and each partnership's local page as the force."""
    start = client.get(f"/assessments/{cycle.id}").text
    client.post(f"/assessments/{cycle.id}/start", data={"csrf_token": csrf_from(start)})
    for page in SECTION_11.pages:
        saved = post_with_csrf(client, f"/assessments/{cycle.id}/{page.id}", page_data(page))
        assert saved.status_code == 302, saved.text
    overview = client.get(f"/assessments/{cycle.id}").text
    local_pages = re.findall(rf"/assessments/{cycle.id}/(local_questions_\d+)", overview)
    assert len(set(local_pages)) == 2, "both partnerships' local questions are asked"
    for page_id in dict.fromkeys(local_pages):
        html = client.get(f"/assessments/{cycle.id}/{page_id}").text
        (question_id,) = re.findall(r'name="(local_[0-9a-f]{8})"', html)
        saved = post_with_csrf(
            client, f"/assessments/{cycle.id}/{page_id}", {question_id: local[question_id]}
        )
        assert saved.status_code == 302, saved.text


def test_one_return_signed_off_once_is_seen_by_both_partnerships(app, db_session, region):
    one_return_seen_by_both(app, db_session, region)


@pytest.mark.postgres
def test_on_postgresql_row_level_security_lets_each_partnership_see_only_its_copy():
    """The same journey as an ordinary database role, row-level security on."""
    from sqlalchemy import text

    from surveys import migration
    from tests.conftest import POSTGRES_URL, inspect_session, make_app, require_service
    from tests.integration.test_tenancy_postgres import APP_ROLE
    from webapp.database import get_engine

    require_service("PostgreSQL", "127.0.0.1", 5432)
    schema = f"shared_{uuid.uuid4().hex[:8]}"
    admin = create_engine(POSTGRES_URL)
    with admin.begin() as connection:
        connection.execute(text(f'CREATE SCHEMA "{schema}"'))
        if not connection.scalar(
            text("SELECT 1 FROM pg_roles WHERE rolname = :r"), {"r": APP_ROLE}
        ):
            connection.execute(text(f"CREATE ROLE {APP_ROLE} LOGIN NOSUPERUSER NOBYPASSRLS"))
    migration.upgrade(f"{POSTGRES_URL}?options=-csearch_path%3D{schema}")
    with admin.begin() as connection:
        for grant in (
            "USAGE ON SCHEMA",
            "ALL ON ALL TABLES IN SCHEMA",
            "ALL ON ALL SEQUENCES IN SCHEMA",
        ):
            connection.execute(text(f'GRANT {grant} "{schema}" TO {APP_ROLE}'))
    url = POSTGRES_URL.replace("://postgres@", f"://{APP_ROLE}@", 1)
    app = make_app(DATABASE_URL=f"{url}?options=-csearch_path%3D{schema}")
    try:
        with inspect_session(app) as session:
            factories.bind(session)
            one_return_seen_by_both(app, session, make_region(session))
    finally:
        get_engine(app).dispose()
        with admin.begin() as connection:
            connection.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
        admin.dispose()


def one_return_seen_by_both(app, db_session, region: Region) -> None:
    cycle_a, cycle_b = publish_shared(app, db_session, region)
    (a_question,), (b_question,) = local_ids(db_session, cycle_a), local_ids(db_session, cycle_b)
    local = {a_question: "Daily MASH calls", b_question: "Weekly county lines briefings"}
    lee = as_user(app, db_session, region.lead)
    assert "Regional Section 11 2026" in lee.get("/assessments").text
    answer_everything(lee, cycle_a, local)
    check = lee.get(f"/assessments/{cycle_a.id}/check").text
    assert "Daily MASH calls" in check and "Weekly county lines briefings" in check
    assert "Neighbouring Partnership" in lee.get(f"/assessments/{cycle_a.id}").text

    submitted = lee.post(f"/assessments/{cycle_a.id}/submit", data=sign_off_form(check))
    assert submitted.status_code == 302

    a_copy, b_copy = copies(db_session)
    assert {a_copy.partnership_id, b_copy.partnership_id} == {region.a.id, region.b.id}
    for copy in (a_copy, b_copy):
        assert copy.status is ResponseStatus.SUBMITTED
        assert copy.signed_off_by_id == region.lead.id
    form_answers = {q.id for page in SECTION_11.pages for q in page.questions}
    assert {k: v for k, v in a_copy.answers.items() if k in form_answers} == {
        k: v for k, v in b_copy.answers.items() if k in form_answers
    }
    mine = a_copy if a_copy.partnership_id == region.a.id else b_copy
    theirs = b_copy if mine is a_copy else a_copy
    assert mine.answers[a_question] == "Daily MASH calls" and b_question not in mine.answers
    assert theirs.answers[b_question] == "Weekly county lines briefings"
    assert a_question not in theirs.answers

    for admin, copy, shown, hidden in (
        (region.admin_a, mine, "Daily MASH calls", "Weekly county lines briefings"),
        (region.admin_b, theirs, "Weekly county lines briefings", "Daily MASH calls"),
    ):
        client = as_user(app, db_session, admin)
        returns = client.get(f"/admin/cycles/{copy.cycle_id}").text
        assert "Returns: 1 of 1 submitted" in returns
        page = client.get(f"/admin/cycles/responses/{copy.id}").text
        assert shown in page and hidden not in page
        assert "answered once for Neighbouring Partnership" in page
        other = theirs if copy is mine else mine
        assert client.get(f"/admin/cycles/responses/{other.id}").status_code == 404


def test_a_change_through_one_partnership_stops_a_sign_off_through_the_other(
    app, db_session, region
):
    cycle_a, cycle_b = publish_shared(app, db_session, region)
    (a_question,), (b_question,) = local_ids(db_session, cycle_a), local_ids(db_session, cycle_b)
    lee = as_user(app, db_session, region.lead)
    answer_everything(lee, cycle_a, {a_question: "MASH", b_question: "Briefings"})
    check = lee.get(f"/assessments/{cycle_a.id}/check").text  # the lead reads it...

    bea = as_user(app, db_session, region.b_contributor)  # ...while B's member edits it
    first = SECTION_11.pages[0]
    changed = {**page_data(first), "s1_evidence": "Changed after the lead read it"}
    assert post_with_csrf(bea, f"/assessments/{cycle_b.id}/{first.id}", changed).status_code == 302

    refused = lee.post(f"/assessments/{cycle_a.id}/submit", data=sign_off_form(check))
    assert refused.status_code == 409
    assert all(copy.status is not ResponseStatus.SUBMITTED for copy in copies(db_session))
    assert {copy.answers["s1_evidence"] for copy in copies(db_session)} == {
        "Changed after the lead read it"
    }

    stale = {**page_data(first), "s1_evidence": "A stale overwrite"}
    version = copies(db_session)[0].version - 1
    html = lee.get(f"/assessments/{cycle_a.id}/{first.id}").text
    overwrite = lee.post(
        f"/assessments/{cycle_a.id}/{first.id}",
        data={**stale, "csrf_token": csrf_from(html), "loaded_version": str(version)},
    )
    assert overwrite.status_code == 409
    assert {copy.answers["s1_evidence"] for copy in copies(db_session)} == {
        "Changed after the lead read it"
    }


def test_reopening_reopens_it_for_every_partnership_and_tells_them(
    app, db_session, region, smtp_server
):
    app.config.update(MAIL_PORT=smtp_server.port)
    cycle_a, cycle_b = publish_shared(app, db_session, region)
    (a_question,), (b_question,) = local_ids(db_session, cycle_a), local_ids(db_session, cycle_b)
    lee = as_user(app, db_session, region.lead)
    answer_everything(lee, cycle_a, {a_question: "MASH", b_question: "Briefings"})
    check = lee.get(f"/assessments/{cycle_a.id}/check").text
    lee.post(f"/assessments/{cycle_a.id}/submit", data=sign_off_form(check))
    b_copy = next(c for c in copies(db_session) if c.partnership_id == region.b.id)

    admin_b = as_user(app, db_session, region.admin_b)
    reopened = post_with_csrf(
        admin_b,
        f"/admin/cycles/responses/{b_copy.id}",
        {},
        action=f"/admin/cycles/responses/{b_copy.id}/reopen",
        follow_redirects=True,
    )
    assert "reopened for every partnership: 3 people told" in reopened.text
    assert all(copy.status is ResponseStatus.IN_PROGRESS for copy in copies(db_session))
    assert all(len(copy.history) == 1 for copy in copies(db_session))
    told = {email["To"] for email in smtp_server.wait_for(3)}
    assert told == {region.admin_a.email, region.admin_b.email, region.lead.email}
    # both local answers are still there to change, and the lead can sign off again
    check = lee.get(f"/assessments/{cycle_a.id}/check").text
    assert "MASH" in check and "Briefings" in check
    again = lee.post(f"/assessments/{cycle_a.id}/submit", data=sign_off_form(check))
    assert again.status_code == 302
    assert all(copy.status is ResponseStatus.SUBMITTED for copy in copies(db_session))


def test_evidence_is_each_partnerships_own_file(app, db_session, region):
    cycle_a, _ = publish_shared(app, db_session, region)
    lee = as_user(app, db_session, region.lead)
    start = lee.get(f"/assessments/{cycle_a.id}").text
    lee.post(f"/assessments/{cycle_a.id}/start", data={"csrf_token": csrf_from(start)})
    page = next(p for p in SECTION_11.pages if FILE_QUESTION in p.questions)
    url = f"/assessments/{cycle_a.id}/{page.id}"
    uploaded = lee.post(
        url,
        data={
            **page_data(page),
            "csrf_token": csrf_from(lee.get(url).text),
            FILE_QUESTION.id: (io.BytesIO(b"%PDF-1.4 safeguarding policy"), "policy.pdf"),
        },
        content_type="multipart/form-data",
    )
    assert uploaded.status_code == 302, uploaded.text
    with tenancy.every_partnership(db_session):
        files = list(db_session.scalars(select(EvidenceFile).order_by(EvidenceFile.id)))
    assert len(files) == 2
    assert {f.partnership_id for f in files} == {region.a.id, region.b.id}
    assert files[1].copied_from_id == files[0].id
    folder = Path(app.config.get("DATA_FOLDER") or app.instance_path) / "evidence"
    assert [(folder / f.stored_name).read_bytes() for f in files] == [
        b"%PDF-1.4 safeguarding policy"
    ] * 2
    for copy in copies(db_session):
        mine = next(f for f in files if f.partnership_id == copy.partnership_id)
        assert [file["file_id"] for file in copy.answers[FILE_QUESTION.id]] == [mine.id]


def test_a_partnership_joining_later_gets_the_answers_so_far(app, db_session, region):
    admin_a = as_user(app, db_session, region.admin_a)
    today = date.today()
    post_with_csrf(
        admin_a,
        "/admin/cycles/new",
        {
            "definition": "section-11",
            "title": "Regional Section 11 2026",
            **date_fields("opens_on", today - timedelta(days=1)),
            **date_fields("closes_on", today + timedelta(days=30)),
            "organisations": str(region.police.id),
            "share_with": str(region.b.id),
        },
    )
    cycle_a = db_session.scalar(select(Cycle))
    lee = as_user(app, db_session, region.lead)
    start = lee.get(f"/assessments/{cycle_a.id}").text
    lee.post(f"/assessments/{cycle_a.id}/start", data={"csrf_token": csrf_from(start)})
    first = SECTION_11.pages[0]
    post_with_csrf(lee, f"/assessments/{cycle_a.id}/{first.id}", page_data(first))
    assert len(copies(db_session)) == 1

    with tenancy.every_partnership(db_session):
        offer = db_session.scalar(select(SharedCycleOffer))
    admin_b = as_user(app, db_session, region.admin_b)
    post_with_csrf(
        admin_b, f"/admin/cycles/offers/{offer.id}", {"organisations": str(region.police.id)}
    )
    lee.get(f"/assessments/{cycle_a.id}")  # the force opens its return again

    a_copy, b_copy = copies(db_session)
    assert b_copy.partnership_id == region.b.id
    assert b_copy.version == a_copy.version
    assert b_copy.answers["s1_evidence"] == a_copy.answers["s1_evidence"]


def test_deleting_one_partnership_leaves_the_others_copy_of_the_shared_return(
    app, db_session, region, tmp_path
):
    """Leaving cleanly: A is exported and deleted; B's copy, its evidence and pages stay."""
    import learning.models  # noqa: F401 - the learning tables are A's too
    from surveys import leaving

    cycle_a, cycle_b = publish_shared(app, db_session, region)
    (a_question,), (b_question,) = local_ids(db_session, cycle_a), local_ids(db_session, cycle_b)
    lee = as_user(app, db_session, region.lead)
    answer_everything(lee, cycle_a, {a_question: "MASH", b_question: "Briefings"})
    check = lee.get(f"/assessments/{cycle_a.id}/check").text
    assert (
        lee.post(f"/assessments/{cycle_a.id}/submit", data=sign_off_form(check)).status_code == 302
    )
    b_before = next(c for c in copies(db_session) if c.partnership_id == region.b.id)
    answers_before = dict(b_before.answers)

    folder = Path(app.config.get("DATA_FOLDER") or app.instance_path) / "evidence"
    with tenancy.every_partnership(db_session):
        leaving.export_partnership(
            db_session, region.a.id, to=tmp_path / "a.zip", evidence_folder=folder
        )
        leaving.delete_partnership(db_session, region.a.id, evidence_folder=folder)
    db_session.expire_all()
    tenancy.work_in(db_session, region.b.id)  # A is gone

    (b_copy,) = copies(db_session)
    assert b_copy.id == b_before.id and b_copy.partnership_id == region.b.id
    assert b_copy.status is ResponseStatus.SUBMITTED and b_copy.answers == answers_before
    admin_b = as_user(app, db_session, region.admin_b)
    assert "Returns: 1 of 1 submitted" in admin_b.get(f"/admin/cycles/{cycle_b.id}").text
    page = admin_b.get(f"/admin/cycles/responses/{b_copy.id}")
    assert page.status_code == 200 and "Briefings" in page.text
