"""The actions a cycle's scrutiny produced, for its findings report.

Public API:
    NO_ACTIONS_YET: what the report says when there are none
    actions_from_scrutiny(session, cycle) -> list[Action]

Issue 10 item 4 links an action to the return, standard or challenge it came from. Until an
action carries such a link nothing tells a cycle's actions apart from the rest, so this
returns none and the report says NO_ACTIONS_YET. Once the link exists, this is the one place
to read it: the actions owned by the cycle's organisations whose link points into this
cycle's returns (or their challenges).
"""

from __future__ import annotations

from sqlalchemy.orm import Session

from learning.models import Action
from surveys.models import Cycle

NO_ACTIONS_YET = "No actions recorded for this cycle yet"


def actions_from_scrutiny(session: Session, cycle: Cycle) -> list[Action]:
    """Return the actions this cycle's scrutiny produced, soonest due first (none yet)."""
    del session, cycle  # read once actions carry their link (issue 10, item 4)
    return []
