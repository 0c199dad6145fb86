"""Platform admin at /platform: the partnerships the service hosts and their admins.

Nothing here shows a partnership's data: a platform admin works in a partnership only
through a membership there, like anyone else.
"""

from __future__ import annotations

from flask import Blueprint, abort, flash, g, redirect, render_template, url_for
from flask.typing import ResponseReturnValue

from surveys import accounts, partnerships
from surveys.models import Partnership
from webapp.access import platform_admin
from webapp.database import get_session
from webapp.invitations import invite
from webapp.platform.forms import AdminForm, PartnershipForm

bp = Blueprint("platform", __name__, url_prefix="/platform")


@bp.get("/partnerships")
@platform_admin
def partnerships_list() -> ResponseReturnValue:
    return render_template(
        "platform/partnerships.html", partnerships=partnerships.list_partnerships(get_session())
    )


@bp.route("/partnerships/new", methods=["GET", "POST"])
@platform_admin
def partnership_new() -> ResponseReturnValue:
    form = PartnershipForm()
    if form.validate_on_submit():
        details = partnerships.PartnershipDetails(
            name=form.name.data or "",
            front_door_name=form.front_door_name.data or "",
            front_door_phone=form.front_door_phone.data or "",
        )
        try:
            created = partnerships.create_partnership(get_session(), details, created_by=g.user.id)
        except accounts.AccountError as error:
            form.name.errors = [*form.name.errors, str(error)]
        else:
            _invite_admin(created, form)
            flash(f"{created.name} has been added and {form.admin_name.data} invited to run it")
            return redirect(url_for("platform.partnerships_list"))
    return render_template("platform/partnership_form.html", form=form), (
        400 if form.errors else 200
    )


@bp.route("/partnerships/<int:partnership_id>/admins/new", methods=["GET", "POST"])
@platform_admin
def admin_new(partnership_id: int) -> ResponseReturnValue:
    partnership = get_session().get(Partnership, partnership_id) or abort(404)
    form = AdminForm()
    if form.validate_on_submit():
        try:
            _invite_admin(partnership, form)
        except accounts.AccountError as error:
            form.admin_email.errors = [*form.admin_email.errors, str(error)]
        else:
            flash(f"{form.admin_name.data} has been invited to run {partnership.name}")
            return redirect(url_for("platform.partnerships_list"))
    return render_template("platform/admin_form.html", form=form, partnership=partnership), (
        400 if form.errors else 200
    )


def _invite_admin(partnership: Partnership, form: AdminForm) -> None:
    invitation = partnerships.invite_partnership_admin(
        get_session(),
        partnership,
        name=form.admin_name.data or "",
        email=form.admin_email.data or "",
        invited_by=g.user.id,
    )
    invite(invitation.membership)
