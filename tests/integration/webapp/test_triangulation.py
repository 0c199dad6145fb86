"""Triangulation through the pages: a "Met" standard most of the organisation's own
practitioners say is not met in practice is flagged on the reviewer's page and on the
organisation's own, with the counts one click away; other organisations' staff are not
counted, small groups are not shown, and each organisation sees only its own."""

from __future__ import annotations

from datetime import timedelta

import pytest

from surveys import cycles, responses
from surveys.loader import load_definitions
from surveys.models import Role, utcnow
from tests import factories
from tests.integration.webapp.test_assessments import as_user

CONSULTATION = load_definitions().latest("practitioner-consultation")
MET = {"value": "met", "scale_version": 1}


def consultation_answers(session, organisation_id: int | str, escalation: list[str]) -> None:
    """Record practitioners' consultation answers, one per escalation answer given."""
    now = utcnow()
    cycle = cycles.publish_cycle(
        session,
        CONSULTATION,
        cycles.NewCycle("Neglect consultation", now - timedelta(days=40), now + timedelta(days=9)),
        created_by=None,
    )
    for answer in escalation:
        responses.record_submitted_response(
            session,
            cycle,
            CONSULTATION,
            responses.CompleteResponse(
                {
                    "sector": "health",
                    "role_level": "practitioner",
                    "organisation": str(organisation_id),
                    "aware_of_strategy": "yes",
                    "tool_confidence": "3",
                    "escalation_known": answer,
                    "referral_known": "yes",
                    "training_recent": "yes",
                    "what_works": "Joint visits",
                    "barriers": "Caseloads",
                },
                submitted_at=now - timedelta(days=5),
            ),
        )
    session.commit()


@pytest.fixture
def world(db_session):
    health = factories.OrganisationFactory(name="Shire Health Trust")
    police = factories.OrganisationFactory(name="Shire Police")
    health_return = factories.submitted_return(
        db_session, health, title="Section 11 2026", answers={"s6_rating": MET, "s12_rating": MET}
    )
    police_return = factories.submitted_return(db_session, police, title="Section 11 2026 B")
    # the trust's staff: 5 of 8 do not know the escalation procedure; every police officer
    # does not either, and must not be counted for the trust
    consultation_answers(db_session, health.id, ["no"] * 3 + ["not_sure"] * 2 + ["yes"] * 3)
    consultation_answers(db_session, police.id, ["no"] * 6)
    consultation_answers(db_session, "other", ["no"] * 6)
    return {
        "health_return": health_return,
        "police_return": police_return,
        "reviewer": factories.person_holding(db_session, {Role.REVIEWER}, police),
        "health_lead": factories.UserFactory(role=Role.ORGANISATION_LEAD, organisation=health),
        "police_lead": factories.UserFactory(role=Role.ORGANISATION_LEAD, organisation=police),
    }


def test_the_reviewer_sees_the_disagreement_and_its_counts(app, db_session, world):
    reviewer = as_user(app, db_session, world["reviewer"])
    page = reviewer.get(f"/scrutiny/returns/{world['health_return'].id}")
    assert page.status_code == 200
    assert "What its practitioners say" in page.text
    assert "8 practitioners who said they work for Shire Health Trust" in page.text
    assert "Disagreement: S11-6 Escalation and resolving professional differences: rated Met" in (
        page.text
    )
    assert "62% of 8 practitioners" in page.text
    assert "S11-12" not in page.text.split("What its practitioners say")[1].split("Assurance")[0]
    evidence = reviewer.get(f"/scrutiny/returns/{world['health_return'].id}/triangulation")
    assert evidence.status_code == 200
    text = evidence.text
    assert "(8 answered)" in text and "Self-rating: Met" in text
    assert "fewer than 5" in text  # 3 said yes, 3 no, 2 not sure: each under 5
    assert "Joint visits" not in text  # counts only, never what anyone wrote
    assert "At least 5 of its practitioners" in text or "at least 5 of its practitioners" in text


def test_other_organisations_and_small_groups_are_not_shown(app, db_session, world):
    reviewer = as_user(app, db_session, world["reviewer"])
    # the police's 6 officers: below met everywhere, so counted but not flagged; the
    # reviewer works for the police, so the police's return is not theirs to open
    assert (
        reviewer.get(f"/scrutiny/returns/{world['police_return'].id}/triangulation").status_code
        == 404
    )
    police_lead = as_user(app, db_session, world["police_lead"])
    own = police_lead.get(f"/scrutiny/your-returns/{world['police_return'].id}/triangulation")
    assert own.status_code == 200
    assert "(6 answered)" in own.text and "Disagreement" not in own.text  # partially met
    assert "6 practitioners who said they work for Shire Police" in own.text


def test_each_organisation_sees_only_its_own(app, db_session, world):
    lead = as_user(app, db_session, world["health_lead"])
    own = lead.get(f"/scrutiny/your-returns/{world['health_return'].id}")
    assert own.status_code == 200 and "Disagreement: S11-6" in own.text
    evidence = lead.get(f"/scrutiny/your-returns/{world['health_return'].id}/triangulation")
    assert evidence.status_code == 200 and "(8 answered)" in evidence.text
    other = lead.get(f"/scrutiny/your-returns/{world['police_return'].id}/triangulation")
    assert other.status_code == 404


def test_fewer_than_five_practitioners_show_nothing(app, db_session):
    small = factories.OrganisationFactory(name="Small Charity")
    found = factories.submitted_return(db_session, small, answers={"s6_rating": MET})
    consultation_answers(db_session, small.id, ["no"] * 4)
    lead = factories.UserFactory(role=Role.ORGANISATION_LEAD, organisation=small)
    client = as_user(app, db_session, lead)
    page = client.get(f"/scrutiny/your-returns/{found.id}/triangulation")
    assert page.status_code == 200
    assert "fewer than 5 practitioners answered, too few to show" in page.text
    assert "Disagreement" not in page.text and "(4 answered)" not in page.text


def test_the_findings_report_has_a_triangulation_section_in_every_format(app, db_session, world):
    import io

    from openpyxl import load_workbook

    quality = as_user(
        app, db_session, factories.UserFactory(role=Role.QUALITY_GROUP, organisation=None)
    )
    url = f"/reports/cycles/{world['health_return'].cycle_id}/findings"
    page = quality.get(url)
    assert page.status_code == 200
    section = page.text.split("Triangulation: ratings beside what practitioners say")[1]
    assert "Shire Health Trust" in section and "S11-6 Escalation" in section
    assert "62%" in section and "Standards flagged" in section
    workbook = load_workbook(io.BytesIO(quality.get(url + ".xlsx").data), read_only=True)
    cells = [str(c) for row in workbook["Triangulation"].iter_rows(values_only=True) for c in row]
    assert "Shire Health Trust" in cells and "62%" in cells
    for fmt in ("pdf", "docx"):
        assert quality.get(f"{url}.{fmt}").status_code == 200


def test_a_practitioner_chooses_their_organisation_from_the_partnerships_list(client, db_session):
    from sqlalchemy import select

    from surveys.models import Response
    from tests.integration.webapp.test_respond import answer, start

    trust = factories.OrganisationFactory(name="Shire Health Trust")
    now = utcnow()
    link = cycles.publish_cycle(
        db_session,
        CONSULTATION,
        cycles.NewCycle("Consultation", now - timedelta(days=1), now + timedelta(days=9)),
        created_by=None,
    ).links[0]
    start(client, link)
    page = client.get(f"/f/{link.token}/your_role")
    assert f'<option value="{trust.id}"' in page.text and "Another organisation" in page.text
    role = {"sector": "health", "role_level": "practitioner"}
    refused = answer(client, link, "your_role", {**role, "organisation": "999999"})
    assert refused.status_code == 400  # not one of this partnership's organisations
    chosen = answer(client, link, "your_role", {**role, "organisation": str(trust.id)})
    assert chosen.status_code == 302
    skipped = answer(client, link, "your_role", role)  # optional: a practitioner need not say
    assert skipped.status_code == 302
    answer(client, link, "your_role", {**role, "organisation": str(trust.id)})
    db_session.expire_all()
    draft = db_session.scalar(select(Response).where(Response.cycle_id == link.cycle_id))
    assert draft.answers["organisation"] == str(trust.id)
