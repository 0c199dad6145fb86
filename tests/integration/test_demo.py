"""The demo tells one consistent story, the one README.md's demo table promises."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from sqlalchemy import select

from surveys.models import Cycle, Response, ResponseStatus, Role, User, utcnow

README = Path(__file__).resolve().parents[2] / "README.md"
BABY_WORDS = ("baby", "pre-birth", "at birth", "midwi", "health visitor", "nursery")
TEENAGE_WORDS = ("young person", "exploitation", "missing episode", "return home")
pytestmark = pytest.mark.demo  # the app's database holds the seeded demo


@pytest.fixture
def demo(db_session):
    return db_session


def _aware(moment):
    return moment if moment is None or moment.tzinfo else moment.replace(tzinfo=utcnow().tzinfo)


def test_nothing_is_saved_before_its_cycle_opens_or_after_today(demo):
    now = utcnow()
    for response in demo.scalars(select(Response)):
        cycle = demo.get(Cycle, response.cycle_id)
        opens = _aware(cycle.opens_at)
        for moment in (response.created_at, response.last_saved_at, response.submitted_at):
            if moment is not None:
                assert opens <= _aware(moment) <= now, (cycle.title, moment, opens)


def test_only_organisation_leads_submit_returns(demo):
    submitters = demo.scalars(
        select(User).join(Response, Response.submitted_by_id == User.id).distinct()
    ).all()
    assert submitters
    assert {person.role for person in submitters} == {Role.ORGANISATION_LEAD}


def test_case_audit_ages_fit_what_is_written_about_the_child(demo):
    audits = demo.scalars(select(Response).where(Response.definition_key == "case-audit")).all()
    assert audits
    for audit in audits:
        age = audit.answers["age_group"]
        about_the_child = " ".join(
            str(audit.answers.get(key) or "") for key in ("strengths", "areas_for_improvement")
        ).lower()
        if any(word in about_the_child for word in BABY_WORDS):
            assert age in ("under_1", "1_to_4"), (age, about_the_child)
        if any(word in about_the_child for word in TEENAGE_WORDS):
            assert age in ("11_to_15", "16_plus"), (age, about_the_child)


def test_the_police_section_11_draft_the_readme_promises_is_in_progress(demo):
    table = README.read_text().split("## What you can do in the demo")[1].split("\n## ")[0]
    assert re.search(r"lead@police\.example\.org.*Section 11 draft", table)
    lead = demo.scalar(select(User).where(User.email == "lead@police.example.org"))
    contributor = demo.scalar(select(User).where(User.email == "contributor@police.example.org"))
    draft = demo.scalar(
        select(Response).where(
            Response.organisation_id == lead.organisation_id,
            Response.definition_key == "section-11",
            Response.status == ResponseStatus.IN_PROGRESS,
        )
    )
    assert draft is not None and draft.status is ResponseStatus.IN_PROGRESS
    assert draft.submitted_at is None and draft.submitted_by_id is None
    assert draft.last_saved_by_id == contributor.id
    assert contributor.name in table


def test_two_neighbouring_partnerships_share_the_police_and_health_returns(app, demo):
    """Northvale runs Riverside's Section 11 as one shared cycle: the force and the trust
    answer once, each partnership holds its copy and asks its own local question."""
    from demo import neighbour
    from surveys import tenancy
    from surveys.models import Organisation, Partnership
    from tests.integration.webapp.test_assessments import as_user

    with tenancy.every_partnership(demo):
        northvale = demo.scalar(
            select(Partnership).where(Partnership.name == neighbour.PARTNERSHIP)
        )
        shared_cycles = demo.scalars(
            select(Cycle)
            .where(Cycle.definition_key == "section-11", Cycle.shared_round.is_not(None))
            .order_by(Cycle.id)
        ).all()
        assert [c.partnership_id == northvale.id for c in shared_cycles] == [False, True]
        assert len({c.shared_round for c in shared_cycles}) == 1
        assert [len(c.local_questions) for c in shared_cycles] == [1, 1]
        for name in neighbour.SHARED_ORGANISATIONS:
            organisation = demo.scalar(select(Organisation).where(Organisation.name == name))
            copies = demo.scalars(
                select(Response).where(
                    Response.organisation_id == organisation.id,
                    Response.cycle_id.in_([c.id for c in shared_cycles]),
                )
            ).all()
            assert {c.partnership_id for c in copies} == {
                shared_cycles[0].partnership_id,
                northvale.id,
            }
            assert len({(c.status, c.version) for c in copies}) == 1
        admin = demo.scalar(select(User).where(User.email == neighbour.USERS[0].email))
    returns = as_user(app, demo, admin).get(f"/admin/cycles/{shared_cycles[1].id}").text
    assert "Riverside Constabulary" in returns and "Riverside Community Health NHS Trust" in returns
    assert "Northvale Council Children’s Services" in returns


def test_one_person_holds_a_role_in_each_neighbouring_partnership(demo):
    from demo import neighbour
    from surveys.models import Membership, Partnership

    roles = {
        (name, role)
        for name, role in demo.execute(
            select(Partnership.name, Membership.role)
            .join(Membership, Membership.partnership_id == Partnership.id)
            .join(User, User.id == Membership.user_id)
            .where(User.email == "quality@example.org")
        )
    }
    assert roles == {
        ("Riverside Safeguarding Children Partnership", Role.QUALITY_GROUP),
        (neighbour.PARTNERSHIP, Role.SAFEGUARDING_LEAD),
    }


def test_the_demo_has_a_rapid_review_due_this_week_and_a_published_local_review(demo):
    """README promises Morgan Reid both: one due within days, one done with its actions."""
    from datetime import timedelta

    from learning.models import Action, LearningEntry
    from surveys.case_reviews import records
    from surveys.models import CaseReview, Recommendation

    table = README.read_text().split("## What you can do in the demo")[1].split("\n## ")[0]
    assert re.search(r"reviews@example\.org.*rapid review.*due this week", table)
    today = utcnow().date()
    summaries = {s.review.reference[:2]: s for s in records.list_reviews(demo, today)}
    rapid, local = summaries["RR"], summaries["LC"]
    assert rapid.stage == "Rapid review" and rapid.next_due.clock.value == "rapid_review"
    assert today < rapid.next_due.due_on <= today + timedelta(days=5)
    assert local.stage == "Completed" and local.next_due is None
    review = demo.get(CaseReview, local.review.id)
    recommendations = demo.scalars(
        select(Recommendation).where(Recommendation.review_id == review.id)
    ).all()
    actions = demo.scalars(
        select(Action).where(Action.recommendation_id.in_([r.id for r in recommendations]))
    ).all()
    assert len(recommendations) == len(actions) == 3
    entry = demo.scalars(select(LearningEntry).where(LearningEntry.case_review_id == review.id))
    assert entry.one().source_detail == f"Case review {review.reference}"


def test_the_demo_tells_the_section_11_assurance_story_the_readme_promises(app, demo):
    """Last year's round, this year's carried forward from it, scrutiny under way: an assured
    return with a moderated rating unlike the self-rating, and a challenge open and closed."""
    from surveys import carry_forward, tenancy
    from surveys.models import Challenge, ReturnReview, StandardReview
    from tests.integration.webapp.test_assessments import as_user

    table = README.read_text().split("## What you can do in the demo")[1].split("\n## ")[0]
    assert re.search(r"lead@police\.example\.org.*carried forward.*assured", table)
    assert re.search(r"lead@health\.example\.org.*challenge", table)
    lead = demo.scalar(select(User).where(User.email == "lead@police.example.org"))
    lead_partnership = tenancy.partnership_of(demo)
    last, this = demo.scalars(  # Riverside's (the shared cycle's Northvale copy is not)
        select(Cycle)
        .where(Cycle.definition_key == "section-11", Cycle.partnership_id == lead_partnership)
        .order_by(Cycle.opens_at)
    ).all()
    assert _aware(last.closes_at) < utcnow() < _aware(this.closes_at)
    returns = demo.scalars(select(Response).where(Response.cycle_id == this.id)).all()
    assert returns and all(carry_forward.carried(r.answers) for r in returns)
    police = as_user(app, demo, lead)
    page = police.get(f"/assessments/{this.id}").text
    assert f"started from your organisation’s return to {last.title}" in page
    assert "still to confirm" in page

    assured = demo.scalar(select(ReturnReview).where(ReturnReview.assured_at.is_not(None)))
    moderated = demo.scalars(
        select(StandardReview).where(StandardReview.moderated_rating.is_not(None))
    ).all()
    assert assured is not None and assured.feedback and len(moderated) == 1
    review = police.get(f"/scrutiny/returns/{assured.response_id}").text
    assert "Assured" in review and "Partially met" in review
    challenges = demo.scalars(select(Challenge)).all()
    assert sorted(c.is_closed for c in challenges) == [False, True]
    nadia = demo.scalar(select(User).where(User.email == "lead@health.example.org"))
    own = as_user(app, demo, nadia).get(f"/scrutiny/your-returns/{assured.response_id}")
    assert own.status_code == 200 and "Repeat the supervision audit of escalation" in own.text
    assert "Action agreed" in own.text and "Action needed" not in own.text
    actions = as_user(app, demo, nadia).get("/actions").text
    assert "Repeat the supervision audit of escalation" in actions


def test_the_demo_has_an_audit_day_of_six_cases_across_four_agencies_and_a_near_miss(demo):
    """README promises the quality group an audit day to read and concerns to triage."""
    from surveys import concerns
    from surveys.case_audits import cases
    from surveys.models import AuditCase, AuditDay, TriageStatus

    table = README.read_text().split("## What you can do in the demo")[1].split("\n## ")[0]
    assert re.search(r"quality@example\.org.*audit day", table)
    day = demo.scalars(select(AuditDay)).one()
    audited = demo.scalars(select(AuditCase).where(AuditCase.day_id == day.id)).all()
    assert len(audited) == 6
    agencies = {row.organisation.name for c in audited for row in cases.agency_returns(demo, c)}
    assert len(agencies) == 4
    queue = concerns.triage_queue(demo)
    kinds = {row.response.answers["kind"]: row for row in queue}
    assert kinds["near_miss"].status is TriageStatus.NEW
    assert "your_name" not in kinds["near_miss"].response.answers  # raised anonymously
    assert not any(row.response.is_flagged for row in queue)


def test_one_agencys_self_rating_and_its_practitioners_disagree(app, demo):
    """The README's triangulation: the Family Support Trust rates escalation Met while most
    of its practitioners do not know the procedure; no other return is flagged."""
    from demo.practitioners import DISAGREEING
    from surveys import tenancy
    from surveys.loader import load_definitions
    from surveys.triangulation import cycle_triangulation
    from tests.integration.webapp.test_assessments import as_user

    table = README.read_text().split("## What you can do in the demo")[1].split("\n## ")[0]
    assert re.search(r"lead@police\.example\.org.*Family Support Trust.*practitioners", table)
    registry = load_definitions()
    this = demo.scalars(
        select(Cycle)
        .where(
            Cycle.definition_key == "section-11",
            Cycle.partnership_id == tenancy.partnership_of(demo),
        )
        .order_by(Cycle.opens_at.desc())
    ).first()
    found = cycle_triangulation(demo, this, registry.get("section-11", 1), registry)
    assert [(t.organisation, s.ref) for t, s in found.flagged] == [(DISAGREEING, "S11-6")]
    trust = next(r for r in found.returns if r.organisation == DISAGREEING)
    assert trust.practitioners == 6
    response = demo.scalars(
        select(Response).where(Response.cycle_id == this.id, Response.submitted_at.is_not(None))
    ).all()
    lead = demo.scalar(select(User).where(User.email == "lead@police.example.org"))
    police = as_user(app, demo, lead)
    pages = {r.id: police.get(f"/scrutiny/returns/{r.id}") for r in response}
    flagged = [i for i, page in pages.items() if "Disagreement: S11-6" in page.text]
    assert len(flagged) == 1 and DISAGREEING in pages[flagged[0]].text


def test_children_and_families_say_which_service_their_answers_are_about(app, demo):
    """The README's children's voice: 8 young people and 6 family members name the Family
    Support Trust; their counts sit beside its standard 4 rating, with no quote and no flag."""
    from demo.practitioners import VOICES_ABOUT
    from surveys import tenancy
    from surveys.loader import load_definitions
    from surveys.triangulation import cycle_triangulation

    table = README.read_text().split("## What you can do in the demo")[1].split("\n## ")[0]
    assert re.search(r"lead@police\.example\.org.*children and families", table)
    registry = load_definitions()
    this = demo.scalars(
        select(Cycle)
        .where(
            Cycle.definition_key == "section-11",
            Cycle.partnership_id == tenancy.partnership_of(demo),
        )
        .order_by(Cycle.opens_at.desc())
    ).first()
    found = cycle_triangulation(demo, this, registry.get("section-11", 1), registry)
    trust = next(r for r in found.returns if r.organisation == VOICES_ABOUT)
    assert trust.children_and_families == 14
    listening = next(s for s in trust.standards if s.ref == "S11-4")
    heard = {p.question: p.answered for p in listening.practitioners if p.is_children_and_families}
    assert heard["How often do adults who work with you listen to what you say?"] == 8
    assert heard["Did the people helping you listen to you?"] == 6
    assert not listening.is_flagged


def test_the_demo_has_a_national_review_that_three_agencies_answered_with_a_gap_acted_on(app, demo):
    """README promises the quality group a national review with agencies' answers and the
    police a gap to act on."""
    from learning.models import Action, ActionSource
    from surveys import national_reviews
    from surveys.models import NationalReview
    from tests.integration.webapp.test_assessments import as_user

    table = README.read_text().split("## What you can do in the demo")[1].split("\n## ")[0]
    assert re.search(r"quality@example\.org.*National reviews", table)
    review = demo.scalars(select(NationalReview)).one()
    grid = national_reviews.grid(demo, review)
    assert len(grid.rows) == 3 and len(grid.agencies) == 4
    answered = {c.organisation.name for r in grid.rows for c in r.cells if c.answer}
    assert len(answered) == 3
    action = demo.scalars(select(Action).where(Action.national_finding_id.is_not(None))).one()
    assert action.source is ActionSource.NATIONAL_REVIEW
    lead = demo.scalar(select(User).where(User.email == "lead@police.example.org"))
    assert action.description in as_user(app, demo, lead).get("/actions").text


def test_a_year_of_training_links_the_same_peoples_evaluations_and_follow_ups(demo):
    from collections import Counter

    from surveys.models import TraineeFollowUp, TrainingCourse, TrainingSession
    from surveys.training import figures

    courses = demo.scalars(select(TrainingCourse)).all()
    assert len(courses) == 3
    sessions = demo.scalars(select(TrainingSession)).all()
    days = sorted((utcnow().date() - s.held_on).days for s in sessions)
    assert days[0] < 60 and days[-1] > 300  # a year of sessions
    chains = demo.scalars(select(TraineeFollowUp)).all()
    answered = [c for c in chains if c.follow_up_id is not None]
    assert answered and any(c.follow_up_id is None and c.sent_at for c in chains)
    keys = Counter((c.session.course_id, c.person_key) for c in chains)
    assert max(keys.values()) > 1  # the same person on the same course, more than once
    for chain in chains:
        for response_id in (chain.evaluation_id, chain.follow_up_id):
            if response_id is not None:
                stored = str(demo.get(Response, response_id).answers)
                assert "@" not in stored  # never an email in the answers
    overall = figures.dashboard(demo).overall
    assert overall.confidence.follow_up_n > 5 and overall.confidence.change is not None
    assert overall.confidence.after > overall.confidence.before


def test_the_demo_six_monthly_report_shows_streams_from_two_runs_and_a_draft(app, demo):
    """README promises the quality group a six-monthly report drafted, not signed off, whose
    children and families' themes come from their own run."""
    from demo.learning import DRAFT_SUMMARY, seed_learning
    from learning.period import last_six_months
    from learning.period_report import six_monthly_report
    from learning.theming_job import build_pipeline
    from surveys import tenancy
    from surveys.loader import load_definitions

    pipeline = build_pipeline(tenancy.sessions_like(demo), embedder="tfidf")
    everything = seed_learning(demo, load_definitions(), pipeline=pipeline)
    report = six_monthly_report(
        demo, last_six_months(utcnow().date()), registry=load_definitions(), today=utcnow().date()
    )
    served = {s.key: s.run_id for s in report.themes.streams}
    assert served["practitioners"] == everything
    assert served["children_families"] not in (None, everything)
    assert all(s.themes for s in report.themes.streams)
    assert report.narrative.text.summary == DRAFT_SUMMARY
    assert report.narrative.sign_off is None
    table = README.read_text().split("## What you can do in the demo")[1].split("\n## ")[0]
    assert "the children and families' themes from their own run" in table


def test_the_local_reviews_learning_has_a_briefing_worded_for_practitioners(demo):
    """README promises Priya Shah the local review's briefing, with its three actions."""
    from learning import briefing
    from learning.models import LearningEntry
    from surveys.models import CaseDetails, CaseReview

    table = README.read_text().split("## What you can do in the demo")[1].split("\n## ")[0]
    assert re.search(r"quality@example\.org.*learning briefing", table)
    review = demo.scalars(select(CaseReview).where(CaseReview.reference.like("LC%"))).one()
    entry = demo.scalars(
        select(LearningEntry).where(LearningEntry.case_review_id == review.id)
    ).one()
    found = briefing.briefing_for(demo, entry.id, today=utcnow().date())
    assert len(found.questions) == 3 and "in person" in found.do
    assert len(found.actions) == 3 and review.reference in found.more
    held = demo.scalars(select(CaseDetails).where(CaseDetails.review_id == review.id)).first()
    if held is not None:
        assert held.child_name not in repr(found)
