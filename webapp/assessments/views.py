"""Organisation assessments (Section 11, Section 175): one shared draft per organisation."""

from __future__ import annotations

from pathlib import Path

from flask import (
    Blueprint,
    abort,
    flash,
    g,
    redirect,
    render_template,
    request,
    send_from_directory,
    url_for,
)
from flask.typing import ResponseReturnValue
from sqlalchemy import select

from surveys import cycles, engine, responses
from surveys.accounts import record_audit
from surveys.definition import QuestionType
from surveys.errors import EditConflict, IncompleteResponse, SubmissionError
from surveys.evidence import EvidenceRejected, Upload, store_evidence
from surveys.models import Cycle, EvidenceFile, Response, Role, utcnow
from webapp.access import roles
from webapp.database import get_session
from webapp.errors import render_error
from webapp.jobs import after_submission
from webapp.running import data_folder, definition_of, page_form, page_view, visible

bp = Blueprint("assessments", __name__, url_prefix="/assessments")
members = roles(Role.ORGANISATION_LEAD, Role.ORGANISATION_CONTRIBUTOR)


def _cycle(cycle_id: int) -> Cycle:
    """Return a cycle assigned to the user's organisation; anything else is 404 (and audited)."""
    cycle = get_session().get(Cycle, cycle_id)
    if cycle is None or not cycles.is_assigned(get_session(), cycle, g.user.organisation_id):
        record_audit(
            get_session(),
            user_id=g.user.id,
            action="access.denied",
            object_type="cycle",
            object_id=cycle_id,
        )
        get_session().commit()
        abort(404)
    return cycle


def _response(cycle: Cycle) -> Response | None:
    return responses.organisation_response(get_session(), cycle, g.user.organisation_id)


@bp.get("")
@members
def index() -> ResponseReturnValue:
    open_cycles = cycles.open_cycles_for(get_session(), g.user.organisation_id)
    rows = [(cycle, _response(cycle)) for cycle in open_cycles]
    return render_template("assessments/index.html", rows=rows)


@bp.get("/<int:cycle_id>")
@members
def overview(cycle_id: int) -> ResponseReturnValue:
    cycle = _cycle(cycle_id)
    response = _response(cycle)
    definition = definition_of(cycle)
    answers = visible(definition, response) if response else {}
    return render_template(
        "assessments/overview.html",
        cycle=cycle,
        response=response,
        definition=definition,
        tasks=responses.page_statuses(definition, answers),
        is_open=cycle.is_open(utcnow()),
    )


@bp.post("/<int:cycle_id>/start")
@members
def start(cycle_id: int) -> ResponseReturnValue:
    cycle = _cycle(cycle_id)
    try:
        responses.start_organisation_response(get_session(), cycle, g.user.organisation_id)
    except SubmissionError as error:
        flash(str(error), "error")
    return redirect(url_for("assessments.overview", cycle_id=cycle.id))


@bp.route("/<int:cycle_id>/<page_id>", methods=["GET", "POST"])
@members
def page(cycle_id: int, page_id: str) -> ResponseReturnValue:
    cycle = _cycle(cycle_id)
    response = _response(cycle) or abort(404)
    if response.is_submitted:
        return redirect(url_for("assessments.overview", cycle_id=cycle.id))
    definition = definition_of(response)
    answers = visible(definition, response)
    if page_id not in {p.id for p in engine.visible_pages(definition, answers)}:
        abort(404)
    current = definition.page(page_id)
    form = page_form(current, answers, posted=request.method == "POST")
    loaded = _loaded_version(response)
    if loaded is None:
        return render_error(400, body="Go back, refresh the page and try again. Nothing was saved.")
    conflict = None
    if request.method == "POST" and not form.is_adding_row and form.validate():
        try:
            _save(response, current, form, loaded)
        except EvidenceRejected as error:  # shown on the file's field, like any invalid answer
            form[error.question_id].errors.append(str(error))
        except (EditConflict, SubmissionError) as error:
            conflict = str(error)
            loaded = getattr(error, "current_version", loaded)
        else:
            return _after_save(cycle, definition, page_id, response)
    back = url_for("assessments.overview", cycle_id=cycle.id)
    view = page_view(
        definition,
        current,
        form,
        answers,
        back_url=back,
        cycle=cycle,
        response=response,
        conflict=conflict,
        loaded_version=loaded if request.method == "POST" else response.version,
    )
    status = 409 if conflict else (400 if request.method == "POST" and form.errors else 200)
    return render_template("assessments/page.html", view=view, form=form), status


def _loaded_version(response: Response) -> int | None:
    """Return the version the posted page was loaded at; None when the post's is not a number."""
    text = request.form.get("loaded_version")
    if text is None:
        return response.version
    if text == "":
        return 0
    return int(text) if text.isascii() and text.isdigit() and len(text) <= 18 else None


def _save(response: Response, page, form, loaded: int) -> None:  # type: ignore[no-untyped-def]
    page_answers = engine.answers_from_form(page, form)
    for question in form.active_questions():
        upload = getattr(form[question.id], "upload", None)
        if question.type is QuestionType.FILE and upload is not None:
            evidence = store_evidence(
                get_session(),
                evidence_folder(),
                response_id=response.id,
                question_id=question.id,
                upload=Upload(upload.filename or "", upload.stream),
                user_id=g.user.id,
            )
            page_answers[question.id] = {
                "file_id": evidence.id,
                "filename": evidence.filename,
                "content_type": evidence.content_type,
                "size": evidence.size,
            }
    responses.save_page(
        get_session(), response, responses.PageSave(page.id, page_answers, loaded), user=g.user
    )


def _after_save(
    cycle: Cycle,
    definition,
    page_id: str,  # type: ignore[no-untyped-def]
    response: Response,
) -> ResponseReturnValue:
    if request.args.get("back") == "check":  # came from a Change link on Check your answers
        return redirect(url_for("assessments.check", cycle_id=cycle.id))
    if "save_and_return" in request.form:
        flash("Your answers have been saved. Anyone in your organisation can carry on")
        return redirect(url_for("assessments.overview", cycle_id=cycle.id))
    next_id = engine.next_page_id(definition, page_id, visible(definition, response))
    return redirect(
        url_for("assessments.page", cycle_id=cycle.id, page_id=next_id)
        if next_id
        else url_for("assessments.check", cycle_id=cycle.id)
    )


def evidence_folder() -> Path:
    return data_folder() / "evidence"


@bp.get("/<int:cycle_id>/check")
@members
def check(cycle_id: int) -> ResponseReturnValue:
    cycle = _cycle(cycle_id)
    response = _response(cycle) or abort(404)
    definition = definition_of(response)
    answers = visible(definition, response)
    return render_template(
        "assessments/check.html",
        cycle=cycle,
        response=response,
        definition=definition,
        rows=engine.summary_rows(definition, answers),
        missing=responses.missing_answers(definition, answers),
        is_lead=g.user.role is Role.ORGANISATION_LEAD,
    )


@bp.post("/<int:cycle_id>/submit")
@members
def submit(cycle_id: int) -> ResponseReturnValue:
    cycle = _cycle(cycle_id)
    response = _response(cycle) or abort(404)
    definition = definition_of(response)
    try:
        if g.user.role is Role.ORGANISATION_LEAD:
            if request.form.get("confirm") != "yes":
                flash("Confirm that you are signing off this return as its senior lead", "error")
                return redirect(url_for("assessments.check", cycle_id=cycle.id))
            responses.submit(get_session(), response, definition=definition, user=g.user)
            after_submission()
            return redirect(url_for("assessments.overview", cycle_id=cycle.id))
        responses.request_sign_off(get_session(), response, user=g.user, definition=definition)
        flash("Your organisation lead has been asked to sign this off")
    except IncompleteResponse:
        flash("Answer every required question before you submit", "error")
        return redirect(url_for("assessments.check", cycle_id=cycle.id))
    except SubmissionError as error:
        flash(str(error), "error")
    return redirect(url_for("assessments.overview", cycle_id=cycle.id))


@bp.get("/<int:cycle_id>/evidence/<int:file_id>")
@members
def evidence(cycle_id: int, file_id: int) -> ResponseReturnValue:
    cycle = _cycle(cycle_id)
    response = _response(cycle) or abort(404)
    file = get_session().scalar(
        select(EvidenceFile).where(
            EvidenceFile.id == file_id, EvidenceFile.response_id == response.id
        )
    ) or abort(404)
    return send_from_directory(
        evidence_folder(),
        file.stored_name,
        as_attachment=True,
        download_name=file.filename,
        mimetype=file.content_type,
    )
