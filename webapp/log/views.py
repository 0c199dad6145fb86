"""The learning log at /learning-log: search and download it, add and edit an entry, and place an
entry on the board (its form is on the entry's page)."""

from __future__ import annotations

from flask import Blueprint, abort, flash, g, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue

from learning import actions, board, errors, log
from learning.models import EntryStatus, LearningEntry, SourceKind
from surveys.definition import Stream
from surveys.models import Role, utcnow
from webapp.access import roles
from webapp.actions.forms import new_action_form
from webapp.board.forms import PlaceForm
from webapp.database import get_session
from webapp.forms import first_problem
from webapp.log.forms import EntryForm, SearchForm

bp = Blueprint("log", __name__)
quality_group = roles(Role.QUALITY_GROUP, Role.PARTNERSHIP_ADMIN)
SPREADSHEET_TYPES = {
    "csv": "text/csv; charset=utf-8",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}


@bp.get("/learning-log")
@quality_group
def index() -> ResponseReturnValue:
    search = SearchForm(request.args)
    found = log.search_entries(
        get_session(), text=search.text, stream=search.stream_value, status=search.status_value
    )
    fmt = request.args.get("format")
    if fmt in SPREADSHEET_TYPES:
        body = log.export_csv(found) if fmt == "csv" else log.export_xlsx(found)
        disposition = f"attachment; filename=learning-log.{fmt}"
        headers = {"Content-Type": SPREADSHEET_TYPES[fmt], "Content-Disposition": disposition}
        return body, 200, headers
    return render_template(
        "log/index.html",
        entries=found,
        streams=list(Stream),
        statuses=list(EntryStatus),
        args=search.as_args(),
    )


def _details(form: EntryForm) -> log.EntryDetails:
    kind = form.source_kind.data or SourceKind.STREAM.value
    status = form.status.data or EntryStatus.OPEN.value
    return log.EntryDetails(
        title=form.title.data or "",
        lesson=form.lesson.data or "",
        source_kind=SourceKind(kind) if kind in {k.value for k in SourceKind} else SourceKind.OTHER,
        source_stream=form.source_stream.data or None,
        source_detail=form.source_detail.data or "",
        entry_date=form.entry_date.data,
        recommended_action=form.recommended_action.data or "",
        owner=form.owner.data or "",
        status=EntryStatus(status),
        review_date=form.review_date.data,
        organisation_ids=list(form.organisations.data or ()),
    )


def _found_entry(entry_id: int | None) -> LearningEntry | None:
    if entry_id is None:
        return None
    try:
        return log.get_entry(get_session(), entry_id)
    except errors.LearningError:
        abort(404)


def _entry_page(
    found: LearningEntry | None, form: EntryForm, place_form: PlaceForm | None = None
) -> ResponseReturnValue:
    problem = first_problem(place_form) if place_form else None
    return render_template(
        "log/entry.html",
        entry=found,
        form=form,
        action_form=new_action_form(get_session()),
        place_form=place_form,
        problem=problem,
        actions=actions.actions_for_entry(get_session(), found.id) if found else [],
        suggestion=board.suggest_for_entry(get_session(), found) if found else None,
    ), 400 if (form.errors or problem) else 200


@bp.route("/learning-log/new", methods=["GET", "POST"])
@bp.route("/learning-log/<int:entry_id>", methods=["GET", "POST"])
@quality_group
def entry(entry_id: int | None = None) -> ResponseReturnValue:
    found = _found_entry(entry_id)
    form = EntryForm(obj=found) if found else EntryForm(data={"entry_date": utcnow().date()})
    if form.validate_on_submit():
        try:
            if found is None:
                found = log.create_entry(get_session(), _details(form), created_by=g.user)
            else:
                log.update_entry(get_session(), found.id, _details(form))
        except errors.LearningError as error:
            form.field_for(str(error)).errors.append(str(error))
        else:
            flash("The learning log entry has been saved")
            return redirect(url_for("log.entry", entry_id=found.id))
    return _entry_page(found, form)


@bp.post("/board/entries/<int:entry_id>")
@quality_group
def place_on_board(entry_id: int) -> ResponseReturnValue:
    found = _found_entry(entry_id)
    form = PlaceForm()
    if form.validate_on_submit():
        try:
            board.place_on_board(
                get_session(),
                entry_id=entry_id,
                column=form.column.data or "",
                decided_by=g.user,
                why=form.why.data or "",
            )
        except errors.LearningError as error:
            form.why.errors.append(str(error))
        else:
            return redirect(url_for("board.index"))
    return _entry_page(found, EntryForm(formdata=None, obj=found), place_form=form)
