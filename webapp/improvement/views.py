"""The learning log, the Created / Stabilised / Changed board and actions."""

from __future__ import annotations

from datetime import date

from flask import Blueprint, abort, flash, g, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue

from learning import actions, board, errors, log
from learning.models import ActionStatus, BoardColumn, EntryStatus, SourceKind
from surveys import organisations
from surveys.definition import Stream
from surveys.models import Role, utcnow
from webapp.access import roles
from webapp.database import get_session

bp = Blueprint("improvement", __name__)
quality_group = roles(Role.QUALITY_GROUP, Role.PARTNERSHIP_ADMIN)
action_viewers = roles(
    Role.QUALITY_GROUP,
    Role.PARTNERSHIP_ADMIN,
    Role.ORGANISATION_LEAD,
    Role.ORGANISATION_CONTRIBUTOR,
)


def _day(name: str) -> date | None:
    value = request.form.get(name, "").strip()
    try:
        return date.fromisoformat(value) if value else None
    except ValueError as error:
        raise errors.InvalidInput("Enter dates like 2026-03-31") from error


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


def _details() -> log.EntryDetails:
    kind = request.form.get("source_kind", SourceKind.STREAM.value)
    status = request.form.get("status", EntryStatus.OPEN.value)
    return log.EntryDetails(
        title=request.form.get("title", ""),
        lesson=request.form.get("lesson", ""),
        source_kind=SourceKind(kind) if kind in {k.value for k in SourceKind} else SourceKind.OTHER,
        source_stream=request.form.get("source_stream") or None,
        source_detail=request.form.get("source_detail", ""),
        entry_date=_day("entry_date"),
        recommended_action=request.form.get("recommended_action", ""),
        owner=request.form.get("owner", ""),
        status=EntryStatus(status)
        if status in {s.value for s in EntryStatus}
        else EntryStatus.OPEN,
        review_date=_day("review_date"),
        organisation_ids=[int(i) for i in request.form.getlist("organisations") if i.isdigit()],
    )


@bp.route("/learning-log/new", methods=["GET", "POST"])
@bp.route("/learning-log/<int:entry_id>", methods=["GET", "POST"])
@quality_group
def entry(entry_id: int | None = None) -> ResponseReturnValue:
    found = None
    if entry_id is not None:
        try:
            found = log.get_entry(get_session(), entry_id)
        except errors.LearningError:
            abort(404)
    problem = None
    if request.method == "POST":
        try:
            details = _details()
            if found is None:
                found = log.create_entry(get_session(), details, created_by=g.user)
            else:
                log.update_entry(get_session(), found.id, details)
        except errors.LearningError as error:
            problem = str(error)
        else:
            flash("The learning log entry has been saved")
            return redirect(url_for("improvement.entry", entry_id=found.id))
    return render_template(
        "improvement/entry.html",
        entry=found,
        streams=list(Stream),
        statuses=list(EntryStatus),
        kinds=list(SourceKind),
        problem=problem,
        form_data=request.form,
        organisations=organisations.list_organisations(get_session(), include_inactive=False),
        actions=actions.actions_for_entry(get_session(), found.id) if found else [],
        suggestion=board.suggest_for_entry(get_session(), found) if found else None,
        today=utcnow().date(),
    ), 400 if problem else 200


@bp.get("/board")
@quality_group
def board_view() -> ResponseReturnValue:
    columns = board.board(get_session())
    titles = {
        item.id: board.item_title(get_session(), item)
        for items in columns.values()
        for item in items
    }
    histories = {
        item.id: board.history_of(get_session(), item.id)
        for items in columns.values()
        for item in items
    }
    return render_template(
        "improvement/board.html",
        columns=columns,
        titles=titles,
        histories=histories,
        BoardColumn=BoardColumn,
        today=utcnow().date(),
        organisations=organisations.list_organisations(get_session(), include_inactive=False),
    )


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
        flash(str(error) or "Select a column", "error")
        return redirect(url_for("improvement.entry", entry_id=entry_id))
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
        flash(str(error) or "Select a column", "error")
    return redirect(url_for("improvement.board_view"))


@bp.post("/actions")
@quality_group
def create_action() -> ResponseReturnValue:
    form = request.form
    back = request.referrer or url_for("improvement.actions_index")
    try:
        due = _day("due_date")
        if due is None or not form.get("organisation", "").isdigit():
            raise errors.InvalidInput("Choose the organisation and enter a due date")
        actions.create_action(
            get_session(),
            description=form.get("description", ""),
            owner_organisation_id=int(form["organisation"]),
            due_date=due,
            created_by=g.user,
            board_item_id=int(form["board_item"]) if form.get("board_item", "").isdigit() else None,
            entry_id=int(form["entry"]) if form.get("entry", "").isdigit() else None,
        )
    except errors.LearningError as error:
        flash(str(error), "error")
        return redirect(back)
    flash("The action has been created and its organisation can now see it")
    return redirect(url_for("improvement.actions_index"))


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
    problem = None
    if request.method == "POST":
        status = request.form.get("status") or None
        try:
            actions.add_progress_update(
                get_session(),
                found.id,
                text=request.form.get("text", ""),
                user=g.user,
                status=status if status in {s.value for s in ActionStatus} else None,
            )
            if request.form.get("impact", "").strip():
                actions.record_impact(
                    get_session(), found.id, evidence=request.form["impact"], user=g.user
                )
        except errors.LearningError as error:
            problem = str(error)
        else:
            flash("Your update has been saved")
            return redirect(url_for("improvement.action", action_id=found.id))
    return render_template(
        "improvement/action.html",
        action=found,
        problem=problem,
        statuses=list(ActionStatus),
        today=utcnow().date(),
    ), (400 if problem else 200)
