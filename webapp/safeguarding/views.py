"""The designated safeguarding lead's restricted queue of possible disclosures."""

from __future__ import annotations

from flask import Blueprint, abort, flash, g, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from govuk_frontend_wtf.wtforms_widgets import GovSubmitInput, GovTextArea
from wtforms import SubmitField, TextAreaField
from wtforms.validators import InputRequired, Length

from surveys import disclosures
from surveys.models import Role, utcnow
from surveys.responses import answers_of
from webapp.access import roles
from webapp.database import get_session
from webapp.forms import GovForm
from webapp.running import definition_of

bp = Blueprint("safeguarding", __name__, url_prefix="/safeguarding")
dsl_only = roles(Role.SAFEGUARDING_LEAD)


class ReviewForm(GovForm):
    action_taken = TextAreaField(
        "What did you do?",
        widget=GovTextArea(),
        description="For example, referred to the children’s front door, or why no action",
        validators=[
            InputRequired("Enter what you did about this response"),
            Length(max=5000, message="Enter 5,000 characters or fewer"),
        ],
    )
    submit = SubmitField("Record review", widget=GovSubmitInput())


@bp.get("")
@dsl_only
def index() -> ResponseReturnValue:
    return render_template(
        "safeguarding/index.html",
        flags=disclosures.queue(get_session()),
        now=utcnow(),
        labels=disclosures.reason_labels,
    )


@bp.route("/<int:flag_id>", methods=["GET", "POST"])
@dsl_only
def flag(flag_id: int) -> ResponseReturnValue:
    found = disclosures.open_flag(get_session(), flag_id, viewer=g.user) or abort(404)
    form = ReviewForm()
    if form.validate_on_submit():
        disclosures.record_review(
            get_session(), found, action_taken=form.action_taken.data or "", reviewer=g.user
        )
        flash("Your review has been recorded")
        return redirect(url_for("safeguarding.index"))
    definition = definition_of(found.response)
    question = definition.question(found.question_id)
    text = answers_of(found.response).get(found.question_id)
    return render_template(
        "safeguarding/flag.html",
        flag=found,
        question=question,
        text=text,
        definition=definition,
        form=form,
        labels=disclosures.reason_labels(found),
    ), (400 if request.method == "POST" and form.errors else 200)
