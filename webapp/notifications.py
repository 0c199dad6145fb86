"""Emails the service sends, built here and sent through the job queue.

Links are built from BASE_URL, never from the request's Host header.
"""

from __future__ import annotations

import logging

from flask import current_app, url_for

from surveys import cycles, return_people, shared_returns
from surveys.case_reviews.alerts import DeadlineAlert
from surveys.case_reviews.deadlines import Flag
from surveys.escalation import Escalated
from surveys.follow_ups import FollowUpEmail
from surveys.models import Cycle, Membership, Response, User, utcnow
from surveys.training.chain import CourseFollowUp
from webapp.database import get_session
from webapp.mail import one_line_subject
from webapp.queue import enqueue
from webapp.wording import plural

log = logging.getLogger(__name__)


def _link(endpoint: str, **values: str) -> str:
    return current_app.config["BASE_URL"].rstrip("/") + url_for(endpoint, **values)


def _try_send(to: str, subject: str, body: str, *, what: str, **ids: int) -> bool:
    """Queue an email; False (and a warning naming `what` and the ids) if it was not queued."""
    try:
        enqueue("send_email", to, subject, body)
    except Exception:  # noqa: BLE001 - the queue (or, run at once, the mail server) failed
        log.warning(f"{what} not queued", extra=ids, exc_info=True)
        return False
    return True


def send_invitation(membership: Membership, token: str, *, invited_by: User | None = None) -> None:
    """Email a new user the link to set their password: who asked, for what and as what."""
    days = current_app.config["INVITATION_LIFETIME"].days
    partnership = membership.partnership.name
    body = (
        f"{_inviter(invited_by)} has invited you to join {partnership} on Learning Loop, "
        f"as {_as_what(membership)}.\n\n"
        f"Learning Loop is where the partnership collects self-assessments and feedback, "
        f"and learns from them.\n\n"
        f"Create your password to get started:\n"
        f"{_link('auth.accept_invitation', token=token)}\n\n"
        f"This link works once and expires in {plural(days, 'day')}. "
        "You will be signed in once you have created your password.\n"
    )
    enqueue("send_email", membership.user.email, f"You have been invited to {partnership}", body)


def send_added_to_partnership(membership: Membership, *, invited_by: User | None = None) -> None:
    """Tell someone who already has an account that they now work in another partnership."""
    partnership = membership.partnership.name
    body = (
        f"{_inviter(invited_by)} has added you to {partnership} on Learning Loop, "
        f"as {_as_what(membership)}.\n\n"
        f"Sign in with your usual email address and password:\n{_link('auth.sign_in')}\n\n"
        "Choose Switch beside the partnership's name at the top of any page to work in "
        f"{partnership}.\n"
    )
    enqueue("send_email", membership.user.email, f"You have been added to {partnership}", body)


def _inviter(invited_by: User | None) -> str:
    return invited_by.name if invited_by else "The partnership admin"


def _as_what(membership: Membership) -> str:
    place = f" at {membership.organisation.name}" if membership.organisation else ""
    roles = [_with_article(label.lower()) for label in membership.role_labels]
    listed = ", ".join(roles[:-1]) + " and " + roles[-1] if len(roles) > 1 else roles[0]
    return listed + place


def _with_article(noun: str) -> str:
    return ("an " if noun[0] in "aeiou" else "a ") + noun


def send_password_reset(user: User, token: str) -> None:
    """Email a user the link to reset their password."""
    hours = int(current_app.config["PASSWORD_RESET_LIFETIME"].total_seconds() // 3600)
    body = (
        "Someone asked to reset the password for your Learning Loop account.\n\n"
        f"Reset your password:\n{_link('auth.reset_password', token=token)}\n\n"
        f"This link works once and expires in {hours} hours. If you did not ask for this, "
        "you can ignore this email: your password has not changed.\n"
    )
    enqueue("send_email", user.email, "Reset your Learning Loop password", body)


def send_reminder(user: User, cycle: Cycle) -> bool:
    """Queue a reminder for someone whose organisation has not submitted; False if not queued."""
    title = one_line_subject(cycle.title)
    body = (
        f"{title} has not yet been submitted by your organisation.\n\n"
        f"The deadline is {cycle.closes_at:%-d %B %Y}. Continue it here:\n"
        f"{_link('assessments.overview', cycle_id=str(cycle.id))}\n"
    )
    return _try_send(
        user.email, f"Reminder: {title}", body, what="reminder", user_id=user.id, cycle_id=cycle.id
    )


def tell_published(cycle: Cycle, organisation_ids: set[int]) -> int:
    """Email each asked organisation's lead(s) what is asked and by when; return how many."""
    title = one_line_subject(cycle.title)
    told = 0
    for lead in cycles.leads_of(get_session(), cycle, organisation_ids):
        body = (
            f"Your organisation is asked to complete {title}.\n\n"
            f"It opens on {cycle.opens_at:%-d %B %Y} and the deadline is "
            f"{cycle.closes_at:%-d %B %Y} (answers are taken until the end of the day before). "
            "Anyone in your organisation can fill in sections; as its lead you sign it off "
            "and submit it.\n\n"
            f"Start it here:\n{_link('assessments.overview', cycle_id=str(cycle.id))}\n"
        )
        subject = f"Asked of your organisation: {title}"
        told += _try_send(lead.email, subject, body, what="publication notice", cycle_id=cycle.id)
    return told


def tell_reopened(response: Response, *, by: User) -> int:
    """Tell everyone who relies on a shared return that it has reopened; return how many."""
    if response.cycle.shared_round is None:
        return 0
    names = ", ".join(p.name for p in shared_returns.partnerships_of(get_session(), response))
    organisation = response.organisation.name if response.organisation else "An organisation"
    title = one_line_subject(response.cycle.title)
    body = (
        f"{organisation}'s shared return for {title} has been reopened for changes by "
        f"{by.name}. It is shared by {names}, so it has reopened for each of them: it shows "
        "as in progress until its senior lead signs it off again.\n\n"
        "The submitted version is kept in its history.\n"
    )
    session = get_session()
    people = return_people.partnership_admins(session, response)
    people |= return_people.organisation_leads(session, response)
    told = 0
    for email in sorted(people):
        told += _try_send(
            email, f"Reopened: {title}", body, what="reopening notice", response_id=response.id
        )
    return told


def tell_escalated(cycle: Cycle, escalated: Escalated, *, partnership: str) -> int:
    """Send an overdue return's second reminder to its people, and tell its senior contact.

    Returns how many emails were queued. Names the organisation and the dates, never answers.
    """
    title = one_line_subject(cycle.title)
    organisation = escalated.organisation.name
    was_due, until = f"{escalated.was_due:%-d %B %Y}", f"{escalated.until:%-d %B %Y}"
    link = _link("assessments.overview", cycle_id=str(cycle.id))
    body = (
        f"{title} was due from your organisation on {was_due} and has not been submitted.\n\n"
        f"The partnership now expects it by {until}. Continue it here:\n{link}\n\n"
        + (
            f"{escalated.contact.name} ({escalated.contact.job or 'senior contact'}) has been "
            "told that it is overdue.\n"
            if escalated.contact.is_named
            else ""
        )
    )
    told = 0
    for person in escalated.people:
        told += _try_send(
            person.email, f"Overdue: {title}", body, what="escalation", cycle_id=cycle.id
        )
    if escalated.contact.is_named:
        people = len(escalated.people)
        letter = (
            f"Dear {escalated.contact.name},\n\n"
            f"{organisation}'s return for {title} was due on {was_due} and has not been "
            f"submitted. You are named as its senior contact by {partnership}.\n\n"
            f"The partnership now expects it by {until}. "
            + (
                f"We have reminded {plural(people, 'person', 'people')} at {organisation} "
                "who can complete it.\n"
                if people
                else f"Nobody at {organisation} can complete it on Learning Loop yet: please ask "
                "its safeguarding lead to contact the partnership.\n"
            )
        )
        told += _try_send(
            escalated.contact.email,
            f"Overdue from {organisation}: {title}",
            letter,
            what="escalation letter",
            cycle_id=cycle.id,
        )
    return told


def tell_feedback_given(response: Response) -> int:
    """Tell the organisation's leads that its return has feedback; return how many were told.

    The email names the return and links to it; the feedback itself is read in the product.
    """
    if response.organisation_id is None:
        return 0
    title = one_line_subject(response.cycle.title)
    body = (
        f"The partnership has given feedback on your organisation's return for {title}.\n\n"
        "Read it, and any challenges still to answer, here (sign-in required):\n"
        f"{_link('scrutiny.organisation_return', return_id=str(response.id))}\n"
    )
    leads = cycles.leads_of(get_session(), response.cycle, {response.organisation_id})
    return _send_each({lead.email for lead in leads}, f"Feedback given: {title}", body, response)


def tell_action_needed(response: Response, standard_ref: str) -> int:
    """Ask the organisation's leads for an action on a standard a reviewer moderated below met;
    return how many were asked. The email names the standard and links to the return."""
    if response.organisation_id is None:
        return 0
    title = one_line_subject(response.cycle.title)
    body = (
        f"The partnership's reviewer has rated standard {standard_ref} of your organisation's "
        f"return for {title} below met.\n\n"
        "Every standard rated below met needs an action agreed with the partnership: what you "
        "will do, who will lead it and by when. Read the reviewer's reason and propose the "
        "action here (sign-in required):\n"
        f"{_link('scrutiny.organisation_return', return_id=str(response.id))}\n"
    )
    leads = cycles.leads_of(get_session(), response.cycle, {response.organisation_id})
    return _send_each({lead.email for lead in leads}, f"Action needed: {title}", body, response)


def tell_sent_for_sign_off(response: Response, *, by: User) -> int:
    """Tell the organisation's leads a return is ready for them to sign off; return how many."""
    session = get_session()
    title = one_line_subject(response.cycle.title)
    body = (
        f"{by.name} has sent your organisation's return for {title} for you to sign off "
        f"(reference {response.reference}).\n\n"
        "Check the answers, complete the senior lead's declaration if the form has one, then "
        f"sign it off and submit it here:\n"
        f"{_link('assessments.check', cycle_id=str(response.cycle_id))}\n"
    )
    return _send_each(
        return_people.organisation_leads(session, response),
        f"Ready for you to sign off: {title}",
        body,
        response,
    )


def tell_submitted(response: Response, *, by: User) -> int:
    """Send a receipt to the organisation's leads and whoever sent it for sign-off, and tell
    each partnership that holds the return; return how many emails were queued."""
    session = get_session()
    title = one_line_subject(response.cycle.title)
    organisation = response.organisation.name if response.organisation else "An organisation"
    when = f"{response.submitted_at or utcnow():%-d %B %Y at %H:%M}"
    receipt = (
        f"{organisation}'s return for {title} was signed off and submitted by {by.name} on "
        f"{when}.\n\nYour reference: {response.reference}\n\n"
        "Read, print or download the submitted return here:\n"
        f"{_link('assessments.your_return', cycle_id=str(response.cycle_id))}\n"
    )
    sender = return_people.sent_for_sign_off_by(session, response)
    organisation_people = return_people.organisation_leads(session, response)
    if sender is not None and sender.is_active:
        organisation_people.add(sender.email)
    told = _send_each(organisation_people, f"Submitted: {title}", receipt, response)
    notice = (
        f"{organisation} has submitted its return for {title} (reference {response.reference}), "
        f"signed off by {by.name} on {when}.\n\n"
        "See it in the returns list of the cycle, under Forms and cycles:\n"
        f"{_link('cycles.response', response_id=str(response.id))}\n"
    )
    admins = return_people.partnership_admins(session, response) - organisation_people
    return told + _send_each(admins, f"Return submitted: {organisation}, {title}", notice, response)


def _send_each(emails: set[str], subject: str, body: str, response: Response) -> int:
    """Queue one email to each address; return how many were queued (failures are logged)."""
    return sum(
        _try_send(email, subject, body, what="return notice", response_id=response.id)
        for email in sorted(emails)
    )


def disclosure_alert(base_url: str, response_id: int) -> tuple[str, str]:
    """Return the subject and body telling DSLs a response needs review: a link, never text."""
    body = (
        "A response submitted to Learning Loop may contain a disclosure of harm and needs "
        "review within one working day.\n\n"
        f"Review it here (sign-in required):\n{base_url.rstrip('/')}/safeguarding/responses/"
        f"{response_id}\n\n"
        f"Response number: {response_id}\n"
    )
    return "A response needs safeguarding review", body


def review_deadline_alert(base_url: str, alert: DeadlineAlert) -> tuple[str, str]:
    """Return the subject and body of a case review's deadline flag: no case details."""
    when = f"{alert.due_on:%A %-d %B %Y}"
    state = {
        Flag.HALF: f"Half the time to {alert.clock.label.lower()} has gone: it is due on {when}.",
        Flag.MOST: f"Four fifths of the time has gone: it is due on {when}.",
        Flag.OVERDUE: f"This was due on {when} and is overdue.",
    }[alert.flag]
    body = (
        f"Case review {alert.reference}: {alert.clock.label}.\n\n{state}\n\n"
        f"Open the review (sign-in required):\n{base_url.rstrip('/')}/reviews/{alert.review_id}\n"
    )
    subject = f"Case review {alert.reference}: {alert.clock.label.lower()} {alert.flag.phrase}"
    return subject, body


def course_follow_up(base_url: str, item: CourseFollowUp, token: str) -> tuple[str, str]:
    """Return a trainee's follow-up email (or its one reminder): the course, its date, a link."""
    when = f"{item.held_on:%-d %B %Y}"
    link = f"{base_url.rstrip('/')}/f/{token}"
    if item.is_reminder:
        subject = f"Reminder: how has {item.course} changed your practice?"
        opening = (
            f"A reminder: two weeks ago we asked how {item.course} ({when}) has changed your "
            "practice. This is the only reminder we will send."
        )
        closing = "We have now deleted your email address."
    else:
        subject = f"How has {item.course} changed your practice?"
        opening = (
            f"On {when} you went on {item.course} and asked us to follow up. Tell us what "
            "has changed in your practice since (about 5 minutes; you can do it with your "
            "manager)."
        )
        closing = (
            "If you do not answer, we will send one reminder in two weeks, then delete your "
            "email address."
        )
    return one_line_subject(subject), f"{opening}\n\n{link}\n\n{closing}\n"


def training_follow_up(base_url: str, item: FollowUpEmail) -> tuple[str, str]:
    """Return the follow-up email (or its one reminder) of an evaluation given through a
    cycle's shared link: the training as its cycle is titled, the day, the trainee's own link."""
    when = f"{item.evaluated_on:%-d %B %Y}"
    link = f"{base_url.rstrip('/')}/f/{item.link_token}"
    if item.is_reminder:
        subject = f"Reminder: how has {item.training} changed your practice?"
        opening = (
            f"A reminder: two weeks ago we asked how the training you gave feedback on, "
            f"{item.training} ({when}), has changed your practice. This is the only reminder "
            "we will send."
        )
        closing = "We have now deleted your email address."
    else:
        subject = f"How has {item.training} changed your practice?"
        opening = (
            f"On {when} you gave feedback on {item.training} and asked us to follow up. Tell "
            "us what has changed in your practice since (about 5 minutes; you can do it with "
            "your manager)."
        )
        closing = (
            "If you do not answer, we will send one reminder in two weeks, then delete your "
            "email address."
        )
    return one_line_subject(subject), f"{opening}\n\n{link}\n\n{closing}\n"
