"""Whatever is posted to a public form, the answer is a page, never a 500."""

from __future__ import annotations

from datetime import timedelta

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from surveys import cycles
from surveys.loader import load_definitions
from surveys.models import utcnow
from tests.conftest import csrf_from, inspect_session, make_app
from tests.integration.webapp.test_respond import start

DEFINITION = load_definitions().latest("training-evaluation")
APP = make_app(RESPOND_RATE_LIMIT="100000 per minute")
_session = inspect_session(APP)
_now = utcnow()
LINK = cycles.publish_cycle(
    _session,
    DEFINITION,
    cycles.NewCycle("Fuzz", _now - timedelta(days=1), _now + timedelta(days=30)),
    created_by=None,
).links[0]
FIELD_NAMES = sorted(
    {
        name
        for page in DEFINITION.pages
        for q in page.questions
        for name in (q.id, f"{q.id}-before", f"{q.id}-after", f"{q.id}-day")
    }
)
NASTY = st.one_of(
    st.text(max_size=300),
    st.text(alphabet=st.characters(codec="utf-8"), min_size=1, max_size=50),
    st.sampled_from(
        [
            "\x00",
            "\u202e",
            "\u200d" * 20,
            "𝕏" * 10,
            "e\u0301" * 5,
            "x" * 20_000,
            "<script>alert(1)</script>",
            "=cmd|'/c calc'!A1",
            "-1",
            "1e309",
            " ",
        ]
    ),
)


@settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    page_index=st.integers(0, len(DEFINITION.pages) - 1),
    data=st.dictionaries(st.sampled_from(FIELD_NAMES), NASTY, max_size=6),
)
def test_any_post_to_any_page_is_answered_without_a_server_error(page_index, data):
    client = APP.test_client()
    start(client, LINK)
    page = DEFINITION.pages[page_index]
    html = client.get(f"/f/{LINK.token}/{page.id}")
    if html.status_code == 404:  # a page hidden by earlier answers
        return
    response = client.post(
        f"/f/{LINK.token}/{page.id}", data={**data, "csrf_token": csrf_from(html.text)}
    )
    assert response.status_code in (302, 400), response.status_code
    if response.status_code == 400:
        assert "There is a problem" in response.text
        assert "<script>alert(1)</script>" not in response.text


def test_every_page_of_every_built_in_form_renders(db_session, client, login_as):
    """Every page of every built-in form renders for its respondents, and Check your answers."""
    from surveys import responses
    from surveys.definition import Audience
    from surveys.models import Role
    from tests import factories

    organisation = factories.OrganisationFactory()
    login_as(factories.UserFactory(organisation=organisation, role=Role.ORGANISATION_LEAD))
    now = utcnow()
    for definition in load_definitions().latest_definitions():
        is_team = definition.audience is Audience.ORGANISATION
        cycle = cycles.publish_cycle(
            db_session,
            definition,
            cycles.NewCycle(
                definition.title,
                now - timedelta(days=1),
                now + timedelta(days=9),
                (organisation.id,) if is_team else (),
            ),
            created_by=None,
        )
        if is_team:
            responses.start_organisation_response(db_session, cycle, organisation.id)
            base = f"/assessments/{cycle.id}"
        else:
            start(client, cycle.links[0])
            base = f"/f/{cycle.links[0].token}"
        for page in definition.pages:
            if page.show_if is None:
                assert client.get(f"{base}/{page.id}").status_code == 200, (definition.key, page.id)
        assert client.get(f"{base}/check").status_code == 200, definition.key
