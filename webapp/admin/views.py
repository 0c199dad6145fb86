"""Partnership admin: the organisations serving the partnership and the people in it."""

from __future__ import annotations

from flask import Blueprint, abort, flash, g, redirect, render_template, url_for
from flask.typing import ResponseReturnValue
from sqlalchemy import select

from surveys import accounts, escalation, memberships, organisations
from surveys import api_tokens as tokens
from surveys.errors import SubmissionError
from surveys.models import ApiToken, Membership, OrganisationKind, Role, Sector, utcnow
from surveys.users import NewUser, invite_to_partnership, set_member_active, update_member
from webapp.access import roles
from webapp.admin.forms import (
    ApiTokenForm,
    EditOrganisationForm,
    EditUserForm,
    InviteUserForm,
    OrganisationForm,
)
from webapp.database import get_session
from webapp.invitations import invite

bp = Blueprint("admin", __name__, url_prefix="/admin")
admin_only = roles(Role.PARTNERSHIP_ADMIN)


def _details(form: OrganisationForm) -> organisations.OrganisationDetails:
    return organisations.OrganisationDetails(
        name=form.name.data or "",
        sector=Sector(form.sector.data),
        kind=OrganisationKind(form.kind.data),
    )


@bp.get("/organisations")
@admin_only
def organisations_list() -> ResponseReturnValue:
    return render_template(
        "admin/organisations.html",
        organisations=organisations.list_organisations(get_session()),
        statuses=organisations.statuses(get_session()),
    )


@bp.route("/organisations/new", methods=["GET", "POST"])
@admin_only
def organisation_new() -> ResponseReturnValue:
    form = OrganisationForm()
    if form.validate_on_submit():
        try:
            added = organisations.create_organisation(
                get_session(), _details(form), created_by=g.user.id
            )
        except accounts.AccountError as error:
            form.name.errors.append(str(error))
        else:
            flash(
                f"{added.organisation.name} was already on Learning Loop: it now serves your "
                "partnership too"
                if added.was_on_the_service
                else f"{added.organisation.name} has been added"
            )
            return redirect(url_for("admin.organisations_list"))
    return render_template(
        "admin/organisation_form.html", form=form, heading="Add an organisation"
    ), 400 if form.errors else 200


@bp.route("/organisations/<int:organisation_id>", methods=["GET", "POST"])
@admin_only
def organisation_edit(organisation_id: int) -> ResponseReturnValue:
    organisation = organisations.organisation_here(get_session(), organisation_id) or abort(404)
    is_active = organisations.is_active_here(get_session(), organisation_id)
    contact = escalation.senior_contact(get_session(), organisation_id)
    form = EditOrganisationForm(
        data={
            "name": organisation.name,
            "kind": organisation.kind.value,
            "sector": organisation.sector.value,
            "is_active": is_active,
            "senior_contact_name": contact.name,
            "senior_contact_job": contact.job,
            "senior_contact_email": contact.email,
        }
    )
    if form.validate_on_submit():
        try:
            escalation.set_senior_contact(get_session(), organisation_id, _contact(form))
            organisations.update_organisation(
                get_session(),
                organisation,
                _details(form),
                is_active=form.is_active.data,
                updated_by=g.user.id,
            )
        except (accounts.AccountError, SubmissionError) as error:
            form.name.errors.append(str(error))
        else:
            flash(f"{organisation.name} has been updated")
            return redirect(url_for("admin.organisations_list"))
    return render_template(
        "admin/organisation_form.html",
        form=form,
        organisation=organisation,
        heading=f"Change {organisation.name}",
    ), 400 if form.errors else 200


def _contact(form: EditOrganisationForm) -> escalation.SeniorContact:
    return escalation.SeniorContact(
        form.senior_contact_name.data or "",
        form.senior_contact_job.data or "",
        form.senior_contact_email.data or "",
    )


@bp.get("/users")
@admin_only
def users() -> ResponseReturnValue:
    return render_template("admin/users.html", members=memberships.people_here(get_session()))


def _organisation_choices(form: InviteUserForm | EditUserForm) -> None:
    choices = [("", "Not part of an organisation")]
    choices += [
        (str(o.id), o.name)
        for o in organisations.list_organisations(get_session(), include_inactive=False)
    ]
    form.organisation_id.choices = choices


def _organisation_id(form: InviteUserForm | EditUserForm) -> int | None:
    return int(form.organisation_id.data) if form.organisation_id.data else None


@bp.route("/users/new", methods=["GET", "POST"])
@admin_only
def user_new() -> ResponseReturnValue:
    form = InviteUserForm()
    _organisation_choices(form)
    if form.validate_on_submit():
        new = NewUser(
            email=form.email.data or "",
            name=form.name.data or "",
            role=Role(form.role.data),
            organisation_id=_organisation_id(form),
        )
        try:
            invitation = invite_to_partnership(get_session(), new, created_by=g.user.id)
        except accounts.AccountError as error:
            _attach_error(form, error)
        else:
            invite(invitation.membership)
            flash(f"An invitation has been sent to {invitation.user.name}")
            return redirect(url_for("admin.users"))
    return render_template("admin/user_form.html", form=form, heading="Invite a user"), (
        400 if form.errors else 200
    )


def _attach_error(form: InviteUserForm | EditUserForm, error: accounts.AccountError) -> None:
    field = (
        form.organisation_id
        if "organisation" in str(error)
        else (getattr(form, "email", None) or form.role)
    )
    field.errors = [*field.errors, str(error)]


def _member_or_404(user_id: int) -> Membership:
    """Return a person's membership here: another partnership's people answer 404."""
    return memberships.membership_here(get_session(), user_id, include_inactive=True) or abort(404)


@bp.route("/users/<int:user_id>", methods=["GET", "POST"])
@admin_only
def user_edit(user_id: int) -> ResponseReturnValue:
    member = _member_or_404(user_id)
    user = member.user
    form = EditUserForm(  # from the membership here (never `obj=user`: its role is a mirror)
        data={
            "name": user.name,
            "role": member.role.value,
            "organisation_id": str(member.organisation_id or ""),
            "is_active": member.is_active,
        }
    )
    _organisation_choices(form)
    shares_name = len(memberships.memberships_of(get_session(), user.id)) > 1
    if shares_name:  # their name is theirs in every partnership: not this admin's to change
        del form.name
    if form.validate_on_submit():
        try:
            update_member(
                get_session(),
                member,
                name=None if shares_name else form.name.data or "",
                role=Role(form.role.data),
                organisation_id=_organisation_id(form),
                updated_by=g.user.id,
            )
            if form.is_active.data != member.is_active and user.id != g.user.id:
                set_member_active(
                    get_session(), member, is_active=form.is_active.data, changed_by=g.user.id
                )
        except accounts.AccountError as error:
            _attach_error(form, error)
        else:
            flash(f"{user.name} has been updated")
            return redirect(url_for("admin.users"))
    return render_template(
        "admin/user_form.html", form=form, user=user, member=member, heading=f"Change {user.name}"
    ), 400 if form.errors else 200


@bp.post("/users/<int:user_id>/invitation")
@admin_only
def user_reinvite(user_id: int) -> ResponseReturnValue:
    member = _member_or_404(user_id)
    if member.user.has_password or not member.user.is_active or not member.is_active:
        abort(404)
    invite(member)
    flash(f"A new invitation has been sent to {member.user.name}")
    return redirect(url_for("admin.users"))


@bp.route("/api-tokens", methods=["GET", "POST"])
@admin_only
def api_tokens() -> ResponseReturnValue:
    form = ApiTokenForm()
    new_raw = None
    if form.validate_on_submit():
        _, new_raw = tokens.create_api_token(
            get_session(), form.name.data or "", created_by=g.user.id
        )
    found = get_session().scalars(select(ApiToken).order_by(ApiToken.created_at.desc()))
    return render_template(
        "admin/api_tokens.html", form=form, tokens=list(found), new_raw=new_raw, now=utcnow()
    ), 400 if form.errors else 200


@bp.post("/api-tokens/<int:token_id>/revoke")
@admin_only
def api_token_revoke(token_id: int) -> ResponseReturnValue:
    token = get_session().get(ApiToken, token_id) or abort(404)
    tokens.revoke_api_token(get_session(), token, revoked_by=g.user.id)
    flash(f"The token “{token.name}” no longer works")
    return redirect(url_for("admin.api_tokens"))
