"""The learning pages' forms answer bad input with a GOV.UK error, never a 500."""

from __future__ import annotations

import pytest

from surveys.models import Role
from tests import factories
from tests.conftest import csrf_from


@pytest.fixture
def world(db_session):
    organisation = factories.OrganisationFactory(name="Riverside Police")
    member = factories.UserFactory(role=Role.QUALITY_GROUP, organisation=None)
    return {**factories.learning_world(db_session, organisation, member), "member": member}


def test_a_priority_that_is_not_a_number_is_refused_beside_the_box(client, login_as, world):
    login_as(world["member"])
    page = client.get("/board").text
    response = client.post(
        f"/board/{world['item_id']}/move",
        data={"csrf_token": csrf_from(page), "column": "changed", "priority": "first", "why": ""},
    )
    assert response.status_code == 400
    assert "Enter the priority as a whole number, like 1" in response.text
    assert f'id="priority-{world["item_id"]}-error"' in response.text


def test_an_unknown_column_is_refused(client, login_as, world):
    login_as(world["member"])
    url = f"/learning-log/{world['entry_id']}"
    page = client.get(url).text
    response = client.post(
        f"/board/entries/{world['entry_id']}",
        data={"csrf_token": csrf_from(page), "column": "nowhere", "why": "Seen twice"},
    )
    assert response.status_code == 400
    assert "Select Created, Stabilised or Changed" in response.text


def test_merging_nothing_or_moving_to_nowhere_says_what_to_select(client, login_as, world):
    login_as(world["member"])
    url = f"/quality/themes/{world['theme_id']}"
    page = client.get(url).text
    merged = client.post(f"{url}/merge", data={"csrf_token": csrf_from(page), "others": ["x"]})
    assert merged.status_code == 400
    assert "Select the themes to merge into this one" in merged.text
    moved = client.post(
        f"{url}/move",
        data={"csrf_token": csrf_from(page), "statements": ["1"], "to_theme": "nowhere"},
        follow_redirects=True,
    )
    assert "Select statements and the theme to move them to" in moved.text


def test_the_log_search_ignores_filters_it_does_not_know(client, login_as, world):
    login_as(world["member"])
    response = client.get("/learning-log?q=%20&status=lost&stream=")
    assert response.status_code == 200
