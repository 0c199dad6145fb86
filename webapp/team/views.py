"""An organisation lead invites and deactivates their own organisation's people."""

from __future__ import annotations

from flask import Blueprint, abort, flash, g, redirect, render_template, url_for
from flask.typing import ResponseReturnValue

from surveys import accounts, users
from surveys.models import Role
from webapp.access import roles
from webapp.database import get_session
from webapp.invitations import invite
from webapp.team.forms import TeamInviteForm, TeamMemberForm

bp = Blueprint("team", __name__, url_prefix="/organisation/team")
leads_only = roles(Role.ORGANISATION_LEAD)


def _team_page() -> str:
    return url_for("main.organisation", organisation_id=g.member.organisation_id)


@bp.route("/invite", methods=["GET", "POST"])
@leads_only
def invite_person() -> ResponseReturnValue:
    form = TeamInviteForm()
    if form.validate_on_submit():
        new = users.NewUser(
            email=form.email.data or "",
            name=form.name.data or "",
            role=Role(form.role.data),
            organisation_id=g.member.organisation_id,
        )
        try:
            invitation = users.invite_to_team(get_session(), new, lead=g.member)
        except users.AlreadyWorksHere:
            form.email.errors = [
                "This person already works in this partnership: if they are in your team, "
                "change them there, or ask your partnership admin"
            ]
        except accounts.AccountError as error:
            form.email.errors = [str(error)]
        else:
            invite(invitation.membership)
            flash(f"An invitation has been sent to {invitation.user.name}")
            return redirect(_team_page())
    return render_template("team/invite.html", form=form, back=_team_page()), (
        400 if form.errors else 200
    )


@bp.route("/<int:user_id>", methods=["GET", "POST"])
@leads_only
def member(user_id: int) -> ResponseReturnValue:
    colleague = users.team_member(get_session(), g.member, user_id) or abort(404)
    is_active = colleague.is_active and colleague.user.is_active
    form = TeamMemberForm(data={"is_active": "yes" if is_active else "no"})
    form.is_active.label.text = (
        f"Can {colleague.user.name} work on {g.member.organisation.name}’s returns?"
    )
    if form.validate_on_submit():
        wanted = form.is_active.data == "yes"
        if wanted != colleague.is_active:
            users.set_member_active(
                get_session(), colleague, is_active=wanted, changed_by=g.user.id
            )
        flash(
            f"{colleague.user.name} is in the team"
            if wanted
            else f"{colleague.user.name} has been deactivated"
        )
        return redirect(_team_page())
    return render_template("team/member.html", form=form, colleague=colleague, back=_team_page()), (
        400 if form.errors else 200
    )
