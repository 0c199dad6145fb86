"""Inviting someone to a partnership: a link to create their password, or, for someone who
already has an account, an email saying where they now work."""

from __future__ import annotations

from flask import current_app, g

from surveys import accounts
from surveys.models import Membership, TokenPurpose
from webapp.database import get_session
from webapp.notifications import send_added_to_partnership, send_invitation


def invite(membership: Membership) -> None:
    """Email the person of a new membership: an invitation, or a note if they can sign in."""
    user = membership.user
    if user.has_password:
        send_added_to_partnership(membership, invited_by=g.user)
        return
    token = accounts.issue_token(
        get_session(),
        user,
        TokenPurpose.INVITATION,
        lifetime=current_app.config["INVITATION_LIFETIME"],
    )
    send_invitation(membership, token, invited_by=g.user)
