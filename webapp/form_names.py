"""What staff call each form: its kind and audience, not the title its respondents see."""

from __future__ import annotations

from surveys.definition import AgeBand, Audience, Stream, SurveyDefinition

KINDS = {
    Stream.SECTION_11: "Section 11 self-assessment",
    Stream.SECTION_175: "Section 175/157 self-assessment",
    Stream.TRAINING: "Training evaluation, end of course",
    Stream.TRAINING_FOLLOW_UP: "Training follow-up, 6 to 8 weeks on",
    Stream.CONSULTATION: "Practitioner consultation",
    Stream.CHILD_VOICE: "Child voice",
    Stream.FAMILY_VOICE: "Family voice",
    Stream.CASE_AUDIT: "Multi-agency case file audit",
    Stream.CASE_REVIEW: "Rapid review information return",
    Stream.NATIONAL_REVIEW: "National review finding: how local services measure up",
}
AGES = {AgeBand.UNDER_11: "under 11", AgeBand.ELEVEN_PLUS: "11 and over"}
ANSWERED_BY = {
    Audience.ORGANISATION: "organisations, signed in",
    Audience.CHILD: "anonymous link, children",
    Audience.FAMILY: "anonymous link, families",
}
LINK_ANSWERERS = {
    Stream.TRAINING: "trainees",
    Stream.TRAINING_FOLLOW_UP: "trainees",
    Stream.CONSULTATION: "practitioners",
}


def form_name(definition: SurveyDefinition) -> str:
    """Name a form for staff: "Child voice, under 11 — anonymous link, children"."""
    kind = KINDS.get(definition.stream, definition.title)
    if definition.age_band is not None:
        kind = f"{kind}, {AGES[definition.age_band]}"
    if definition.audience is Audience.ANONYMOUS_LINK:
        answered_by = f"anonymous link, {LINK_ANSWERERS.get(definition.stream, 'anyone')}"
    else:
        answered_by = ANSWERED_BY[definition.audience]
    return f"{kind} — {answered_by}"
