"""Questions that offer the partnership's organisations: `options_from: organisations`.

Public API:
    asks_organisation(definition) -> bool
    with_organisations(definition, organisations) -> SurveyDefinition: each such question
        offers the organisations (value: the organisation's id, label: its name) before the
        options its definition lists (e.g. "Another organisation").
    organisation_question(definition) -> Question | None: the question that asks it.

A form asks "Which organisation do you work for?" from a list that differs per partnership,
so the list is filled in when the form is used (webapp.form_pages.definition_of), never
written into the YAML. A stored answer is the organisation's id as text, or a listed option.
"""

from __future__ import annotations

from collections.abc import Sequence

from surveys.definition import Option, Page, Question, SurveyDefinition


def asks_organisation(definition: SurveyDefinition) -> bool:
    """Return whether any question of the form offers the partnership's organisations."""
    return organisation_question(definition) is not None


def organisation_question(definition: SurveyDefinition) -> Question | None:
    """Return the question that asks which of the partnership's organisations, if any."""
    return next(
        (q for page in definition.pages for q in page.questions if q.options_from),
        None,
    )


def with_organisations(
    definition: SurveyDefinition, organisations: Sequence[tuple[int, str]]
) -> SurveyDefinition:
    """Return the form with the organisations (id, name) offered by each such question."""
    if not asks_organisation(definition):
        return definition
    listed = tuple(Option(value=str(id_), label=name) for id_, name in organisations)
    pages = tuple(_filled(page, listed) for page in definition.pages)
    return definition.model_copy(update={"pages": pages})


def _filled(page: Page, listed: tuple[Option, ...]) -> Page:
    if not any(q.options_from for q in page.questions):
        return page
    questions = tuple(
        q.model_copy(update={"options": (*listed, *q.options)}) if q.options_from else q
        for q in page.questions
    )
    return page.model_copy(update={"questions": questions})
