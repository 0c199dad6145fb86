"""Reminders reach people even when a cycle's title has a line break; the count is honest."""

from __future__ import annotations

from surveys.models import Cycle
from tests.conftest import csrf_from
from tests.integration.webapp import test_assessments
from tests.integration.webapp.test_assessments import as_user
from webapp import mail

team = test_assessments.team  # the fixture: an organisation's lead and contributor, a cycle


def _remind(client, cycle):
    html = client.get(f"/admin/cycles/{cycle.id}").text
    client.post(f"/admin/cycles/{cycle.id}/reminders", data={"csrf_token": csrf_from(html)})
    return client.get(f"/admin/cycles/{cycle.id}").text


def test_a_title_with_a_line_break_still_sends_every_reminder(
    app, db_session, team, admin, smtp_server
):
    """A title saved before titles were kept on one line must not drop the emails."""
    app.config.update(MAIL_PORT=smtp_server.port)
    organisation, lead, contributor, cycle = team
    stored = db_session.get(Cycle, cycle.id)
    stored.title = "Section 11\r\nBcc: everyone@example.org"
    db_session.commit()
    page = _remind(as_user(app, db_session, admin), cycle)
    emails = smtp_server.wait_for(2)
    assert {e["To"] for e in emails} == {lead.email, contributor.email}
    assert {e["Subject"] for e in emails} == {"Reminder: Section 11 Bcc: everyone@example.org"}
    assert all(e["Bcc"] is None for e in emails)
    assert "Reminders sent to 2 people" in page


def test_the_count_the_admin_sees_is_what_was_queued(app, db_session, team, admin, smtp_server):
    app.config.update(MAIL_PORT=smtp_server.port)
    organisation, lead, contributor, cycle = team
    real = app.extensions["tasks"]["send_email"]

    def queue_refusing_the_lead(to: str, subject: str, body: str) -> object:
        if to == lead.email:
            raise ConnectionError("queue unavailable")
        return real(to, subject, body)

    app.extensions["tasks"]["send_email"] = queue_refusing_the_lead
    page = _remind(as_user(app, db_session, admin), cycle)
    assert [e["To"] for e in smtp_server.wait_for(1)] == [contributor.email]
    assert "Reminders sent to 1 people" in page
    assert "1 of 2 reminders could not be sent" in page


def test_a_subject_with_header_breaks_is_sent_on_one_line(app, smtp_server):
    settings = {**app.config, "MAIL_PORT": smtp_server.port}
    mail.send(
        settings,
        mail.Email("lead@example.org", "Reminder\r\nBcc: x@example.org\x00\u2028now", "Body"),
    )
    (email,) = smtp_server.wait_for(1)
    assert email["Subject"] == "Reminder Bcc: x@example.org now"
    assert email["Bcc"] is None


def test_reminders_name_who_they_reached_and_who_has_no_one_to_email(
    app, db_session, team, admin, smtp_server
):

    from surveys.models import CycleAssignment
    from tests import factories

    app.config.update(MAIL_PORT=smtp_server.port)
    organisation, lead, contributor, cycle = team
    nobody = factories.OrganisationFactory(name="Quiet Trust")
    db_session.add(CycleAssignment(cycle_id=cycle.id, organisation_id=nobody.id))
    db_session.commit()
    boss = as_user(app, db_session, admin)
    returns = boss.get(f"/admin/cycles/{cycle.id}").text
    assert returns.count("No one to email") == 1
    assert returns.index("Quiet Trust") < returns.index("No one to email")
    page = _remind(boss, cycle)
    assert (
        f"Reminders sent to 2 people in organisations that have not submitted: {organisation.name}"
        in page
    )
    assert "No one to email at Quiet Trust: invite their lead under Users" in page
    assert {e["To"] for e in smtp_server.wait_for(2)} == {lead.email, contributor.email}
