"""National reviews at /national-reviews: record a nationally significant review and its
findings, ask agencies how local services measure against each, read their answers as
findings × agencies, turn a gap into the agency's action, and add the learning to the log.

The quality group and partnership admins use these pages. Agencies answer from their own
Assessments page (each finding is a form asked of them), seeing only their own answers.
"""

from __future__ import annotations

from datetime import date

from flask import Blueprint, abort, flash, g, redirect, render_template, url_for
from flask.typing import ResponseReturnValue
from werkzeug.wrappers import Response as WerkzeugResponse

from learning import national_review_actions
from learning.errors import LearningError
from surveys import national_reviews, organisations
from surveys.errors import CaseReviewError, NationalReviewError, NationalReviewNotFound
from surveys.models import NationalReview, Role, utcnow
from webapp.access import roles
from webapp.database import get_session
from webapp.form_pages import definitions
from webapp.forms import GovForm
from webapp.national_reviews import forms
from webapp.notifications import tell_published
from webapp.reviews.forms import show_error

bp = Blueprint("national", __name__, url_prefix="/national-reviews")
quality_staff = roles(Role.QUALITY_GROUP, Role.PARTNERSHIP_ADMIN)


def _today() -> date:
    return utcnow().date()


def _review(national_id: int) -> NationalReview:
    try:
        return national_reviews.get_review(get_session(), national_id)
    except NationalReviewNotFound:
        abort(404)


def _to_review(review: NationalReview, message: str) -> WerkzeugResponse:
    flash(message)
    return redirect(url_for("national.detail", national_id=review.id))


def _form_page(
    form: GovForm,
    *,
    title: str,
    button: str,
    review: NationalReview | None = None,
    **context: object,
) -> ResponseReturnValue:
    return render_template(
        "national_reviews/form.html",
        form=form,
        title=title,
        button=button,
        review=review,
        **context,
    ), (400 if form.errors else 200)


@bp.get("")
@quality_staff
def index() -> ResponseReturnValue:
    reviews = national_reviews.list_reviews(get_session())
    return render_template("national_reviews/index.html", reviews=reviews)


@bp.route("/new", methods=["GET", "POST"])
@quality_staff
def new() -> ResponseReturnValue:
    form = forms.NationalReviewForm()
    if form.validate_on_submit():
        details = national_reviews.NewNationalReview(
            form.title.data or "",
            form.publisher.data or "",
            form.published_on.data,
            form.link.data or "",
        )
        try:
            review = national_reviews.record_review(
                get_session(), details, today=_today(), by=g.user
            )
        except NationalReviewError as error:
            show_error(form, error)
        else:
            return _to_review(review, "The national review has been recorded: add its findings")
    return _form_page(form, title="Record a national review", button="Record review")


@bp.get("/<int:national_id>")
@quality_staff
def detail(national_id: int) -> ResponseReturnValue:
    review = _review(national_id)
    session = get_session()
    return render_template(
        "national_reviews/detail.html",
        review=review,
        grid=national_reviews.grid(session, review),
        actions=national_review_actions.actions_by_answer(session, review),
        ratings=national_reviews.RATINGS,
    )


@bp.route("/<int:national_id>/findings/new", methods=["GET", "POST"])
@quality_staff
def finding_new(national_id: int) -> ResponseReturnValue:
    review = _review(national_id)
    form = forms.FindingForm()
    if form.validate_on_submit():
        try:
            finding = national_reviews.add_finding(
                get_session(), review.id, form.statement.data or "", by=g.user
            )
        except NationalReviewError as error:
            show_error(form, error)
        else:
            return _to_review(review, f"Finding {finding.number} has been added")
    return _form_page(form, title="Add a finding", button="Add finding", review=review)


@bp.route("/<int:national_id>/agencies", methods=["GET", "POST"])
@quality_staff
def agencies(national_id: int) -> ResponseReturnValue:
    review = _review(national_id)
    session = get_session()
    form = forms.AgenciesForm()
    form.organisations.choices = [
        (o.id, o.name) for o in organisations.list_organisations(session, include_inactive=False)
    ]
    if form.validate_on_submit():
        try:
            newly = national_reviews.ask_agencies(
                session,
                review.id,
                list(form.organisations.data or []),
                definition=definitions().latest(national_reviews.FINDING_FORM),
                closes_on=form.closes_on.data,
                today=_today(),
                by=g.user,
            )
        except NationalReviewError as error:
            show_error(form, error)
        else:
            for finding in review.findings:
                if finding.cycle is not None and newly.get(finding.id):
                    tell_published(finding.cycle, newly[finding.id])
            return _to_review(review, "The agencies have been asked about every finding")
    asked = [o.name for o in national_reviews.asked_agencies(review)]
    return _form_page(
        form,
        title="Ask agencies how they measure up",
        button="Ask agencies",
        review=review,
        asked=asked,
    )


@bp.route(
    "/<int:national_id>/findings/<int:national_finding_id>/agencies/<int:organisation_id>/action",
    methods=["GET", "POST"],
)
@quality_staff
def gap_action(
    national_id: int, national_finding_id: int, organisation_id: int
) -> ResponseReturnValue:
    review = _review(national_id)
    session = get_session()
    try:
        finding = national_reviews.get_finding(session, review.id, national_finding_id)
        answer = national_reviews.submitted_answer(session, finding, organisation_id)
    except NationalReviewNotFound:
        abort(404)
    form = forms.GapActionForm(data={"description": (answer.answers or {}).get("gap") or ""})
    if form.validate_on_submit():
        try:
            national_review_actions.action_from_gap(
                session,
                review.id,
                finding.id,
                organisation_id,
                due_date=form.due_date.data,
                description=form.description.data or "",
                created_by=g.user,
            )
        except LearningError as error:
            show_error(form, CaseReviewError(str(error), field="description"))
        else:
            return _to_review(review, f"The gap is now an action for {answer.organisation.name}")
    return _form_page(
        form,
        title=f"Turn {answer.organisation.name}’s gap into an action",
        button="Create action",
        review=review,
        finding=finding,
        answer=answer,
        ratings=national_reviews.RATINGS,
    )


@bp.route("/<int:national_id>/learning/new", methods=["GET", "POST"])
@quality_staff
def learning(national_id: int) -> ResponseReturnValue:
    review = _review(national_id)
    form = forms.LearningForm()
    if form.validate_on_submit():
        try:
            national_review_actions.entry_from_national_review(
                get_session(),
                review.id,
                title=form.title.data or "",
                lesson=form.lesson.data or "",
                created_by=g.user,
            )
        except LearningError as error:
            show_error(form, CaseReviewError(str(error), field="title"))
        else:
            return _to_review(review, "The learning has been added to the learning log")
    return _form_page(
        form,
        title="Add learning to the learning log",
        button="Add to the learning log",
        review=review,
    )
