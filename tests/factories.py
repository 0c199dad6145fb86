"""factory_boy factories for the models; bind them to a session with `bind(session)`."""

from __future__ import annotations

import factory
from argon2 import PasswordHasher
from factory.alchemy import SQLAlchemyModelFactory
from sqlalchemy.orm import Session

from surveys.models import Organisation, OrganisationKind, Role, Sector, User
from webapp.config import TestConfig

PASSWORD = "correct horse battery"  # noqa: S105 - test data
# Hashed at the test config's argon2 cost, as the test apps hash: this module loads before any
# app sets that cost, and a hash made at production cost costs ~0.3 s at every sign-in.
_TIME_COST, _MEMORY_KIB = TestConfig.PASSWORD_HASH_COST
_PASSWORD_HASH = PasswordHasher(time_cost=_TIME_COST, memory_cost=_MEMORY_KIB, parallelism=1).hash(
    PASSWORD
)


class _Base(SQLAlchemyModelFactory):
    class Meta:
        abstract = True
        sqlalchemy_session_persistence = "commit"


class OrganisationFactory(_Base):
    class Meta:
        model = Organisation

    name = factory.Sequence(lambda n: f"Agency {n}")
    sector = Sector.HEALTH
    kind = OrganisationKind.AGENCY


class UserFactory(_Base):
    class Meta:
        model = User

    email = factory.Sequence(lambda n: f"person{n}@example.org")
    name = factory.Sequence(lambda n: f"Person {n}")
    role = Role.ORGANISATION_LEAD
    organisation = factory.SubFactory(OrganisationFactory)
    password_hash = _PASSWORD_HASH
    is_active = True


def person_holding(
    session: Session, roles: set[Role] | frozenset[Role], organisation: Organisation | None = None
) -> User:
    """A person holding several roles in the session's partnership (for organisation roles,
    in `organisation`; a reviewer given one works for it)."""
    from surveys import memberships

    main, _ = memberships.split_roles(roles)
    user = UserFactory(role=main, organisation=organisation)
    membership = memberships.membership_here(session, user.id)
    assert membership is not None
    memberships.set_roles(session, membership, roles)
    session.commit()
    return user


def bind(session: Session) -> None:
    """Point every factory at this session."""
    for factory_class in (OrganisationFactory, UserFactory):
        factory_class._meta.sqlalchemy_session = session


def collection_world(
    session: Session, organisation: Organisation, *, stored_name: str = "x" * 32
) -> dict[str, object]:
    """Create an open assessment cycle with a response and evidence, and a link cycle with a
    flagged anonymous response; return the ids a route needs."""
    from datetime import timedelta

    from surveys import cycles, responses
    from surveys.loader import load_definitions
    from surveys.models import DisclosureFlag, EvidenceFile, SharedCycleOffer, utcnow

    registry = load_definitions()
    now = utcnow()
    assessment = cycles.publish_cycle(
        session,
        registry.latest("section-11"),
        cycles.NewCycle(
            "S11 2026", now - timedelta(days=1), now + timedelta(days=30), (organisation.id,)
        ),
        created_by=None,
    )
    response = responses.start_organisation_response(session, assessment, organisation.id)
    evidence = EvidenceFile(
        response_id=response.id,
        question_id="q",
        stored_name=stored_name,
        filename="e.pdf",
        content_type="application/pdf",
        size=1,
    )
    session.add(evidence)
    training = cycles.publish_cycle(
        session,
        registry.latest("training-evaluation"),
        cycles.NewCycle("Training 2026", now - timedelta(days=1), now + timedelta(days=30)),
        created_by=None,
    )
    link = training.links[0]
    anonymous = responses.start_anonymous_response(session, link, str(__import__("uuid").uuid4()))
    flag = DisclosureFlag(
        response_id=anonymous.id,
        question_id="do_differently",
        reasons="harm_by_adult",
        review_due_at=now,
    )
    session.add(flag)
    # the organisation's response is flagged too, so the DSL's page has a response to open
    session.add(
        DisclosureFlag(
            response_id=response.id,
            question_id="q",
            reasons="concern",
            review_due_at=now,
        )
    )
    session.commit()
    from surveys.api_tokens import create_api_token

    token, _ = create_api_token(session, "Dashboard", created_by=None)
    offer = SharedCycleOffer(  # an offer to join another partnership's shared cycle
        shared_round=str(__import__("uuid").uuid4()),
        from_partnership_id=assessment.partnership_id,
        title="Regional S11 2026",
        definition_key="section-11",
        definition_version=assessment.definition_version,
        opens_at=assessment.opens_at,
        closes_at=assessment.closes_at,
    )
    session.add(offer)
    session.commit()
    return {
        "offer_id": offer.id,
        "fmt": "csv",
        "upload_id": "a" * 32,
        "token_id": token.id,
        "cycle_id": assessment.id,
        "page_id": registry.latest("section-11").pages[0].id,
        "file_id": evidence.id,
        "token": link.token,
        "link_id": link.id,
        "response_id": response.id,
        "flag_id": flag.id,
    }


def learning_world(
    session: Session, organisation: Organisation, user: User, *, lineage_key: str = "lineage-1"
) -> dict[str, object]:
    """Create a finished run with a theme and an edit, a log entry on the board and an action
    for `organisation`; return the ids routes need."""
    from datetime import date

    from learning import actions, board, log, runs, selection, theme_edits
    from learning.models import RunStatus, Theme, ThemeFate, ThemeLineage

    run = runs.start_run(session, selection.Selection(), started_by=user)
    run.status = RunStatus.FINISHED
    session.add(ThemeLineage(key=lineage_key))
    theme = Theme(
        run_id=run.id,
        number=0,
        lineage_key=lineage_key,
        label="Waiting times",
        machine_label="Waiting times",
        size=0,
        share=0.0,
    )
    session.add(theme)
    session.commit()
    edit = theme_edits.rename_theme(session, theme.id, "Waiting for help", edited_by=user)
    fate = ThemeFate(
        run_id=run.id,
        previous_theme_id=theme.id,
        lineage_key=lineage_key,
        status="gone",
        needs_confirmation=True,
    )
    session.add(fate)
    session.commit()
    entry = log.create_entry(
        session,
        log.EntryDetails(
            title="Voice of the baby", source_stream="training", entry_date=date(2026, 3, 1)
        ),
        created_by=user,
    )
    item = board.place_on_board(session, entry_id=entry.id, column="changed", decided_by=user)
    action = actions.create_action(
        session,
        description="Refresh training",
        owner_organisation_id=organisation.id,
        due_date=date(2026, 12, 31),
        created_by=user,
    )
    return {
        "run_id": run.id,
        "theme_id": theme.id,
        "action": "rename",
        "edit_id": edit.id,
        "fate_id": fate.id,
        "entry_id": entry.id,
        "item_id": item.id,
        "action_id": action.id,
    }


def submitted_return(
    session: Session,
    organisation: Organisation,
    *,
    title: str = "S11 2025",
    answers: dict[str, object] | None = None,
    days_ago: int = 10,
):
    """A Section 11 cycle (open from `days_ago` days ago) with `organisation`'s submitted
    return: every standard rated "partially met" unless `answers` says otherwise."""
    from datetime import timedelta

    from surveys import cycles, responses
    from surveys.loader import load_definitions
    from surveys.models import utcnow

    definition = load_definitions().latest("section-11")
    now = utcnow()
    cycle = cycles.publish_cycle(
        session,
        definition,
        cycles.NewCycle(
            title, now - timedelta(days=days_ago + 1), now + timedelta(days=30), (organisation.id,)
        ),
        created_by=None,
    )
    rated = {
        question.id: {"value": "partially_met", "scale_version": 1}
        for page in definition.pages
        for question in page.questions
        if page.standard and question.type == "compliance_rating"
    }
    recorded = responses.record_submitted_response(
        session,
        cycle,
        definition,
        responses.CompleteResponse(
            {**rated, "s1_evidence": "Board minutes", **(answers or {})},
            submitted_at=now - timedelta(days=days_ago),
            organisation_id=organisation.id,
        ),
    )
    session.commit()
    return recorded.response


def scrutiny_world(
    session: Session, organisation: Organisation, *, stored_name: str = "x" * 32
) -> dict[str, object]:
    """`organisation`'s submitted Section 11 return with an evidence file, a challenge on
    its first standard, an action proposed for it and a challenge meeting that covered it;
    return the ids routes need."""
    from datetime import date

    from surveys.models import Challenge, ChallengeKind, EvidenceFile, MeetingKind
    from surveys.scrutiny import meetings

    response = submitted_return(session, organisation)
    evidence = EvidenceFile(
        response_id=response.id,
        question_id="s1_evidence_file",
        stored_name=stored_name,
        filename="minutes.pdf",
        content_type="application/pdf",
        size=8,
    )
    challenge = Challenge(
        response_id=response.id,
        organisation_id=organisation.id,
        standard_ref="S11-1",
        kind=ChallengeKind.QUESTION,
        question="How often does the board see the safeguarding report?",
    )
    session.add_all([evidence, challenge])
    session.commit()
    meeting = meetings.record_meeting(
        session,
        meetings.NewMeeting(
            MeetingKind.CHALLENGE, date(2026, 11, 3), "A reviewer", (organisation.id,)
        ),
        recorded_by=None,
    )
    from learning.models import Action

    proposed = Action(
        description="Present the safeguarding report to the board each quarter",
        owner="Head of Safeguarding",
        owner_organisation_id=organisation.id,
        due_date=date(2027, 3, 31),
        response_id=response.id,
        standard_ref="S11-1",
        challenge_id=challenge.id,
    )
    session.add(proposed)
    session.commit()
    return {
        "return_id": response.id,
        "standard_ref": "S11-1",
        "evidence_id": evidence.id,
        "challenge_id": challenge.id,
        "meeting_id": meeting.id,
        # the action the organisation proposed on the return's first standard, in answer to
        # the challenge (learning_world's action_id, the quality group's, is replaced)
        "action_id": proposed.id,
    }


def review_world(
    session: Session, organisation: Organisation, user: User, *, reference: str = "RR-2026-001"
) -> dict[str, object]:
    """Create a case review with a meeting, case details, a deadline alert, an information
    return submitted by `organisation` and a recommendation turned into an action; return the
    ids routes need."""
    from datetime import date, timedelta

    from learning import review_learning
    from surveys import responses
    from surveys.case_reviews import details, information, records
    from surveys.loader import load_definitions
    from surveys.models import ReviewDeadlineAlert, ReviewDecision, utcnow

    today = utcnow().date()
    review = records.record_notification(
        session,
        records.Notification(reference, today - timedelta(days=3), "A serious incident"),
        recorded_by=user,
    )
    records.add_meeting(
        session, review.id, held_on=today, attended_by="Police, health", notes="", by=user
    )
    records.record_decision(
        session,
        review.id,
        records.Decision(ReviewDecision.LOCAL_REVIEW, "Learning for the partnership", today),
        by=user,
    )
    details.save_details(
        session,
        review.id,
        details.Details("Child Name", today + timedelta(days=3650), date(2020, 1, 1)),
        by=user,
        today=today,
    )
    definition = load_definitions().latest(information.INFORMATION_FORM)
    cycle = information.ask_agencies(
        session, review.id, [organisation.id], definition=definition, by=user
    )
    submitted = responses.record_submitted_response(
        session,
        cycle,
        definition,
        responses.CompleteResponse(
            {"was_involved": "yes", "involvement": "Seen twice", "learning": "Share sooner"},
            submitted_at=utcnow(),
            organisation_id=organisation.id,
        ),
    )
    session.add(
        ReviewDeadlineAlert(review_id=review.id, clock="notify_panel", flag="half", due_on=today)
    )
    session.commit()
    recommendation = records.add_recommendation(session, review.id, "Share sooner", by=user)
    review_learning.action_from_recommendation(
        session,
        review.id,
        recommendation.id,
        owner_organisation_id=organisation.id,
        due_date=today + timedelta(days=90),
        created_by=user,
    )
    return {
        "review_id": review.id,
        "information_id": submitted.response.id,
        "recommendation_id": recommendation.id,
    }


def audit_world(
    session: Session, organisation: Organisation, user: User, *, reference: str = "NEG-2026-01"
) -> dict[str, object]:
    """Create an audit programme with a day, a case audited by `organisation` (its audit tool
    submitted), a finding turned into a learning log entry, and a triaged practice concern;
    return the ids routes need."""
    from learning import audit_learning
    from surveys import concerns, responses
    from surveys.case_audits import cases, finding_texts, programmes
    from surveys.loader import load_definitions
    from surveys.models import FindingKind, TriageStatus, utcnow

    registry = load_definitions()
    today = utcnow().date()
    programme = programmes.create_programme(
        session, title="Audits 2026", topics="Neglect\nExploitation", by=user
    )
    day = programmes.add_day(session, programme.id, held_on=today, topic="Neglect", by=user)
    case, _ = cases.add_case(
        session,
        day.id,
        reference=reference,
        organisation_ids={organisation.id},
        definition=registry.latest(cases.AUDIT_TOOL),
        by=user,
    )
    assert case.cycle is not None
    responses.record_submitted_response(
        session,
        case.cycle,
        registry.latest(cases.AUDIT_TOOL),
        responses.CompleteResponse(
            {
                "identification": "good",
                "child_voice": "requires_improvement",
                "working_together": "good",
                "overall": "good",
                "strengths": "Quick referral",
                "areas_for_improvement": "Record the child's views",
            },
            submitted_at=utcnow(),
            organisation_id=organisation.id,
        ),
    )
    finding = programmes.add_finding(
        session,
        programme.id,
        kind=FindingKind.LESSON,
        text="Hear the child",
        day_id=day.id,
        definition=registry.latest(finding_texts.FINDING_FORM),
        by=user,
    )
    audit_learning.entry_from_finding(session, finding.id, title="Hear the child", created_by=user)
    link = concerns.open_concern_link(session, registry.latest(concerns.CONCERN_FORM), by=user)
    concern = responses.record_submitted_response(
        session,
        link.cycle,
        registry.latest(concerns.CONCERN_FORM),
        responses.CompleteResponse(
            {"kind": "near_miss", "what_happened": "A referral was nearly lost", "named": "no"},
            submitted_at=utcnow(),
            public_link_id=link.id,
        ),
    )
    concerns.set_triage(
        session,
        concern.response.id,
        status=TriageStatus.UNDER_REVIEW,
        reason="",
        case_review_id=None,
        by=user,
    )
    return {
        "programme_id": programme.id,
        "day_id": day.id,
        "case_id": case.id,
        "finding_id": finding.id,
        "concern_id": concern.response.id,
    }


def national_world(session: Session, organisation: Organisation, user: User) -> dict[str, object]:
    """Create a national review with a finding that `organisation` has answered with a gap;
    return the ids routes need."""
    from datetime import timedelta

    from surveys import national_reviews, responses
    from surveys.loader import load_definitions
    from surveys.models import utcnow

    form = load_definitions().latest(national_reviews.FINDING_FORM)
    today = utcnow().date()
    review = national_reviews.record_review(
        session,
        national_reviews.NewNationalReview(
            "Child protection in England", "The national panel", today - timedelta(days=30)
        ),
        today=today,
        by=user,
    )
    finding = national_reviews.add_finding(
        session, review.id, "Agencies share information about risk at once", by=user
    )
    national_reviews.ask_agencies(
        session,
        review.id,
        [organisation.id],
        definition=form,
        closes_on=today + timedelta(days=28),
        today=today,
        by=user,
    )
    assert finding.cycle is not None
    responses.record_submitted_response(
        session,
        finding.cycle,
        form,
        responses.CompleteResponse(
            {"rating": "partly_in_place", "in_place": "A daily meeting", "gap": "No weekend cover"},
            submitted_at=utcnow(),
            organisation_id=organisation.id,
        ),
    )
    return {"national_id": review.id, "national_finding_id": finding.id}


def training_world(session: Session, organisation: Organisation) -> dict[str, object]:
    """Create a course with a session (on an open training-evaluation cycle) and one attendee;
    return the ids routes need."""
    from datetime import timedelta

    from surveys import cycles
    from surveys.loader import load_definitions
    from surveys.models import utcnow
    from surveys.training import programme

    now = utcnow()
    cycles.publish_cycle(
        session,
        load_definitions().latest("training-evaluation"),
        cycles.NewCycle("Courses 2026", now - timedelta(days=1), now + timedelta(days=60)),
        created_by=None,
    )
    course = programme.create_course(
        session,
        title="Neglect: recognising and responding",
        outcomes=["Recognise the signs of neglect", "Know when to refer to early help"],
        level="Level 2",
        by=None,
    )
    held = programme.add_session(
        session,
        course.id,
        programme.NewSession(now.date(), "Town Hall", False, "A Trainer", 20),
        by=None,
    )
    programme.record_attendance(
        session, held.id, programme.Attendee("Pat Doe", "pat@example.org", organisation.name)
    )
    return {"course_id": course.id, "session_id": held.id}
