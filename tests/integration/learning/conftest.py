"""A real SQLite database with organisations, users, cycles and submitted answers to theme."""

from __future__ import annotations

import uuid
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from datetime import timedelta
from itertools import zip_longest
from typing import Any

import pytest
from sqlalchemy.orm import Session, sessionmaker

import learning.models  # noqa: F401 - registers the learning tables on Base
from learning.embedding_cache import DatabaseEmbeddingCache
from nlp.embedding import HashingEmbedder
from nlp.pipeline import ThemingPipeline
from nlp.result import ThemingResult
from nlp.theming import SklearnThemer
from surveys import cycles, tenancy
from surveys.database import make_engine, make_session_factory
from surveys.loader import DefinitionRegistry, load_definitions
from surveys.models import (
    Base,
    Cycle,
    DisclosureFlag,
    Organisation,
    OrganisationKind,
    Partnership,
    Response,
    ResponseStatus,
    Role,
    Sector,
    User,
    utcnow,
)
from tests import factories

SUPERVISION = [
    "Regular supervision gives time to reflect",
    "Supervision sessions help us reflect on cases",
    "Reflective supervision is protected time",
    "Good supervision helps workers reflect and plan",
    "Monthly supervision lets us reflect on drift",
    "Supervision is valued reflective time",
    "Reflective supervision every month helps",
    "Supervision time to reflect is protected by managers",
    "Group supervision helps reflect on hard cases",
    "Supervision and reflection time keeps practice safe",
]
ESCALATION = [
    "The escalation procedure is unclear when agencies disagree",
    "Nobody explains how to escalate a disagreement between agencies",
    "Escalation of professional disagreements is confusing and slow",
    "We need clearer escalation routes when agencies disagree",
    "The escalation procedure for disagreements is not understood",
    "Disagreements between agencies are not escalated quickly",
    "Escalation procedure is unclear to partner agencies",
    "Agencies disagree and the escalation route is unclear",
    "Professional disagreement escalation procedure needs publicising",
    "Escalating a disagreement with other agencies is slow",
]
TRAINING = [
    "The multi-agency training course was practical and useful",
    "The graded care profile training course was really useful",
    "Training course on the toolkit was practical",
    "The training course gave useful practical tools",
    "Multi-agency training course was engaging and practical",
    "Useful training course with practical case studies",
    "A practical and useful training course",
    "The training course trainer was practical and useful",
    "Practical training course, very useful for my role",
    "Useful multi-agency training course with practical exercises",
]


@dataclass
class World:
    """The people, organisations and cycles the learning tests work with."""

    session: Session
    factory: sessionmaker[Session]
    registry: DefinitionRegistry
    police: Organisation
    school: Organisation
    quality: User
    police_lead: User
    consultation: Cycle
    section_11: Cycle
    responses: list[Response] = field(default_factory=list)

    def consultation_answer(
        self, answers: dict[str, Any], *, flagged_question: str | None = None, flagged: bool = False
    ) -> Response:
        """Add a submitted anonymous consultation response (optionally flagged)."""
        response = self._response(self.consultation, None, answers)
        response.is_flagged = flagged or flagged_question is not None
        if flagged_question:
            self.session.flush()
            self.session.add(
                DisclosureFlag(
                    response_id=response.id,
                    question_id=flagged_question,
                    reasons="harm_by_adult",
                    review_due_at=utcnow(),
                )
            )
        self.session.commit()
        return response

    def section_11_answer(self, organisation: Organisation, answers: dict[str, Any]) -> Response:
        """Add a submitted Section 11 response for an organisation."""
        response = self._response(self.section_11, organisation.id, answers)
        self.session.commit()
        return response

    def _response(
        self, cycle: Cycle, organisation_id: int | None, answers: dict[str, Any]
    ) -> Response:
        response = Response(
            cycle_id=cycle.id,
            organisation_id=organisation_id,
            submission_id=str(uuid.uuid4()),
            reference=uuid.uuid4().hex[:16],
            definition_key=cycle.definition_key,
            definition_version=cycle.definition_version,
            status=ResponseStatus.SUBMITTED,
            answers=answers,
            submitted_at=utcnow(),
        )
        self.session.add(response)
        self.responses.append(response)
        return response

    def consultation_corpus(self, works: Sequence[str], barriers: Sequence[str]) -> None:
        """Add one response per pair of texts (what works / what gets in the way)."""
        for what_works, barrier in zip_longest(works, barriers):
            pair = {"what_works": what_works, "barriers": barrier}
            self.consultation_answer({k: v for k, v in pair.items() if v is not None})


@pytest.fixture
def session_factory(tmp_path: Any) -> Iterator[sessionmaker[Session]]:
    engine = make_engine(f"sqlite:///{tmp_path / 'learning.db'}")
    Base.metadata.create_all(engine)
    sessions = make_session_factory(engine)
    with sessions() as session:
        partnership = Partnership(name="Test Partnership")
        session.add(partnership)
        session.commit()
    yield tenancy.sessions_in(sessions, partnership.id)
    engine.dispose()


@pytest.fixture
def world(session_factory: sessionmaker[Session]) -> Iterator[World]:
    session = session_factory()
    factories.bind(session)
    police = factories.OrganisationFactory(name="Police", sector=Sector.POLICE)
    school = factories.OrganisationFactory(
        name="Hill School", sector=Sector.EDUCATION, kind=OrganisationKind.SCHOOL
    )
    quality = factories.UserFactory(role=Role.QUALITY_GROUP, organisation=None)
    lead = factories.UserFactory(role=Role.ORGANISATION_LEAD, organisation=police)
    registry = load_definitions()
    now = utcnow()
    window = (now - timedelta(days=10), now + timedelta(days=10))
    consultation = cycles.publish_cycle(
        session,
        registry.latest("practitioner-consultation"),
        cycles.NewCycle("Neglect consultation", *window),
        created_by=None,
    )
    section_11 = cycles.publish_cycle(
        session,
        registry.latest("section-11"),
        cycles.NewCycle("Section 11 2026", *window, (police.id, school.id)),
        created_by=None,
    )
    yield World(
        session, session_factory, registry, police, school, quality, lead, consultation, section_11
    )
    session.close()


class SpyPipeline:
    """The real pipeline (hashing embedder, scikit-learn themer) recording what it was given."""

    def __init__(self, cache: Any = None, *, fail_at: str | None = None) -> None:
        self.inner = ThemingPipeline(
            embedder=HashingEmbedder(), themer=SklearnThemer(), cache=cache
        )
        self.embedder, self.themer, self.cache, self.seed = (
            self.inner.embedder,
            self.inner.themer,
            cache,
            0,
        )
        self.texts: list[str] = []
        self.fail_at = fail_at

    def run(self, texts: Sequence[str], **kwargs: Any) -> ThemingResult:
        self.texts = list(texts)
        outer = kwargs.pop("progress", None)

        def progress(stage: str, done: int, total: int) -> None:
            if outer:
                outer(stage, done, total)
            if stage == self.fail_at:
                raise RuntimeError("worker lost")  # stands in for a killed worker

        return self.inner.run(texts, progress=progress, **kwargs)

    def update(self, previous: ThemingResult, texts: Sequence[str], **kwargs: Any) -> Any:
        self.texts = list(texts)
        outer = kwargs.pop("progress", None)

        def progress(stage: str, done: int, total: int) -> None:
            if outer:
                outer(stage, done, total)
            if stage == self.fail_at:
                raise RuntimeError("worker lost")  # stands in for a killed worker

        return self.inner.update(previous, texts, progress=progress, **kwargs)


@pytest.fixture
def pipeline(session_factory: sessionmaker[Session]) -> SpyPipeline:
    return SpyPipeline(DatabaseEmbeddingCache(session_factory))
