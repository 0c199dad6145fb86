"""Children's and families' voice about an organisation's service, set beside its Section 11
rating of standard 4 (listening to children): counted, never quoted, small groups suppressed,
and a "Met" rating most of 5 or more children contradict is flagged."""

from __future__ import annotations

import html
from datetime import timedelta

import pytest

from surveys import cycles, responses
from surveys.loader import load_definitions
from surveys.models import Role, utcnow
from tests import factories
from tests.integration.webapp.test_assessments import as_user

CHILD_FORM = load_definitions().latest("child-voice-11-plus")
FAMILY_FORM = load_definitions().latest("family-voice")
MET = {"value": "met", "scale_version": 1}


def voice_answers(session, form, organisation: int | str, listened: list[str]) -> None:
    """Record children's (or families') answers about one service, one per listened_to answer."""
    now = utcnow()
    cycle = cycles.publish_cycle(
        session,
        form,
        cycles.NewCycle("Your voice", now - timedelta(days=40), now + timedelta(days=9)),
        created_by=None,
    )
    for given in listened:
        responses.record_submitted_response(
            session,
            cycle,
            form,
            responses.CompleteResponse(
                {
                    "which_service": str(organisation),
                    "listened_to": given,
                    "anything_else": "My worker Sam is kind",
                },
                submitted_at=now - timedelta(days=5),
            ),
        )
    session.commit()


@pytest.fixture
def world(db_session):
    family = factories.OrganisationFactory(name="Shire Family Service")
    school = factories.OrganisationFactory(name="Shire Academy")
    family_return = factories.submitted_return(
        db_session, family, title="Section 11 2026", answers={"s4_rating": MET}
    )
    school_return = factories.submitted_return(
        db_session, school, title="Section 11 2026 B", answers={"s4_rating": MET}
    )
    # 6 children about the family service: 5 say adults rarely or never listen; one would
    # rather not say (no view, not counted). 3 about the school: too few to show anything.
    voice_answers(
        db_session,
        CHILD_FORM,
        family.id,
        ["never"] * 3 + ["rarely"] * 2 + ["always", "dont_want_to_say"],
    )
    voice_answers(db_session, CHILD_FORM, school.id, ["never"] * 3)
    voice_answers(db_session, CHILD_FORM, "dont_know", ["never"] * 6)  # about no one service
    return {
        "family_return": family_return,
        "school_return": school_return,
        "reviewer": factories.person_holding(db_session, {Role.REVIEWER}, None),
        "family_lead": factories.UserFactory(role=Role.ORGANISATION_LEAD, organisation=family),
    }


def test_the_children_and_families_forms_ask_which_service_in_plain_words(client, db_session):
    from tests.integration.webapp.test_respond import start

    service = factories.OrganisationFactory(name="Shire Youth Service")
    now = utcnow()
    for key, page_id, words in (
        ("child-voice-11-plus", "listened", "I don't know"),
        ("child-voice-under-11", "listened", "I don't know"),
        ("family-voice", "the_help", "I don't know"),
    ):
        form = load_definitions().latest(key)
        assert form.version == 2 and load_definitions().get(key, 1)  # version 1 still reads
        link = cycles.publish_cycle(
            db_session,
            form,
            cycles.NewCycle(key, now - timedelta(days=1), now + timedelta(days=9)),
            created_by=None,
        ).links[0]
        start(client, link)
        page = client.get(f"/f/{link.token}/{page_id}")
        assert page.status_code == 200
        text = html.unescape(page.text)
        assert "Which service is this about?" in text
        assert service.name in text and words in text


def test_the_reviewer_sees_a_met_rating_most_children_contradict(app, db_session, world):
    reviewer = as_user(app, db_session, world["reviewer"])
    page = reviewer.get(f"/scrutiny/returns/{world['family_return'].id}")
    assert page.status_code == 200
    assert "7 children, young people and family members said their answers were about" in (
        page.text
    )
    assert "Disagreement: S11-4 Listening to children: rated Met" in page.text
    assert "83% of 6 children and young people answering" in page.text
    evidence = reviewer.get(f"/scrutiny/returns/{world['family_return'].id}/triangulation")
    assert evidence.status_code == 200
    assert "(6 answered, 83% negative)" in evidence.text
    assert "fewer than 5" in evidence.text  # the one "always": never a count from 1 to 4
    assert "Sam" not in evidence.text and "Sam" not in page.text  # counts, never words


def test_too_few_children_about_a_service_show_nothing(app, db_session, world):
    reviewer = as_user(app, db_session, world["reviewer"])
    evidence = reviewer.get(f"/scrutiny/returns/{world['school_return'].id}/triangulation")
    assert evidence.status_code == 200
    assert "fewer than 5 children and young people answered about its service" in evidence.text
    assert "Disagreement" not in evidence.text and "(3 answered" not in evidence.text


def test_the_organisation_sees_its_own_and_the_report_has_it(app, db_session, world):
    lead = as_user(app, db_session, world["family_lead"])
    own = lead.get(f"/scrutiny/your-returns/{world['family_return'].id}")
    assert own.status_code == 200 and "Disagreement: S11-4" in own.text
    other = lead.get(f"/scrutiny/your-returns/{world['school_return'].id}/triangulation")
    assert other.status_code == 404
    quality = as_user(
        app, db_session, factories.UserFactory(role=Role.QUALITY_GROUP, organisation=None)
    )
    report = quality.get(f"/reports/cycles/{world['family_return'].cycle_id}/findings")
    section = report.text.split("Triangulation: ratings beside what practitioners say")[1]
    assert "Returns set beside children’s and families’ answers" in section
    assert "Shire Family Service" in section and "Children and young people: " in section
    assert "83%" in section and "Sam" not in section
    six_monthly = quality.get("/reports/six-monthly")
    assert six_monthly.status_code == 200
    section = six_monthly.text.split("Triangulation: Section 11 2026")[1]
    assert "Returns set beside children’s and families’ answers" in section
    assert "Shire Family Service" in section and "Children and young people: " in section
