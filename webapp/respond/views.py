"""Anonymous respondents: trainees, practitioners, children and families, from a link or QR code.

No account. The draft lives on the server, found through the submission id kept in the
cookie session and in a hidden field; nothing sensitive is kept in the browser.
"""

from __future__ import annotations

import uuid

from flask import Blueprint, abort, redirect, render_template, request, session, url_for
from flask.typing import ResponseReturnValue

from surveys import cycles, engine, page_saves, responses
from surveys.definition import Audience, SurveyDefinition
from surveys.errors import CycleClosed, IncompleteResponse, SubmissionError
from surveys.models import PublicLink, Response, utcnow
from surveys.training import chain
from webapp.access import public
from webapp.database import get_session
from webapp.form_pages import (
    definition_for_link,
    definition_of,
    link_journey,
    page_form,
    page_view,
    person_key_secret,
)
from webapp.limits import limiter, link_key, respond_limit
from webapp.queue import after_submission

bp = Blueprint("respond", __name__, url_prefix="/f")
limiter.limit(respond_limit, key_func=link_key, methods=["POST"])(bp)
DRAFTS = "drafts"  # session key: {link token: submission id}
DONE = "done"  # session key: {link token: reference}


def _link(token: str) -> PublicLink:
    link = cycles.find_link(get_session(), token)
    if link is None:
        abort(404)
    return link


def _closed(link: PublicLink) -> ResponseReturnValue | None:
    if link.cycle.is_open(utcnow()):
        return None
    return render_template(
        "respond/closed.html", link=link, definition=definition_of(link.cycle)
    ), 410


def _draft(link: PublicLink) -> Response | None:
    submission_id = session.get(DRAFTS, {}).get(link.token) or request.form.get("submission_id")
    if not submission_id:
        return None
    response = responses.find_by_submission_id(get_session(), submission_id)
    if response is None or response.public_link_id != link.id:
        return None
    return response


def _remember(link: PublicLink, response: Response) -> None:
    session[DRAFTS] = {**session.get(DRAFTS, {}), link.token: response.submission_id}


@bp.route("/<token>", methods=["GET", "POST"])
@public
def start(token: str) -> ResponseReturnValue:
    link = _link(token)
    if (closed := _closed(link)) is not None:
        return closed
    definition = definition_for_link(link)
    if request.method == "POST":
        try:
            response = responses.start_anonymous_response(
                get_session(), link, request.form.get("submission_id", "")
            )
        except SubmissionError:
            return redirect(url_for("respond.start", token=token))
        _remember(link, response)
        return redirect(url_for("respond.page", token=token, page_id=definition.pages[0].id))
    return render_template(
        "respond/start.html", link=link, definition=definition, submission_id=str(uuid.uuid4())
    )


@bp.route("/<token>/<page_id>", methods=["GET", "POST"])
@public
def page(token: str, page_id: str) -> ResponseReturnValue:
    link = _link(token)
    if (closed := _closed(link)) is not None:
        return closed
    response = _draft(link)
    if response is None or response.is_submitted:
        return redirect(url_for("respond.start", token=token))
    journey = link_journey(link, response)
    if not journey.shows(page_id):
        abort(404)
    current = journey.definition.page(page_id)
    form = page_form(current, journey.answers, posted=request.method == "POST")
    if request.method == "POST" and not form.is_adding_row and form.validate():
        save = page_saves.PageSave(
            page_id, engine.answers_from_form(current, form), response.version
        )
        response = page_saves.save_page(get_session(), response, save)
        next_id = link_journey(link, response).next_page_id(page_id)  # the saved answers' journey
        if request.args.get("back") == "check" or not next_id:  # a Change link returns
            return redirect(url_for("respond.check", token=token))
        return redirect(url_for("respond.page", token=token, page_id=next_id))
    previous = journey.previous_page_id(page_id)
    back = (
        url_for("respond.page", token=token, page_id=previous)
        if previous
        else url_for("respond.start", token=token)
    )
    view = page_view(
        journey, current, form, back_url=back, link=link, submission_id=response.submission_id
    )
    status = 400 if request.method == "POST" and form.errors else 200
    return render_template("respond/page.html", view=view, form=form), status


@bp.route("/<token>/check", methods=["GET", "POST"])
@public
def check(token: str) -> ResponseReturnValue:
    link = _link(token)
    if (closed := _closed(link)) is not None:
        return closed
    response = _draft(link)
    if response is None:
        return redirect(url_for("respond.start", token=token))
    if response.is_submitted:
        return _finish(link, response)
    definition = definition_for_link(link)
    if request.method == "POST":
        try:
            outcome = responses.submit_response(
                get_session(),
                response,
                definition=definition,
                person_key_secret=person_key_secret(),
            )
        except IncompleteResponse as error:
            page_id = error.missing[0][0]
            return redirect(url_for("respond.page", token=token, page_id=page_id))
        except CycleClosed:
            return _closed(link) or abort(410)
        if outcome.is_new:
            after_submission()
        return _finish(link, outcome.response)
    return render_template(
        "respond/check.html",
        link=link,
        definition=definition,
        rows=link_journey(link, response).summary_rows(),
        submission_id=response.submission_id,
    )


def _finish(link: PublicLink, response: Response) -> ResponseReturnValue:
    drafts = dict(session.get(DRAFTS, {}))
    drafts.pop(link.token, None)
    session[DRAFTS] = drafts
    session[DONE] = {**session.get(DONE, {}), link.token: response.reference}
    return redirect(url_for("respond.done", token=link.token))


@bp.get("/<token>/done")
@public
def done(token: str) -> ResponseReturnValue:
    link = _link(token)
    reference = session.get(DONE, {}).get(token)
    if reference is None:
        return redirect(url_for("respond.start", token=token))
    return render_template(
        "respond/done.html",
        link=link,
        definition=definition_for_link(link),
        reference=reference,
        follow_up_on=chain.follow_up_date(get_session(), reference),
    )


@bp.get("/<token>/help")
@public
def help_page(token: str) -> ResponseReturnValue:
    """Who to contact, in full, with a way back to the page the respondent came from."""
    link = _link(token)
    definition = definition_of(link.cycle)
    back_url = _place(link, definition, request.args.get("return_to", ""))
    return render_template("respond/help.html", link=link, definition=definition, back_url=back_url)


def _place(link: PublicLink, definition: SurveyDefinition, here: str) -> str:
    """Return the URL of a place in the form named by `here`; the start page if unknown."""
    if here == "check":
        return url_for("respond.check", token=link.token)
    if here in {page.id for page in definition.pages}:
        return url_for("respond.page", token=link.token, page_id=here)
    return url_for("respond.start", token=link.token)


@bp.get("/<token>/privacy")
@public
def privacy(token: str) -> ResponseReturnValue:
    """What happens to a child's answers, in a child's words; adults get the full notice."""
    link = _link(token)
    definition = definition_of(link.cycle)
    if definition.audience is not Audience.CHILD:
        return redirect(url_for("main.privacy"))
    return render_template("respond/privacy.html", link=link, definition=definition)
