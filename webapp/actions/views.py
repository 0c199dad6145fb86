"""Actions at /actions: create one for an organisation, list those a person may see, and record
progress and evidence of impact."""

from __future__ import annotations

from flask import Blueprint, abort, flash, g, redirect, render_template, url_for
from flask.typing import ResponseReturnValue

from learning import actions, errors
from surveys.models import Role, utcnow
from webapp.access import roles
from webapp.actions.forms import ProgressForm, new_action_form
from webapp.database import get_session

bp = Blueprint("actions", __name__)
quality_group = roles(Role.QUALITY_GROUP, Role.PARTNERSHIP_ADMIN)
action_viewers = roles(
    Role.QUALITY_GROUP,
    Role.PARTNERSHIP_ADMIN,
    Role.ORGANISATION_LEAD,
    Role.ORGANISATION_CONTRIBUTOR,
)


def _number(value: str | None) -> int | None:
    return int(value) if value and value.isdigit() else None


@bp.post("/actions")
@quality_group
def create() -> ResponseReturnValue:
    form = new_action_form(get_session(), is_posted=True)
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
            return redirect(url_for("actions.index"))
    return render_template("actions/new.html", form=form), 400


@bp.get("/actions")
@action_viewers
def index() -> ResponseReturnValue:
    return render_template(
        "actions/index.html",
        actions=actions.actions_visible_to(get_session(), g.member),
        today=utcnow().date(),
    )


@bp.route("/actions/<int:action_id>", methods=["GET", "POST"])
@action_viewers
def detail(action_id: int) -> ResponseReturnValue:
    try:
        found = actions.get_action(get_session(), action_id, member=g.member)
    except errors.LearningError:
        abort(404)
    form = ProgressForm(data={"status": found.status.value})
    if form.validate_on_submit():
        try:
            actions.add_progress_update(
                get_session(),
                found.id,
                text=form.text.data or "",
                member=g.member,
                status=form.status.data,
            )
            if (form.impact.data or "").strip():
                actions.record_impact(
                    get_session(), found.id, evidence=form.impact.data or "", member=g.member
                )
        except errors.LearningError as error:
            field = form.impact if "impact" in str(error) else form.text
            field.errors.append(str(error))
        else:
            flash("Your update has been saved")
            return redirect(url_for("actions.detail", action_id=found.id))
    return render_template("actions/detail.html", action=found, form=form, today=utcnow().date()), (
        400 if form.errors else 200
    )
