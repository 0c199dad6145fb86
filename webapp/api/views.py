"""The read-only JSON API: cycles, responses, Section 11 / 175 returns with their ratings,
challenges and actions, case reviews, national reviews and case audit findings; bearer-token
authentication (each token sees its partnership's data only) and OpenAPI."""

from __future__ import annotations

from flask import Blueprint, current_app, jsonify, request, url_for
from flask.typing import ResponseReturnValue
from sqlalchemy import func, select

from learning import action_documents, audit_documents
from surveys import api, api_assurance, api_reviews, api_tokens
from surveys.models import Cycle, DisclosureFlag, Response, ResponseStatus, utcnow
from surveys.scrutiny.reviewers import has_standards
from surveys.scrutiny.reviews import scrutiny_of
from surveys.streams import KEPT_WITH_REVIEWS
from webapp import csrf
from webapp.access import public
from webapp.database import get_session
from webapp.errors import problem
from webapp.form_pages import definition_of, definitions

bp = Blueprint("api", __name__, url_prefix="/api")
csrf.exempt(bp)


def _base_url() -> str:
    """The configured address: links never copy the request's Host header."""
    return str(current_app.config["BASE_URL"]).rstrip("/")


@bp.before_request
def _require_token() -> ResponseReturnValue | None:
    if request.endpoint == "api.openapi":
        return None
    if api_tokens.authenticate_api(get_session(), request.headers.get("Authorization")) is None:
        return problem(401)
    return None


@bp.errorhandler(api.ApiError)
def _api_error(error: api.ApiError) -> ResponseReturnValue:
    return problem(error.status, error.detail)


@bp.get("/openapi.json")
@public
def openapi() -> ResponseReturnValue:
    return jsonify(api.openapi_document(_base_url()))


@bp.get("/v1/cycles")
@public  # the bearer token is checked before every API view
def cycles_list() -> ResponseReturnValue:
    found = get_session().scalars(select(Cycle).order_by(Cycle.id))
    return jsonify({"data": [api.cycle_document(c) for c in found if _is_served(c)]})


def _is_served(item: Cycle | Response) -> bool:
    """Agencies' information returns to a case review stay with the review: not served."""
    return definition_of(item).stream.value not in KEPT_WITH_REVIEWS


@bp.get("/v1/cycles/<int:cycle_id>/responses")
@public
def cycle_responses(cycle_id: int) -> ResponseReturnValue:
    cycle = get_session().get(Cycle, cycle_id)
    if cycle is None or not _is_served(cycle):
        return problem(404, "There is no cycle with this id")
    page, per_page = api.parse_pagination(request.args.get("page"), request.args.get("per_page"))
    submitted = select(Response).where(
        Response.cycle_id == cycle.id, Response.status == ResponseStatus.SUBMITTED
    )
    total = get_session().scalar(select(func.count()).select_from(submitted.subquery())) or 0
    rows = get_session().scalars(
        submitted.order_by(Response.id).offset((page - 1) * per_page).limit(per_page)
    )
    definition = definition_of(cycle)
    items = [api.response_document(r, definition, _flags(r)) for r in rows]
    url = _base_url() + url_for("api.cycle_responses", cycle_id=cycle.id)
    return jsonify(api.page_document(items, page=page, per_page=per_page, total=total, url=url))


@bp.get("/v1/responses/<int:response_id>")
@public
def response_detail(response_id: int) -> ResponseReturnValue:
    found = get_session().get(Response, response_id)
    if found is None or not found.is_submitted or not _is_served(found):
        return problem(404, "There is no submitted response with this id")
    return jsonify(api.response_document(found, definition_of(found), _flags(found)))


def _flags(found: Response) -> list[DisclosureFlag]:
    return list(
        get_session().scalars(select(DisclosureFlag).where(DisclosureFlag.response_id == found.id))
    )


def _page_url(endpoint: str, **values: object) -> str:
    return _base_url() + url_for(endpoint, **values)


def _with_standards() -> set[str]:
    return {definition.key for definition in definitions() if has_standards(definition)}


@bp.get("/v1/returns")
@public
def returns_list() -> ResponseReturnValue:
    page, per_page = api.parse_pagination(request.args.get("page"), request.args.get("per_page"))
    cycle_id = api.parse_id(request.args.get("cycle_id"), "cycle_id")
    rows, total = api_assurance.returns_page(
        get_session(), _with_standards(), page=page, per_page=per_page, cycle_id=cycle_id
    )
    items = [
        api_assurance.return_document(r, scrutiny_of(get_session(), r, definition_of(r)))
        for r in rows
    ]
    url = _page_url("api.returns_list")
    if cycle_id is not None:
        url = _page_url("api.returns_list", cycle_id=cycle_id)
    document = api.page_document(items, page=page, per_page=per_page, total=total, url=url)
    return jsonify(document)


@bp.get("/v1/returns/<int:return_id>")
@public
def return_detail(return_id: int) -> ResponseReturnValue:
    found = get_session().scalar(
        api_assurance.returns_select(_with_standards()).where(Response.id == return_id)
    )
    if found is None:
        return problem(404, "There is no submitted return with this id")
    scrutiny = scrutiny_of(get_session(), found, definition_of(found))
    return jsonify(api_assurance.return_document(found, scrutiny))


@bp.get("/v1/challenges")
@public
def challenges_list() -> ResponseReturnValue:
    page, per_page = api.parse_pagination(request.args.get("page"), request.args.get("per_page"))
    rows, total = api_assurance.challenges_page(get_session(), page=page, per_page=per_page)
    items = [api_assurance.challenge_document(c) for c in rows]
    url = _page_url("api.challenges_list")
    return jsonify(api.page_document(items, page=page, per_page=per_page, total=total, url=url))


@bp.get("/v1/actions")
@public
def actions_list() -> ResponseReturnValue:
    page, per_page = api.parse_pagination(request.args.get("page"), request.args.get("per_page"))
    rows, total = action_documents.actions_page(get_session(), page=page, per_page=per_page)
    today = utcnow().date()
    items = [action_documents.action_document(a, today) for a in rows]
    url = _page_url("api.actions_list")
    return jsonify(api.page_document(items, page=page, per_page=per_page, total=total, url=url))


def _paging() -> tuple[int, int]:
    return api.parse_pagination(request.args.get("page"), request.args.get("per_page"))


@bp.get("/v1/case-reviews")
@public
def case_reviews_list() -> ResponseReturnValue:
    page, per_page = _paging()
    rows, total = api_reviews.case_reviews_page(get_session(), page=page, per_page=per_page)
    items = [api_reviews.case_review_document(r) for r in rows]
    url = _page_url("api.case_reviews_list")
    return jsonify(api.page_document(items, page=page, per_page=per_page, total=total, url=url))


@bp.get("/v1/national-reviews")
@public
def national_reviews_list() -> ResponseReturnValue:
    page, per_page = _paging()
    rows, total = api_reviews.national_reviews_page(get_session(), page=page, per_page=per_page)
    items = [api_reviews.national_review_document(get_session(), r) for r in rows]
    url = _page_url("api.national_reviews_list")
    return jsonify(api.page_document(items, page=page, per_page=per_page, total=total, url=url))


@bp.get("/v1/audit-findings")
@public
def audit_findings_list() -> ResponseReturnValue:
    page, per_page = _paging()
    rows, total = api_reviews.audit_findings_page(get_session(), page=page, per_page=per_page)
    items = audit_documents.audit_finding_documents(get_session(), rows)
    url = _page_url("api.audit_findings_list")
    return jsonify(api.page_document(items, page=page, per_page=per_page, total=total, url=url))
