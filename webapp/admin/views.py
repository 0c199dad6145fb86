"""Partnership admin: organisations and users."""

from __future__ import annotations

from flask import Blueprint, abort, current_app, flash, g, redirect, render_template, url_for
from flask.typing import ResponseReturnValue
from sqlalchemy import func, select

from surveys import accounts, organisations
from surveys import api_tokens as tokens
from surveys.models import (
    ApiToken,
    Organisation,
    OrganisationKind,
    Role,
    Sector,
    TokenPurpose,
    User,
    utcnow,
)
from surveys.users import NewUser, create_user, set_user_active, update_user
from webapp.access import roles
from webapp.admin.forms import (
    ApiTokenForm,
    EditOrganisationForm,
    EditUserForm,
    InviteUserForm,
    OrganisationForm,
)
from webapp.database import get_session
from webapp.notifications import send_invitation

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
        "admin/organisations.html", organisations=organisations.list_organisations(get_session())
    )


@bp.route("/organisations/new", methods=["GET", "POST"])
@admin_only
def organisation_new() -> ResponseReturnValue:
    form = OrganisationForm()
    if form.validate_on_submit():
        try:
            organisation = organisations.create_organisation(
                get_session(), _details(form), created_by=g.user.id
            )
        except accounts.AccountError as error:
            form.name.errors.append(str(error))
        else:
            flash(f"{organisation.name} has been added")
            return redirect(url_for("admin.organisations_list"))
    return render_template(
        "admin/organisation_form.html", form=form, heading="Add an organisation"
    ), 400 if form.errors else 200


@bp.route("/organisations/<int:organisation_id>", methods=["GET", "POST"])
@admin_only
def organisation_edit(organisation_id: int) -> ResponseReturnValue:
    organisation = get_session().get(Organisation, organisation_id) or abort(404)
    form = EditOrganisationForm(obj=organisation)
    if form.validate_on_submit():
        try:
            organisations.update_organisation(
                get_session(),
                organisation,
                _details(form),
                is_active=form.is_active.data,
                updated_by=g.user.id,
            )
        except accounts.AccountError as error:
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


@bp.get("/users")
@admin_only
def users() -> ResponseReturnValue:
    people = get_session().scalars(select(User).order_by(func.lower(User.name)))
    return render_template("admin/users.html", users=list(people))


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
            user = create_user(get_session(), new, created_by=g.user.id)
        except accounts.AccountError as error:
            _attach_error(form, error)
        else:
            _invite(user)
            flash(f"An invitation has been sent to {user.name}")
            return redirect(url_for("admin.users"))
    return render_template("admin/user_form.html", form=form, heading="Invite a user"), (
        400 if form.errors else 200
    )


def _attach_error(form: InviteUserForm | EditUserForm, error: accounts.AccountError) -> None:
    field = (
        form.organisation_id
        if "organisation" in str(error)
        else (getattr(form, "email", None) or form.name)
    )
    field.errors = [*field.errors, str(error)]


def _invite(user: User) -> None:
    token = accounts.issue_token(
        get_session(),
        user,
        TokenPurpose.INVITATION,
        lifetime=current_app.config["INVITATION_LIFETIME"],
    )
    send_invitation(user, token, invited_by=g.user)


@bp.route("/users/<int:user_id>", methods=["GET", "POST"])
@admin_only
def user_edit(user_id: int) -> ResponseReturnValue:
    user = get_session().get(User, user_id) or abort(404)
    form = EditUserForm(
        obj=user, data={"role": user.role.value, "organisation_id": str(user.organisation_id or "")}
    )
    _organisation_choices(form)
    if form.validate_on_submit():
        try:
            update_user(
                get_session(),
                user,
                name=form.name.data or "",
                role=Role(form.role.data),
                organisation_id=_organisation_id(form),
                updated_by=g.user.id,
            )
            if form.is_active.data != user.is_active and user.id != g.user.id:
                set_user_active(
                    get_session(), user, is_active=form.is_active.data, changed_by=g.user.id
                )
        except accounts.AccountError as error:
            _attach_error(form, error)
        else:
            flash(f"{user.name} has been updated")
            return redirect(url_for("admin.users"))
    return render_template(
        "admin/user_form.html", form=form, user=user, heading=f"Change {user.name}"
    ), 400 if form.errors else 200


@bp.post("/users/<int:user_id>/invitation")
@admin_only
def user_reinvite(user_id: int) -> ResponseReturnValue:
    user = get_session().get(User, user_id) or abort(404)
    if user.has_password or not user.is_active:
        abort(404)
    _invite(user)
    flash(f"A new invitation has been sent to {user.name}")
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
