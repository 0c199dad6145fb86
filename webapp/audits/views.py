"""Multi-agency case audits at /audits: programmes on topics the quality group chose, audit
days, cases (a pseudonymous reference and the agencies involved), the combined view of a case
across agencies, the forum's notes and the family's views, and findings for the learning log.

The quality group manages audits; case review officers see them too. Agencies complete the
audit tool for their own cases from their Assessments page (each case is a cycle of its own),
and are emailed when a case is assigned to them.
"""

from __future__ import annotations

from flask import Blueprint, abort, flash, g, redirect, render_template, url_for
from flask.typing import ResponseReturnValue
from werkzeug.wrappers import Response as WerkzeugResponse

from learning import audit_learning
from learning.errors import LearningError
from surveys import organisations
from surveys.case_audits import cases, finding_texts, programmes
from surveys.errors import AuditError, AuditNotFound
from surveys.models import AuditCase, AuditDay, AuditProgramme, FindingKind, Role
from webapp.access import roles
from webapp.audits import forms
from webapp.database import get_session
from webapp.form_pages import definitions
from webapp.forms import GovForm
from webapp.notifications import tell_published
from webapp.reviews.forms import show_error

bp = Blueprint("audits", __name__, url_prefix="/audits")
audit_staff = roles(Role.QUALITY_GROUP, Role.CASE_REVIEWER)
quality_group = roles(Role.QUALITY_GROUP)
PROGRAMME_WIDE = 0  # the finding's day choice meaning "the whole programme"


def _found(get, object_id: int):  # type: ignore[no-untyped-def]
    try:
        return get(get_session(), object_id)
    except AuditNotFound:
        abort(404)


def _form_page(form: GovForm, *, title: str, button: str, back: tuple[str, str], **context: object):  # type: ignore[no-untyped-def]
    status = 400 if form.errors else 200
    return render_template(
        "audits/form.html", form=form, title=title, button=button, back=back, **context
    ), status


def _to(endpoint: str, message: str, **values: int) -> WerkzeugResponse:
    flash(message)
    return redirect(url_for(endpoint, **values))


def _agency_choices(form: forms.AgenciesForm | forms.CaseForm) -> None:
    form.organisations.choices = [
        (o.id, o.name)
        for o in organisations.list_organisations(get_session(), include_inactive=False)
    ]


def _programme_back(programme: AuditProgramme) -> tuple[str, str]:
    return programme.title, url_for("audits.programme", programme_id=programme.id)


def _day_back(day: AuditDay) -> tuple[str, str]:
    return f"Audit day {day.held_on:%-d %B %Y}", url_for("audits.day", day_id=day.id)


def _case_back(case: AuditCase) -> tuple[str, str]:
    return f"Case {case.reference}", url_for("audits.case", case_id=case.id)


@bp.get("")
@audit_staff
def index() -> ResponseReturnValue:
    return render_template(
        "audits/index.html",
        programmes=programmes.list_programmes(get_session()),
        may_manage=Role.QUALITY_GROUP in g.member.roles,
    )


@bp.route("/new", methods=["GET", "POST"])
@quality_group
def programme_new() -> ResponseReturnValue:
    form = forms.ProgrammeForm()
    if form.validate_on_submit():
        try:
            programme = programmes.create_programme(
                get_session(), title=form.title.data or "", topics=form.topics.data or "", by=g.user
            )
        except AuditError as error:
            show_error(form, error)
        else:
            return _to(
                "audits.programme",
                "The audit programme has been started",
                programme_id=programme.id,
            )
    return _form_page(
        form,
        title="Start an audit programme",
        button="Start programme",
        back=("Case audits", url_for("audits.index")),
    )


@bp.get("/programmes/<int:programme_id>")
@audit_staff
def programme(programme_id: int) -> ResponseReturnValue:
    found = _found(programmes.get_programme, programme_id)
    return render_template(
        "audits/programme.html",
        programme=found,
        entries=audit_learning.entries_by_finding(get_session(), found),
        may_manage=Role.QUALITY_GROUP in g.member.roles,
    )


@bp.route("/programmes/<int:programme_id>/days/new", methods=["GET", "POST"])
@quality_group
def day_new(programme_id: int) -> ResponseReturnValue:
    found = _found(programmes.get_programme, programme_id)
    form = forms.DayForm()
    form.topic.choices = [(t, t) for t in found.topic_list]
    if form.validate_on_submit():
        try:
            day = programmes.add_day(
                get_session(),
                found.id,
                held_on=form.held_on.data,
                topic=form.topic.data or "",
                by=g.user,
            )
        except AuditError as error:
            show_error(form, error)
        else:
            return _to("audits.day", "The audit day has been added", day_id=day.id)
    return _form_page(
        form, title="Add an audit day", button="Add audit day", back=_programme_back(found)
    )


@bp.get("/days/<int:day_id>")
@audit_staff
def day(day_id: int) -> ResponseReturnValue:
    found = _found(programmes.get_day, day_id)
    session = get_session()
    return render_template(
        "audits/day.html",
        day=found,
        returns={c.id: cases.agency_returns(session, c) for c in found.cases},
        may_manage=Role.QUALITY_GROUP in g.member.roles,
    )


@bp.route("/days/<int:day_id>/cases/new", methods=["GET", "POST"])
@quality_group
def case_new(day_id: int) -> ResponseReturnValue:
    found = _found(programmes.get_day, day_id)
    form = forms.CaseForm()
    _agency_choices(form)
    if form.validate_on_submit():
        try:
            case, newly = cases.add_case(
                get_session(),
                found.id,
                reference=form.reference.data or "",
                organisation_ids=set(form.organisations.data or []),
                definition=definitions().latest(cases.AUDIT_TOOL),
                by=g.user,
            )
        except AuditError as error:
            show_error(form, error)
        else:
            if case.cycle is not None:
                tell_published(case.cycle, newly)  # each agency's lead: a case to audit
            return _to("audits.day", f"Case {case.reference} has been added", day_id=found.id)
    return _form_page(form, title="Add a case to audit", button="Add case", back=_day_back(found))


@bp.get("/cases/<int:case_id>")
@audit_staff
def case(case_id: int) -> ResponseReturnValue:
    found = _found(cases.get_case, case_id)
    return render_template(
        "audits/case.html",
        case=found,
        grid=cases.combined_view(get_session(), found, definitions().latest(cases.AUDIT_TOOL)),
        may_manage=Role.QUALITY_GROUP in g.member.roles,
    )


@bp.route("/cases/<int:case_id>/agencies", methods=["GET", "POST"])
@quality_group
def case_agencies(case_id: int) -> ResponseReturnValue:
    found = _found(cases.get_case, case_id)
    form = forms.AgenciesForm()
    _agency_choices(form)
    if form.validate_on_submit():
        try:
            newly = cases.ask_agencies(
                get_session(),
                found.id,
                set(form.organisations.data or []),
                definition=definitions().latest(cases.AUDIT_TOOL),
                by=g.user,
            )
        except AuditError as error:
            show_error(form, error)
        else:
            if found.cycle is not None:
                tell_published(found.cycle, newly)
            return _to("audits.case", "The agencies have been asked", case_id=found.id)
    asked = [r.organisation.name for r in cases.agency_returns(get_session(), found)]
    return _form_page(
        form, title="Agencies involved", button="Ask agencies", back=_case_back(found), asked=asked
    )


@bp.route("/cases/<int:case_id>/voices", methods=["GET", "POST"])
@quality_group
def case_voices(case_id: int) -> ResponseReturnValue:
    found = _found(cases.get_case, case_id)
    form = forms.VoicesForm(obj=found)
    if form.validate_on_submit():
        try:
            cases.record_voices(
                get_session(),
                found.id,
                forum_notes=form.forum_notes.data or "",
                family_views=form.family_views.data or "",
                by=g.user,
            )
        except AuditError as error:
            show_error(form, error)
        else:
            return _to(
                "audits.case",
                "The forum’s notes and the family’s views have been saved",
                case_id=found.id,
            )
    return _form_page(
        form, title="Practitioner forum and family views", button="Save", back=_case_back(found)
    )


@bp.route("/programmes/<int:programme_id>/findings/new", methods=["GET", "POST"])
@quality_group
def finding_new(programme_id: int) -> ResponseReturnValue:
    found = _found(programmes.get_programme, programme_id)
    form = forms.FindingForm()
    form.day_id.choices = [(PROGRAMME_WIDE, "The whole programme")] + [
        (d.id, f"{d.held_on:%-d %B %Y} ({d.topic})") for d in found.days
    ]
    if form.validate_on_submit():
        try:
            programmes.add_finding(
                get_session(),
                found.id,
                kind=FindingKind(form.kind.data),
                text=form.text.data or "",
                day_id=form.day_id.data or None,
                definition=definitions().latest(finding_texts.FINDING_FORM),
                by=g.user,
            )
        except AuditError as error:
            show_error(form, error)
        else:
            return _to("audits.programme", "The finding has been recorded", programme_id=found.id)
    return _form_page(
        form, title="Record a finding", button="Record finding", back=_programme_back(found)
    )


@bp.route("/findings/<int:finding_id>/learning", methods=["GET", "POST"])
@quality_group
def finding_learning(finding_id: int) -> ResponseReturnValue:
    finding = _found(programmes.get_finding, finding_id)
    form = forms.LearningForm()
    if form.validate_on_submit():
        try:
            entry = audit_learning.entry_from_finding(
                get_session(), finding.id, title=form.title.data or "", created_by=g.user
            )
        except LearningError as error:
            form.title.errors = [*form.title.errors, str(error)]
        else:
            return _to(
                "audits.programme",
                f"Added to the learning log as “{entry.title}”",
                programme_id=finding.programme_id,
            )
    return _form_page(
        form,
        title="Add the finding to the learning log",
        button="Add to log",
        back=_programme_back(finding.programme),
        quote=finding.text,
    )
