"""Sign-off: a contributor sends a return to the organisation lead, who alone attests.

A form marks the questions of the lead's declaration (`declaration: true`: the senior lead's
name, role and date, their agreement; a school's headteacher and governor). Contributors
answer, and send for sign-off, the return without them; only the lead answers them, then
signs off the version they saw (surveys.responses.submit_response).

Public API:
    declaration_ids(definition) -> set of question ids
    without_declaration(definition) -> the form as contributors answer it (pages left with no
        question dropped)
"""

from __future__ import annotations

from surveys.definition import SurveyDefinition


def declaration_ids(definition: SurveyDefinition) -> set[str]:
    """Return the ids of the questions only the organisation lead answers."""
    return {q.id for page in definition.pages for q in page.questions if q.declaration}


def without_declaration(definition: SurveyDefinition) -> SurveyDefinition:
    """Return the form without the lead's declaration: what contributors answer."""
    if not declaration_ids(definition):
        return definition
    pages = []
    for page in definition.pages:
        questions = tuple(q for q in page.questions if not q.declaration)
        if questions:
            pages.append(page.model_copy(update={"questions": questions}))
    return definition.model_copy(update={"pages": tuple(pages)})
