"""A partnership with finished theming runs over different evidence streams, for the period
reports' tests (integration and browser).

Three runs finish in the last six months: practitioners (a consultation), Section 11 and
children and families (child voice). The practitioners' and Section 11 answers share one subject
(escalation), so it recurs across streams; the children's subject (being listened to) does not.
A fourth run, over training, finished well before the period and must not appear in it.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

from sqlalchemy.orm import Session

from learning import runs, selection
from learning.run_report import run_report
from nlp.embedding import HashingEmbedder
from nlp.pipeline import ThemingPipeline
from nlp.theming import SklearnThemer
from surveys import cycles
from surveys.loader import DefinitionRegistry
from surveys.models import Organisation, Role, Sector, User, utcnow
from tests import factories
from tests.integration.reports.test_reports import BARRIERS, WORKS, _submit

LISTENED = [
    "My worker listened to me and I felt heard",
    "I felt listened to when my worker visited",
    "My social worker really listened to what I said",
    "They listened to me about where I want to live",
    "I was listened to at my meeting and felt heard",
    "My worker listens to me and takes me seriously",
    "I feel heard because my worker listens",
    "Being listened to by my worker helped me",
]
WAITING = [
    "Waiting for an appointment took too long",
    "The wait for help was too long for my family",
    "We waited months for an appointment",
    "Too long waiting for someone to help",
    "Waiting lists for help are far too long",
    "We had a long wait before anyone came",
    "Long waits made things harder for us",
    "The waiting time for support was very long",
]
RECRUITMENT = [
    "Every new starter has a DBS check before starting",
    "DBS checks are renewed for all staff every three years",
    "Safer recruitment training for every interview panel",
    "References and DBS checks before anyone starts work",
    "Our single central record lists every DBS check",
    "Recruitment panels include a safer recruitment trained member",
    "DBS checks and references are checked by HR",
    "Safer recruitment checks are audited every year",
]
TRAINING = [
    "I will use the escalation procedure with confidence",
    "I will check the threshold document before referring",
    "I will record my supervision discussions",
    "I will share information sooner with partners",
    "I will use the threshold guidance in my referrals",
    "I will escalate disagreements using the procedure",
    "I will talk to my manager about supervision",
    "I will refer to early help using the thresholds",
] * 2


@dataclass
class PeriodWorld:
    quality: User
    admin: User
    lead: User
    practitioners_run: int
    section_11_run: int
    children_run: int
    training_run: int  # finished long before the period
    labels: dict[int, list[str]]  # run id -> its themes' shown labels


def _pipeline() -> ThemingPipeline:
    return ThemingPipeline(embedder=HashingEmbedder(), themer=SklearnThemer())


def _run(
    session: Session, registry: DefinitionRegistry, quality: User, streams: tuple[str, ...]
) -> int:
    run = runs.start_run(session, selection.Selection(streams=streams), started_by=quality)
    run = runs.execute_run(session, run.id, pipeline=_pipeline(), registry=registry)
    assert run.status.value == "finished", run.failure_reason
    return run.id


def _cycle(session: Session, registry: DefinitionRegistry, key: str, title: str, orgs=()):
    now = utcnow()
    return cycles.publish_cycle(
        session,
        registry.latest(key),
        cycles.NewCycle(title, now - timedelta(days=20), now + timedelta(days=10), orgs),
        created_by=None,
    )


def build_period_world(session: Session, registry: DefinitionRegistry) -> PeriodWorld:
    """Answers in four streams and four finished runs, one of them long ago."""
    factories.bind(session)
    orgs: list[Organisation] = [
        factories.OrganisationFactory(name=f"Agency {n}", sector=Sector.HEALTH) for n in range(8)
    ]
    quality = factories.UserFactory(role=Role.QUALITY_GROUP, organisation=None)
    admin = factories.UserFactory(role=Role.PARTNERSHIP_ADMIN, organisation=None)
    lead = factories.UserFactory(role=Role.ORGANISATION_LEAD, organisation=orgs[0])
    training = _cycle(session, registry, "training-evaluation", "Escalation course")
    for text in TRAINING:
        _submit(session, training, None, {"do_differently": text})
    session.commit()
    training_run = _run(session, registry, quality, ("training",))
    runs.get_run(session, training_run).finished_at = utcnow() - timedelta(days=400)
    session.commit()

    consultation = _cycle(session, registry, "practitioner-consultation", "Escalation views")
    for works, barrier in zip(WORKS, BARRIERS, strict=True):
        _submit(session, consultation, None, {"what_works": works, "barriers": barrier})
    ids = tuple(o.id for o in orgs)
    section_11 = _cycle(session, registry, "section-11", "Section 11 2026", ids)
    for org, barrier, checks in zip(orgs, BARRIERS, RECRUITMENT, strict=True):
        _submit(session, section_11, org, {"s1_development": barrier, "s9_evidence": checks})
    children = _cycle(session, registry, "child-voice-11-plus", "Your views")
    for listened, waiting in zip(LISTENED, WAITING, strict=True):
        _submit(session, children, None, {"anything_else": listened, "make_better": waiting})
    session.commit()
    made = [
        _run(session, registry, quality, streams)
        for streams in (("consultation",), ("section_11",), ("child_voice",))
    ]
    labels = {
        run_id: [t.shown_label for t in run_report(session, run_id).themes]
        for run_id in (*made, training_run)
    }
    return PeriodWorld(quality, admin, lead, *made, training_run, labels)
