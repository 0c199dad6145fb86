"""The Created / Stabilised / Changed board at /board: see it, and move an item with a reason."""

from __future__ import annotations

from flask import Blueprint, g, redirect, render_template, url_for
from flask.typing import ResponseReturnValue

from learning import board, carries, errors
from learning.models import BoardColumn
from surveys.models import Role, utcnow
from webapp.access import roles
from webapp.actions.forms import new_action_form
from webapp.board.forms import MoveForm
from webapp.database import get_session
from webapp.forms import first_problem

bp = Blueprint("board", __name__)
quality_group = roles(Role.QUALITY_GROUP, Role.PARTNERSHIP_ADMIN)


def _board_page(moved: tuple[int, MoveForm] | None = None) -> ResponseReturnValue:
    """Show the board; after a refused move, that item's form keeps what was typed and why."""
    columns = board.board(get_session())
    items = [item for column_items in columns.values() for item in column_items]
    problem = first_problem(moved[1]) if moved else None
    return render_template(
        "board/index.html",
        columns=columns,
        pending_run=carries.latest_pending_run(get_session()),
        titles=board.item_titles(get_session(), items),
        histories={item.id: board.history_of(get_session(), item.id) for item in items},
        BoardColumn=BoardColumn,
        today=utcnow().date(),
        action_form=new_action_form(get_session()),
        moved_item=moved[0] if moved else None,
        move_form=moved[1] if moved else None,
        problem=problem,
        errors=[{"text": problem[1], "href": f"#{_box(problem[0])}-{moved[0]}"}]
        if moved and problem
        else [],
    ), 400 if problem else 200


def _box(field: str) -> str:
    return field if field in ("column", "priority") else "why"


@bp.get("/board")
@quality_group
def index() -> ResponseReturnValue:
    return _board_page()


@bp.post("/board/<int:item_id>/move")
@quality_group
def move(item_id: int) -> ResponseReturnValue:
    form = MoveForm()
    if form.validate_on_submit():
        try:
            board.move_item(
                get_session(),
                item_id,
                column=form.column.data or "",
                moved_by=g.user,
                why=form.why.data or "",
                priority=form.priority_number,
            )
        except errors.LearningError as error:
            form.column.errors.append(str(error))
        else:
            return redirect(url_for("board.index"))
    return _board_page(moved=(item_id, form))
