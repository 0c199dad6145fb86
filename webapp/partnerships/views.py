"""Choose a partnership: someone who works in several picks the one this sign-in works in.

The choice is kept with the sign-in on the server (`UserSession.working_partnership_id`)
and as where the next sign-in starts; `webapp.tenancy` re-checks it on every request.
"""

from __future__ import annotations

from flask import Blueprint, flash, g, redirect, render_template, url_for
from flask.typing import ResponseReturnValue
from govuk_frontend_wtf.wtforms_widgets import GovRadioInput, GovSubmitInput
from wtforms import RadioField, SubmitField
from wtforms.validators import InputRequired

from surveys import accounts, memberships
from webapp.access import signed_in
from webapp.database import get_session
from webapp.forms import GovForm

bp = Blueprint("partnerships", __name__)


class ChoosePartnershipForm(GovForm):
    partnership = RadioField(
        "Which partnership do you want to work in?",
        widget=GovRadioInput(),
        validate_choice=False,  # the service checks it against the person's memberships
        validators=[InputRequired("Select the partnership you want to work in")],
    )
    submit = SubmitField("Continue", widget=GovSubmitInput())


def _chosen_id(value: str | None) -> int:
    return int(value) if value and value.isdigit() and len(value) < 10 else 0


@bp.route("/choose-partnership", methods=["GET", "POST"])
@signed_in
def choose() -> ResponseReturnValue:
    form = ChoosePartnershipForm(
        data={"partnership": str(g.member.partnership_id)} if g.member else {}
    )
    form.partnership.choices = [(str(m.partnership_id), m.partnership.name) for m in g.memberships]
    if form.validate_on_submit():
        try:
            chosen = memberships.choose_partnership(
                get_session(), g.sign_in, _chosen_id(form.partnership.data)
            )
        except accounts.AccountError as error:
            form.partnership.errors = [*form.partnership.errors, str(error)]
        else:
            flash(f"You are now working in {chosen.partnership.name}")
            return redirect(url_for("main.home"))
    return render_template(
        "partnerships/choose.html", form=form, memberships=g.memberships
    ), 400 if form.errors else 200
