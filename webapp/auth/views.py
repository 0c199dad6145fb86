"""Sign in, sign out, keep alive, password reset and accepting an invitation."""

from __future__ import annotations

from flask import (
    Blueprint,
    current_app,
    flash,
    g,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from flask.typing import ResponseReturnValue

from surveys import accounts
from surveys.models import TokenPurpose
from webapp import security
from webapp.access import public, signed_in
from webapp.auth.forms import ForgotPasswordForm, SetPasswordForm, SignInForm
from webapp.database import get_session
from webapp.notifications import send_password_reset

bp = Blueprint("auth", __name__)


def _safe_next(target: str | None) -> str:
    if target and target.startswith("/") and not target.startswith(("//", "/\\")):
        return target
    return url_for("main.home")


@bp.route("/sign-in", methods=["GET", "POST"])
@public
def sign_in() -> ResponseReturnValue:
    form = SignInForm()
    if g.get("user"):
        return redirect(url_for("main.home"))
    if not form.validate_on_submit():
        status = 400 if form.errors else 200
        timed_out = bool(request.args.get("timeout") or session.pop("timed_out", False))
        return render_template("auth/sign_in.html", form=form, timed_out=timed_out), status
    try:
        user = accounts.authenticate(get_session(), form.email.data or "", form.password.data or "")
    except accounts.SignInThrottled as error:
        form.email.errors.append(str(error))
        return render_template("auth/sign_in.html", form=form), 429
    except accounts.SignInFailed as error:
        form.email.errors.append(str(error))
        return render_template("auth/sign_in.html", form=form), 400
    security.sign_in(accounts.start_session(get_session(), user))
    return redirect(_safe_next(request.args.get("next")))


@bp.get("/sign-out")
@signed_in
def sign_out_confirm() -> ResponseReturnValue:
    return render_template("auth/sign_out.html")


@bp.post("/sign-out")
@signed_in
def sign_out() -> ResponseReturnValue:
    accounts.end_session(get_session(), session.get("token", ""))
    session.clear()
    flash("You have signed out")
    return redirect(url_for("auth.sign_in"))


@bp.post("/keep-alive")
@signed_in
def keep_alive() -> ResponseReturnValue:
    return redirect(
        request.referrer
        if request.referrer and request.referrer.startswith(request.host_url)
        else url_for("main.home")
    )


@bp.route("/forgot-password", methods=["GET", "POST"])
@public
def forgot_password() -> ResponseReturnValue:
    form = ForgotPasswordForm()
    if not form.validate_on_submit():
        return render_template("auth/forgot_password.html", form=form), 400 if form.errors else 200
    user = accounts.find_active_user_by_email(get_session(), form.email.data or "")
    if user is not None:
        token = accounts.issue_token(
            get_session(),
            user,
            TokenPurpose.PASSWORD_RESET,
            lifetime=current_app.config["PASSWORD_RESET_LIFETIME"],
        )
        send_password_reset(user, token)
    # Same answer whether or not the address is known: no account enumeration.
    return render_template("auth/check_email.html")


@bp.route("/reset-password/<token>", methods=["GET", "POST"])
@public
def reset_password(token: str) -> ResponseReturnValue:
    return _set_password(token, TokenPurpose.PASSWORD_RESET, "Choose a new password")


@bp.route("/accept-invitation/<token>", methods=["GET", "POST"])
@public
def accept_invitation(token: str) -> ResponseReturnValue:
    return _set_password(token, TokenPurpose.INVITATION, "Create your password")


def _set_password(token: str, purpose: TokenPurpose, heading: str) -> ResponseReturnValue:
    try:
        row = accounts.find_token(get_session(), token, purpose)
    except accounts.TokenInvalid:
        return render_template("auth/link_expired.html"), 404
    form = SetPasswordForm()
    if form.validate_on_submit():
        try:
            user = accounts.set_password_with_token(
                get_session(), token, purpose, form.password.data or ""
            )
        except accounts.AccountError as error:
            form.password.errors.append(str(error))
        else:
            if purpose is TokenPurpose.INVITATION:  # they have just proved who they are
                security.sign_in(accounts.start_session(get_session(), user))
                flash("Your password has been saved and you are signed in")
                return redirect(url_for("main.home"))
            session.clear()
            flash("Your password has been saved. Sign in with your new password")
            return redirect(url_for("auth.sign_in"))
    status = 400 if form.errors else 200
    return render_template(
        "auth/set_password.html", form=form, user=row.user, heading=heading
    ), status
