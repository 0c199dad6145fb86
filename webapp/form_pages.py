"""What the respondent journeys share: definitions, page forms, uploads and page context."""

from __future__ import annotations

import hashlib
import hmac
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from flask import Flask, current_app, g, request
from flask_wtf import FlaskForm
from werkzeug.datastructures import CombinedMultiDict

from surveys import engine, organisation_choices
from surveys.definition import JSONValue, Page, SurveyDefinition
from surveys.journey import Journey
from surveys.loader import DefinitionRegistry, load_definitions
from surveys.models import Cycle, Partnership, PublicLink, Response
from surveys.organisations import get_partnership, list_organisations
from surveys.responses import answers_of
from surveys.training import course_forms
from webapp.database import get_session


def init_app(app: Flask) -> None:
    """Load and validate every form definition once, at start-up (a bad file stops it)."""
    app.extensions["definitions"] = load_definitions()


def data_folder() -> Path:
    """Return where uploaded files live: outside static files, never served directly."""
    return Path(current_app.config.get("DATA_FOLDER") or current_app.instance_path)


def definitions() -> DefinitionRegistry:
    return current_app.extensions["definitions"]  # type: ignore[no-any-return]


def definition_of(item: Cycle | Response) -> SurveyDefinition:
    """Return the definition version a cycle or response uses.

    A question with `options_from: organisations` offers this partnership's organisations.
    """
    definition = definitions().get(item.definition_key, item.definition_version)
    if not organisation_choices.asks_organisation(definition):
        return definition
    return organisation_choices.with_organisations(definition, _organisations_here())


def _organisations_here() -> list[tuple[int, str]]:
    """Return (id, name) of the organisations serving this partnership, once a request."""
    if "organisations_here" not in g:
        found = list_organisations(get_session())
        g.organisations_here = [(organisation.id, organisation.name) for organisation in found]
    return g.organisations_here  # type: ignore[no-any-return]


def definition_for_link(link: PublicLink) -> SurveyDefinition:
    """Return the form a respondent reaches from a link: a course's own, for a session's link."""
    return course_forms.for_link(get_session(), definition_of(link.cycle), link.id)


def link_journey(link: PublicLink, response: Response) -> Journey:
    """Return an anonymous response's journey through the form its link reaches."""
    return Journey(definition_for_link(link), answers_of(response))


def person_key_secret() -> bytes:
    """Return the server secret of trainees' person-course keys (surveys.training.keys)."""
    configured = current_app.config.get("PERSON_KEY_SECRET")
    if configured:
        return str(configured).encode()
    key = str(current_app.config["SECRET_KEY"]).encode()
    return hmac.new(key, b"learning-loop person-course key", hashlib.sha256).digest()


def page_form(page: Page, answers: dict[str, JSONValue], *, posted: bool) -> engine.PageForm:
    """Build a page's form (with CSRF), from the post or from the stored answers."""
    formdata = CombinedMultiDict([request.files, request.form]) if posted else None
    return engine.build_page_form(page, formdata, answers=answers, base=FlaskForm)


def journey_of(response: Response) -> Journey:
    """Return a response's journey through its form version, worked out once."""
    return Journey(definition_of(response), answers_of(response))


@dataclass(frozen=True)
class PageView:
    definition: SurveyDefinition
    page: Page
    form: engine.PageForm
    number: int
    total: int
    back_url: str | None
    errors: list[dict[str, str]]
    partnership: Partnership | None
    extra: dict[str, Any]


def page_view(
    journey: Journey,
    page: Page,
    form: engine.PageForm,
    *,
    back_url: str | None,
    **extra: Any,
) -> PageView:
    """Collect what a question page template needs."""
    number, total = journey.progress(page.id)
    errors = [
        {"text": message, "href": f"#{anchor}"} for anchor, message in engine.form_errors(form)
    ]
    return PageView(
        journey.definition,
        page,
        form,
        number,
        total,
        back_url,
        errors,
        get_partnership(get_session()),
        extra,
    )


def page_titles(definition: SurveyDefinition) -> dict[str, str]:
    """Return each page's heading for summaries: the standard's number and title."""
    return {
        page.id: (f"{page.standard.ref}. " if page.standard else "") + page.title
        for page in definition.pages
    }
