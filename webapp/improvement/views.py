"""The learning log, the Created / Stabilised / Changed board and actions."""

from __future__ import annotations

from flask import Blueprint, abort, flash, g, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue

from learning import actions, board, errors, log
from learning.models import BoardColumn, EntryStatus, LearningEntry, SourceKind
from surveys import organisations
from surveys.definition import Stream
from surveys.models import Role, utcnow
from webapp.access import roles
from webapp.database import get_session
from webapp.improvement.forms import ActionForm, EntryForm, ProgressForm

bp = Blueprint("improvement", __name__)
quality_group = roles(Role.QUALITY_GROUP, Role.PARTNERSHIP_ADMIN)
action_viewers = roles(
    Role.QUALITY_GROUP,
    Role.PARTNERSHIP_ADMIN,
    Role.ORGANISATION_LEAD,
    Role.ORGANISATION_CONTRIBUTOR,
)


@bp.get("/learning-log")
@quality_group
def log_index() -> ResponseReturnValue:
    args = request.args
    found = log.search_entries(
        get_session(),
        text=args.get("q") or None,
        stream=args.get("stream") or None,
        status=args.get("status") if args.get("status") in {s.value for s in EntryStatus} else None,
    )
    fmt = args.get("format")
    if fmt in ("csv", "xlsx"):
        body = log.export_csv(found) if fmt == "csv" else log.export_xlsx(found)
        kind = (
            "text/csv; charset=utf-8"
            if fmt == "csv"
            else "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
        )
        return (
            body,
            200,
            {
                "Content-Type": kind,
                "Content-Disposition": f"attachment; filename=learning-log.{fmt}",
            },
        )
    return render_template(
        "improvement/log.html",
        entries=found,
        streams=list(Stream),
        statuses=list(EntryStatus),
        args=args,
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
        organisation_ids=[int(i) for i in request.form.getlist("organisations") if i.isdigit()],
    )


def _found_entry(entry_id: int | None) -> LearningEntry | None:
    if entry_id is None:
        return None
    try:
        return log.get_entry(get_session(), entry_id)
    except errors.LearningError:
        abort(404)


def _action_form(*, is_posted: bool = False) -> ActionForm:
    """Return the action form: bound to the request only when it is the form being posted."""
    form = ActionForm() if is_posted else ActionForm(formdata=None)
    form.organisation.choices = [
        (o.id, o.name)
        for o in organisations.list_organisations(get_session(), include_inactive=False)
    ]
    return form


def _entry_page(
    found: LearningEntry | None, form: EntryForm, *, place_problem: str | None = None
) -> ResponseReturnValue:
    has_problem = bool(form.errors or place_problem)
    return render_template(
        "improvement/entry.html",
        entry=found,
        form=form,
        action_form=_action_form(),
        place_problem=place_problem,
        placed=request.form if place_problem else {},
        actions=actions.actions_for_entry(get_session(), found.id) if found else [],
        suggestion=board.suggest_for_entry(get_session(), found) if found else None,
    ), 400 if has_problem else 200


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
            return redirect(url_for("improvement.entry", entry_id=found.id))
    return _entry_page(found, form)


def _board_page(move_problem: tuple[int, str] | None = None) -> ResponseReturnValue:
    columns = board.board(get_session())
    items = [item for column_items in columns.values() for item in column_items]
    return render_template(
        "improvement/board.html",
        columns=columns,
        titles={item.id: board.item_title(get_session(), item) for item in items},
        histories={item.id: board.history_of(get_session(), item.id) for item in items},
        BoardColumn=BoardColumn,
        today=utcnow().date(),
        action_form=_action_form(),
        move_problem=move_problem,
        errors=[{"text": move_problem[1], "href": f"#why-{move_problem[0]}"}]
        if move_problem
        else [],
        moved=request.form if move_problem else {},
    ), 400 if move_problem else 200


@bp.get("/board")
@quality_group
def board_view() -> ResponseReturnValue:
    return _board_page()


@bp.post("/board/entries/<int:entry_id>")
@quality_group
def place_entry(entry_id: int) -> ResponseReturnValue:
    try:
        board.place_on_board(
            get_session(),
            entry_id=entry_id,
            column=request.form.get("column", ""),
            decided_by=g.user,
            why=request.form.get("why", ""),
        )
    except (errors.LearningError, ValueError) as error:
        found = _found_entry(entry_id)
        form = EntryForm(formdata=None, obj=found)
        return _entry_page(found, form, place_problem=str(error) or "Select a column")
    return redirect(url_for("improvement.board_view"))


@bp.post("/board/<int:item_id>/move")
@quality_group
def move(item_id: int) -> ResponseReturnValue:
    priority = request.form.get("priority", "")
    try:
        board.move_item(
            get_session(),
            item_id,
            column=request.form.get("column", ""),
            moved_by=g.user,
            why=request.form.get("why", ""),
            priority=int(priority) if priority.isdigit() else None,
        )
    except (errors.LearningError, ValueError) as error:
        return _board_page(move_problem=(item_id, str(error) or "Select a column"))
    return redirect(url_for("improvement.board_view"))


def _number(value: str | None) -> int | None:
    return int(value) if value and value.isdigit() else None


@bp.post("/actions")
@quality_group
def create_action() -> ResponseReturnValue:
    form = _action_form(is_posted=True)
    if form.validate_on_submit() and form.due_date.data is not None:
        try:
            actions.create_action(
                get_session(),
                description=form.description.data or "",
                owner_organisation_id=form.organisation.data,
                due_date=form.due_date.data,
                created_by=g.user,
                board_item_id=_number(form.board_item.data),
                entry_id=_number(form.entry.data),
            )
        except errors.InvalidInput as error:
            form.field_for(str(error)).errors.append(str(error))
        except errors.NotFound:
            abort(404)
        else:
            flash("The action has been created and its organisation can now see it")
            return redirect(url_for("improvement.actions_index"))
    return render_template("improvement/new_action.html", form=form), 400


@bp.get("/actions")
@action_viewers
def actions_index() -> ResponseReturnValue:
    return render_template(
        "improvement/actions.html",
        actions=actions.actions_visible_to(get_session(), g.user),
        today=utcnow().date(),
    )


@bp.route("/actions/<int:action_id>", methods=["GET", "POST"])
@action_viewers
def action(action_id: int) -> ResponseReturnValue:
    try:
        found = actions.get_action(get_session(), action_id, user=g.user)
    except errors.LearningError:
        abort(404)
    form = ProgressForm(data={"status": found.status.value})
    if form.validate_on_submit():
        try:
            actions.add_progress_update(
                get_session(),
                found.id,
                text=form.text.data or "",
                user=g.user,
                status=form.status.data,
            )
            if (form.impact.data or "").strip():
                actions.record_impact(
                    get_session(), found.id, evidence=form.impact.data or "", user=g.user
                )
        except errors.LearningError as error:
            field = form.impact if "impact" in str(error) else form.text
            field.errors.append(str(error))
        else:
            flash("Your update has been saved")
            return redirect(url_for("improvement.action", action_id=found.id))
    return render_template(
        "improvement/action.html", action=found, form=form, today=utcnow().date()
    ), (400 if form.errors else 200)
