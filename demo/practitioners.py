"""The demo's practitioners: who answered the neglect consultation works for which agency, and
one agency whose self-rating its own staff contradict (surveys.triangulation).

Public API:
    DISAGREEING: the agency whose Section 11 return rates standard 6 (escalation) "Met" while
        most of its practitioners say they do not know the escalation procedure.
    seed_practitioners(session): name each practitioner's agency on the demo's answers, and
        the service some children's and families' answers are about.
    VOICES_ABOUT: the agency those children's and families' answers name.

The demo's consultation answers are generated at random (demo.answers); this step, run after
them, makes the picture a reviewer can read: 6 practitioners from each agency, the rest
"Another organisation"; at every agency but one, 5 of the 6 know the escalation and referral
procedures and have had training; at DISAGREEING, 5 of its 6 do not know (or are not sure of)
the escalation procedure, so its "Met" on standard 6 is flagged.

Children and families: 8 young people (11 and over) and 6 family members say their answers
are about VOICES_ABOUT; most say the adults there listen (so standard 4 is not flagged, and
its triangulation shows the counts beside its rating).
"""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session
from sqlalchemy.orm.attributes import flag_modified

from surveys.models import Cycle, Organisation, OrganisationKind, Partnership, Response
from surveys.tenancy import work_in

DISAGREEING = "Riverside Family Support Trust"
VOICES_ABOUT = DISAGREEING
# how often the adults listened, said by those naming VOICES_ABOUT, by form
_LISTENED = {
    "child-voice-11-plus": ("always", "mostly", "always", "mostly", "sometimes", "always",
                            "mostly", "rarely"),
    "family-voice": ("mostly", "always", "mostly", "sometimes", "always", "never"),
}  # fmt: skip
FORM = "practitioner-consultation"
PER_AGENCY = 6
_KNOWS = {"escalation_known": "yes", "referral_known": "yes", "training_recent": "yes"}
_UNSURE = {"escalation_known": "not_sure", "referral_known": "not_sure", "training_recent": "no"}
# DISAGREEING's six: escalation not known by five; referral and training as elsewhere
_DISAGREEING_ESCALATION = ("no", "not_sure", "no", "not_sure", "yes", "not_sure")


def seed_practitioners(session: Session) -> None:
    """Name an agency on the Riverside consultation's answers, six practitioners each."""
    riverside = session.scalar(select(Partnership).order_by(Partnership.id))
    assert riverside is not None
    work_in(session, riverside.id)
    cycle = session.scalar(
        select(Cycle).where(Cycle.definition_key == FORM).order_by(Cycle.opens_at.desc())
    )
    assert cycle is not None
    agencies = list(
        session.scalars(
            select(Organisation)
            .where(Organisation.kind == OrganisationKind.AGENCY)
            .order_by(Organisation.name)
        )
    )
    answered = list(
        session.scalars(
            select(Response)
            .where(Response.cycle_id == cycle.id, Response.submitted_at.is_not(None))
            .order_by(Response.id)
        )
    )
    for index, response in enumerate(answered[: PER_AGENCY * len(agencies)]):
        agency, place = agencies[index % len(agencies)], index // len(agencies)
        answers = {**(response.answers or {}), "organisation": str(agency.id)}
        answers.update(_UNSURE if place == PER_AGENCY - 1 else _KNOWS)
        if agency.name == DISAGREEING:
            answers.update(_KNOWS)
            answers["escalation_known"] = _DISAGREEING_ESCALATION[place]
        response.answers = answers
        flag_modified(response, "answers")
    service = session.scalar(select(Organisation).where(Organisation.name == VOICES_ABOUT))
    assert service is not None
    for form, listened in _LISTENED.items():
        _name_service(session, form, service.id, listened)
    session.commit()


def _name_service(session: Session, form: str, service_id: int, listened: tuple[str, ...]) -> None:
    """Say the newest answers to the newest cycle of a voice form are about one service."""
    cycle = session.scalar(
        select(Cycle).where(Cycle.definition_key == form).order_by(Cycle.opens_at.desc())
    )
    assert cycle is not None
    answered = session.scalars(
        select(Response)
        .where(Response.cycle_id == cycle.id, Response.submitted_at.is_not(None))
        .order_by(Response.submitted_at.desc(), Response.id)
        .limit(len(listened))
    )
    for response, said in zip(answered, listened, strict=False):
        response.answers = {
            **(response.answers or {}),
            "which_service": str(service_id),
            "listened_to": said,
        }
        flag_modified(response, "answers")
