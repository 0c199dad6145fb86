"""Every staff form, posted with a deliberate error, comes back with everything typed in it."""

from __future__ import annotations

from html.parser import HTMLParser

import pytest

from surveys.models import Organisation, Role
from tests import factories
from tests.conftest import csrf_from


class FieldValues(HTMLParser):
    """Collect what each named control on a page currently holds, as a browser would send it."""

    def __init__(self) -> None:
        super().__init__()
        self.values: dict[str, list[str]] = {}
        self._select: str | None = None
        self._textarea: str | None = None
        self._text: list[str] = []

    def _add(self, name: str, value: str) -> None:
        self.values.setdefault(name, []).append(value)

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = {key: value or "" for key, value in attrs}
        name = a.get("name")
        if tag == "input" and name:
            if a.get("type") in ("checkbox", "radio"):
                if "checked" in a:
                    self._add(name, a.get("value", "on"))
            else:
                self._add(name, a.get("value", ""))
        elif tag == "select" and name:
            self._select = name
        elif tag == "option" and self._select and "selected" in a:
            self._add(self._select, a.get("value", ""))
        elif tag == "textarea" and name:
            self._textarea, self._text = name, []

    def handle_data(self, data: str) -> None:
        if self._textarea:
            self._text.append(data)

    def handle_endtag(self, tag: str) -> None:
        if tag == "select":
            self._select = None
        elif tag == "textarea" and self._textarea:
            self._add(self._textarea, "".join(self._text).lstrip("\n"))
            self._textarea = None


def assert_nothing_lost(html: str, posted: dict[str, str | list[str]]) -> None:
    parser = FieldValues()
    parser.feed(html)
    for name, value in posted.items():
        for one in value if isinstance(value, list) else [value]:
            assert one in parser.values.get(name, []), f"{name}={one!r} was lost"


@pytest.fixture
def world(db_session):
    organisation = factories.OrganisationFactory(name="Riverside Police")
    member = factories.UserFactory(role=Role.QUALITY_GROUP, organisation=None)
    ids = factories.learning_world(db_session, organisation, member)
    return {**ids, "organisation": organisation, "member": member}


def post_with_error(client, page_url, action_url, data):
    page = client.get(page_url)
    assert page.status_code == 200, page_url
    response = client.post(action_url, data={**data, "csrf_token": csrf_from(page.text)})
    assert response.status_code == 400, (action_url, response.status_code)
    assert "There is a problem" in response.text
    return response.text


def test_learning_log_entry_keeps_every_value(client, login_as, world):
    login_as(world["member"])
    posted = {
        "title": "",
        "lesson": "Babies were not seen on their own",
        "source_kind": "case_review",
        "source_stream": "family_voice",
        "source_detail": "Rapid review, child J",
        "entry_date-day": "12",
        "entry_date-month": "3",
        "entry_date-year": "2026",
        "recommended_action": "Add the baby’s voice to the audit",
        "owner": "Health lead",
        "status": "in_progress",
        "review_date-day": "30",
        "review_date-month": "",
        "review_date-year": "2026",
    }
    html = post_with_error(client, "/learning-log/new", "/learning-log/new", posted)
    assert (
        "Enter a title for the learning" in html or "The review date must include a month" in html
    )
    assert_nothing_lost(html, posted)


def test_new_action_keeps_every_value(client, login_as, world):
    login_as(world["member"])
    posted = {
        "description": "Refresh the escalation policy",
        "organisation": str(world["organisation"].id),
        "due_date-day": "31",
        "due_date-month": "13",
        "due_date-year": "2026",
        "entry": str(world["entry_id"]),
    }
    html = post_with_error(client, "/board", "/actions", posted)
    assert "The due date must be a real date" in html
    assert_nothing_lost(html, posted)


def test_action_progress_keeps_every_value(client, login_as, world):
    login_as(world["member"])
    url = f"/actions/{world['action_id']}"
    posted = {"text": "", "status": "done", "impact": "Audit scores rose from 2 to 3"}
    html = post_with_error(client, url, url, posted)
    assert_nothing_lost(html, posted)


def test_board_move_keeps_every_value(client, login_as, world):
    login_as(world["member"])
    posted = {"column": "nowhere", "priority": "1", "why": "It keeps coming back in audits"}
    html = post_with_error(client, "/board", f"/board/{world['item_id']}/move", posted)
    assert_nothing_lost(html, {"priority": "1", "why": posted["why"]})


def test_placing_an_entry_on_the_board_keeps_the_reason(client, login_as, world):
    login_as(world["member"])
    url = f"/learning-log/{world['entry_id']}"
    posted = {"column": "nowhere", "why": "Seen in three reviews"}
    html = post_with_error(client, url, f"/board/entries/{world['entry_id']}", posted)
    assert_nothing_lost(html, {"why": posted["why"]})


def test_theme_rename_and_placement_keep_what_was_typed(client, login_as, world):
    login_as(world["member"])
    url = f"/quality/themes/{world['theme_id']}"
    long_name = "Waiting " * 30
    html = post_with_error(client, url, f"{url}/rename", {"label": long_name})
    assert_nothing_lost(html, {"label": long_name})
    html = post_with_error(
        client, url, f"{url}/board", {"column": "nowhere", "why": "Families keep saying it"}
    )
    assert_nothing_lost(html, {"why": "Families keep saying it"})


def test_theming_run_choice_keeps_every_value(client, login_as, world):
    login_as(world["member"])
    posted = {
        "streams": ["training", "family_voice"],
        "sectors": ["police"],
        "date_from-day": "1",
        "date_from-month": "4",
        "date_from-year": "2026",
        "date_to-day": "31",
        "date_to-month": "1",
        "date_to-year": "2026",
    }
    html = post_with_error(client, "/quality", "/quality/runs", posted)
    assert "must be the same as or after" in html
    assert_nothing_lost(html, posted)


def test_cycle_form_keeps_every_value(client, login_as, admin, db_session):
    login_as(admin)
    organisation = factories.OrganisationFactory(name="Riverside Academy")
    posted = {
        "definition": "section-11",
        "title": "Section 11 self-assessment 2026 to 2027",
        "opens_on-day": "1",
        "opens_on-month": "4",
        "opens_on-year": "2026",
        "closes_on-day": "30",
        "closes_on-month": "",
        "closes_on-year": "2026",
        "organisations": [str(organisation.id)],
    }
    html = post_with_error(client, "/admin/cycles/new", "/admin/cycles/new", posted)
    assert "The date the cycle closes must include a month" in html
    assert_nothing_lost(html, posted)


def test_organisation_forms_keep_every_value(client, login_as, admin, db_session):
    login_as(admin)
    posted = {"name": "", "kind": "school", "sector": "education"}
    html = post_with_error(client, "/admin/organisations/new", "/admin/organisations/new", posted)
    assert_nothing_lost(html, posted)
    organisation = db_session.query(Organisation).first() or factories.OrganisationFactory()
    url = f"/admin/organisations/{organisation.id}"
    posted = {"name": "x" * 201, "kind": "agency", "sector": "health", "is_active": "y"}
    html = post_with_error(client, url, url, posted)
    assert_nothing_lost(html, posted)


def test_user_forms_keep_every_value(client, login_as, admin, db_session):
    login_as(admin)
    organisation = factories.OrganisationFactory(name="Riverside Health")
    posted = {
        "name": "Nia Newcomer",
        "email": "not an email",
        "roles": "organisation_lead",
        "organisation_id": str(organisation.id),
    }
    html = post_with_error(client, "/admin/users/new", "/admin/users/new", posted)
    assert_nothing_lost(html, posted)
    person = factories.UserFactory(organisation=organisation)
    url = f"/admin/users/{person.id}"
    posted = {
        "name": "",
        "roles": "organisation_contributor",
        "organisation_id": str(organisation.id),
    }
    html = post_with_error(client, url, url, posted)
    assert_nothing_lost(html, posted)


def test_report_period_is_typed_as_day_month_year_and_kept(client, login_as, world):
    login_as(world["member"])
    typed = {
        "start-day": "1",
        "start-month": "6",
        "start-year": "2026",
        "end-day": "31",
        "end-month": "",
        "end-year": "2026",
    }
    page = client.get("/reports/six-monthly", query_string=typed)
    assert page.status_code == 400
    assert "End date must include a month" in page.text
    assert 'href="#end-month"' in page.text
    assert_nothing_lost(page.text, typed)
    typed["end-month"] = "12"
    assert client.get("/reports/six-monthly", query_string=typed).status_code == 200


def test_api_token_form_keeps_what_was_typed(client, login_as, admin):
    login_as(admin)
    posted = {"name": "The ICB dashboard " * 20}
    html = post_with_error(client, "/admin/api-tokens", "/admin/api-tokens", posted)
    assert_nothing_lost(html, posted)


@pytest.mark.parametrize(
    ("day", "month", "year", "message", "first_box"),
    [
        ("", "", "2026", "Date must include a day and month", "day"),
        ("12", "3", "26", "Date must include a year with 4 numbers", "year"),
        ("29", "2", "2026", "Date must be a real date", "day"),
        ("1", "March", "2026", "Date must be a real date", "day"),
        ("9" * 30, "1", "2026", "Date must be a real date", "day"),
    ],
)
def test_dates_get_govuk_messages_linked_to_the_first_box_in_error(
    client, login_as, world, day, month, year, message, first_box
):
    login_as(world["member"])
    posted = {
        "title": "Voice of the baby",
        "source_kind": "case_review",
        "entry_date-day": day,
        "entry_date-month": month,
        "entry_date-year": year,
    }
    html = post_with_error(client, "/learning-log/new", "/learning-log/new", posted)
    assert message in html
    assert f'href="#entry_date-{first_box}"' in html
    assert_nothing_lost(html, posted)


def test_learning_log_entry_shows_every_problem_at_once(client, login_as, world):
    login_as(world["member"])
    posted = {
        "title": "",
        "source_kind": "stream",
        "source_stream": "",
        "entry_date-day": "31",
        "entry_date-month": "4",
        "entry_date-year": "2026",
    }
    html = post_with_error(client, "/learning-log/new", "/learning-log/new", posted)
    for message in (
        "Enter a title for the learning",
        "Select the evidence stream the learning came from",
        "Date must be a real date",
    ):
        assert message in html
