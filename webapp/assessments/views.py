"""Organisation assessments (Section 11, Section 175): one shared draft per organisation."""

from __future__ import annotations

from flask import (
    abort,
    flash,
    g,
    redirect,
    render_template,
    request,
    url_for,
)
from flask.typing import ResponseReturnValue

from surveys import (
    carry_forward,
    changes,
    cycles,
    engine,
    page_saves,
    responses,
    running_cycles,
    shared_returns,
    tenancy,
)
from surveys.answer_types import answer_type
from surveys.definition import Page
from surveys.engine import PageForm
from surveys.errors import (
    SubmissionError,
)
from surveys.evidence import Upload
from surveys.journey import Journey
from surveys.models import Cycle, Response, Role, utcnow
from webapp.assessments.blueprint import (
    assigned_cycle,
    bp,
    evidence_folder,
    members,
    own_response,
    return_journey,
)
from webapp.database import get_session
from webapp.errors import render_error
from webapp.form_pages import (
    definition_of,
    definitions,
    page_form,
    page_view,
)
from webapp.training.evidence import training_evidence


@bp.get("")
@members
def index() -> ResponseReturnValue:
    open_cycles = cycles.open_cycles_for(get_session(), g.member.organisation_id)
    rows = [(cycle, own_response(cycle)) for cycle in open_cycles]
    return render_template("assessments/index.html", rows=rows)


@bp.get("/<int:cycle_id>")
@members
def overview(cycle_id: int) -> ResponseReturnValue:
    cycle = assigned_cycle(cycle_id)
    response = own_response(cycle)
    session = get_session()
    deadline = running_cycles.deadline_for(session, cycle, g.member.organisation_id)
    is_open = cycle.opens_at <= utcnow() < deadline
    if response and is_open and shared_returns.missing_cycles(session, response):
        response = responses.join_copies(session, response, evidence_folder=evidence_folder())
    if response:
        journey = return_journey(response)
    else:
        journey = Journey(shared_returns.own_definition(session, cycle, definition_of(cycle)), {})
    carried = carry_forward.carried(response.answers) if response else None
    unconfirmed = set(carried.unconfirmed) if carried else set()
    return render_template(
        "assessments/overview.html",
        cycle=cycle,
        response=response,
        definition=journey.definition,
        tasks=[
            (page, "carried" if page.id in unconfirmed else status)
            for page, status in journey.page_statuses()
        ],
        carried=carried,
        previous=None
        if response
        else carry_forward.previous_return(session, cycle, g.member.organisation_id),
        is_open=is_open,
        deadline=deadline,
        shared_with=[p.name for p in shared_returns.partnerships_of(session, response)]
        if response and cycle.shared_round
        else [],
    )


@bp.post("/<int:cycle_id>/start")
@members
def start(cycle_id: int) -> ResponseReturnValue:
    cycle = assigned_cycle(cycle_id)
    try:
        responses.start_organisation_response(
            get_session(), cycle, g.member.organisation_id, definitions=definitions()
        )
    except SubmissionError as error:
        flash(str(error), "error")
    return redirect(url_for("assessments.overview", cycle_id=cycle.id))


@bp.route("/<int:cycle_id>/<page_id>", methods=["GET", "POST"])
@members
def page(cycle_id: int, page_id: str) -> ResponseReturnValue:
    cycle = assigned_cycle(cycle_id)
    response = own_response(cycle) or abort(404)
    if response.is_submitted:
        return redirect(url_for("assessments.overview", cycle_id=cycle.id))
    journey = return_journey(response)
    if not journey.shows(page_id):
        abort(404)
    definition = journey.definition
    current = definition.page(page_id)
    form = page_form(current, journey.answers, posted=request.method == "POST")
    loaded = _loaded_version(response)
    if loaded is None:
        return render_error(400, body="Go back, refresh the page and try again. Nothing was saved.")
    outcome = page_saves.SaveOutcome(loaded=loaded)
    if request.method == "POST" and not form.is_adding_row and _is_valid(form):
        posted = _posted_page(current, form, loaded)
        saved_in = shared_returns.copy_for_page(get_session(), response, page_id)
        with tenancy.working_in(get_session(), saved_in.partnership_id):  # a local page: theirs
            outcome = page_saves.save_shared_page(
                get_session(),
                saved_in,
                definition,
                posted,
                user=g.user,
                evidence_folder=evidence_folder(),
            )
        if outcome.is_saved:
            _say_removed(form)
            return _after_save(cycle, page_id, response)
        if outcome.refused_file:
            form[outcome.refused_file[0]].errors.append(outcome.refused_file[1])
        loaded = outcome.loaded
    back = url_for("assessments.overview", cycle_id=cycle.id)
    view = page_view(
        journey,
        current,
        form,
        back_url=back,
        cycle=cycle,
        response=response,
        conflict=outcome.message,
        conflicts=outcome.conflicts,
        loaded_version=loaded if request.method == "POST" else response.version,
        loaded_answers=_loaded_answers()  # what the form was first built from
        if request.method == "POST"
        else changes.page_fingerprints(current, journey.answers),
        carried=_carried_here(response, current),
        lead_declares=_lead_declares_on(response, page_id),
        training=training_evidence(response, current.standard.ref if current.standard else None),
    )
    view.errors.extend({"text": text, "href": f"#{anchor}"} for anchor, text in outcome.errors)
    status = 400 if outcome.errors or (request.method == "POST" and form.errors) else 200
    status = 409 if outcome.message and not outcome.errors else status
    return render_template("assessments/page.html", view=view, form=form), status


def _carried_here(response: Response, page: Page) -> dict[str, object] | None:
    """What this page shows of carry forward: from which cycle, and last time's files."""
    carried = carry_forward.carried(response.answers)
    if carried is None or page.id not in carried.unconfirmed:
        return None
    files = [
        (question.label, carried.files[question.id])
        for question in page.questions
        if carried.files.get(question.id)
    ]
    return {"from_title": carried.from_title, "files": files}


def _lead_declares_on(response: Response, page_id: str) -> bool:
    """Return whether this page holds the lead's declaration, which this person cannot answer."""
    if g.member.role is Role.ORGANISATION_LEAD:
        return False
    pages = {page.id: page for page in definition_of(response).pages}
    return page_id in pages and any(q.declaration for q in pages[page_id].questions)


def _loaded_version(response: Response) -> int | None:
    """Return the version the posted page was loaded at; None when the post's is not a number."""
    text = request.form.get("loaded_version")
    if text is None:
        return response.version
    if text == "":
        return 0
    return int(text) if text.isascii() and text.isdigit() and len(text) <= 18 else None


def _posted_page(page: Page, form: PageForm, loaded: int) -> page_saves.PostedPage:
    """Read the posted page: answers, newly sent files, how it was loaded, clash choices."""
    uploads = {}
    for question in form.active_questions():
        sent = answer_type(question).new_upload(form[question.id])
        if sent:
            uploads[question.id] = [Upload(file.filename or "", file.stream) for file in sent]
    listed = tuple(request.form.getlist("conflict"))
    return page_saves.PostedPage(
        page,
        engine.answers_from_form(page, form),
        uploads,
        loaded,
        _loaded_answers(),
        listed=listed,
        resolve=request.form.get("resolve"),
        choices={question_id: request.form.get(f"choice-{question_id}") for question_id in listed},
    )


def _say_removed(form: PageForm) -> None:
    names = [
        str(file["filename"])
        for question in form.active_questions()
        for file in getattr(form[question.id], "removed", None) or []
    ]
    if names:
        flash(f"Removed {', '.join(names)}")


def _loaded_answers() -> str:
    return request.form.get("loaded_answers", "")


def _is_valid(form: engine.PageForm) -> bool:
    """Check the page: saving for later (or settling a conflict) lets questions stay blank."""
    if "save_and_return" in request.form or "resolve" in request.form:
        return form.validate_draft()
    return form.validate()


def _after_save(cycle: Cycle, page_id: str, response: Response) -> ResponseReturnValue:
    if request.args.get("back") == "check":  # came from a Change link on Check your answers
        return redirect(url_for("assessments.check", cycle_id=cycle.id))
    if "save_and_return" in request.form or (
        "resolve" in request.form and request.form.get("then") == "overview"
    ):  # saving for later, or settling a clash that came from saving for later
        flash("Your answers have been saved. Anyone in your organisation can carry on")
        return redirect(url_for("assessments.overview", cycle_id=cycle.id))
    next_id = return_journey(response).next_page_id(page_id)  # the saved answers' journey
    return redirect(
        url_for("assessments.page", cycle_id=cycle.id, page_id=next_id)
        if next_id
        else url_for("assessments.check", cycle_id=cycle.id)
    )
