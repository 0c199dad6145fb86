"""Sign in, sign out, keep alive, password reset and accepting an invitation."""

from __future__ import annotations

import unicodedata
from urllib.parse import urlsplit

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
LINK_TOKENS = "link_tokens"  # session key: emailed tokens, kept out of the address bar
MAX_TOKEN_LENGTH = 100


def _safe_next(target: str | None) -> str:
    """Return `target` if it is a path on this site, else the home page.

    Browsers drop tabs and line breaks inside URLs and read a backslash as a slash, so
    `/<tab>/evil.example` and `/\\evil.example` mean `//evil.example`: a target holding any
    control, space or backslash is refused rather than repaired.
    """
    home = url_for("main.home")
    if not target or any(
        character == "\\" or unicodedata.category(character)[0] in "CZ" for character in target
    ):
        return home
    parts = urlsplit(target)
    if parts.scheme or parts.netloc or not target.startswith("/") or target.startswith("//"):
        return home
    return target


def _client_address() -> str:
    return request.remote_addr or ""


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
        user = accounts.authenticate(
            get_session(),
            form.email.data or "",
            form.password.data or "",
            client_address=_client_address(),
            known_user_ids=security.known_user_ids(),
        )
    except accounts.SignInThrottled as error:
        form.email.errors.append(str(error))
        return render_template("auth/sign_in.html", form=form), 429
    except accounts.SignInFailed as error:
        form.email.errors.append(str(error))
        return render_template("auth/sign_in.html", form=form), 400
    security.sign_in(accounts.start_session(get_session(), user))
    return security.remember_browser(redirect(_safe_next(request.args.get("next"))), user.id)


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
    reset = accounts.request_password_reset(
        get_session(),
        form.email.data or "",
        client_address=_client_address(),
        lifetime=current_app.config["PASSWORD_RESET_LIFETIME"],
    )
    if reset is not None:
        send_password_reset(*reset)
    # Same answer whether the address is unknown, known or throttled: no account enumeration.
    return render_template("auth/check_email.html")


@bp.get("/reset-password/<token>")
@public
def reset_password(token: str) -> ResponseReturnValue:
    """The emailed link: keep its token in the session and take it out of the address."""
    return _keep_token(token, TokenPurpose.PASSWORD_RESET, "auth.choose_new_password")


@bp.route("/reset-password", methods=["GET", "POST"])
@public
def choose_new_password() -> ResponseReturnValue:
    return _set_password(TokenPurpose.PASSWORD_RESET, "Choose a new password")


@bp.get("/accept-invitation/<token>")
@public
def accept_invitation(token: str) -> ResponseReturnValue:
    """The emailed link: keep its token in the session and take it out of the address."""
    return _keep_token(token, TokenPurpose.INVITATION, "auth.create_password")


@bp.route("/accept-invitation", methods=["GET", "POST"])
@public
def create_password() -> ResponseReturnValue:
    return _set_password(TokenPurpose.INVITATION, "Create your password")


def _keep_token(token: str, purpose: TokenPurpose, endpoint: str) -> ResponseReturnValue:
    """Move a token from the URL to the session, so later requests (and logs) never carry it."""
    if len(token) > MAX_TOKEN_LENGTH:
        return render_template("auth/link_expired.html"), 404
    session[LINK_TOKENS] = {**session.get(LINK_TOKENS, {}), purpose.value: token}
    return redirect(url_for(endpoint))


def _set_password(purpose: TokenPurpose, heading: str) -> ResponseReturnValue:
    token = str(session.get(LINK_TOKENS, {}).get(purpose.value, ""))
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
