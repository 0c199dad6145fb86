"""What changed in trainees' practice, as themes: from the newest finished theming run that
covers their follow-ups' answers to "What has changed in your practice since the course?".

Public API:
    PRACTICE_QUESTION
    practice_change_themes(session, follow_up_ids) -> list[(label, Shown)]: each active theme's
        number of follow-ups, largest first (a theme of fewer than 5 says "fewer than 5");
        empty when no finished run covers them (the dashboard then shows the counts alone)
"""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import distinct, func, select
from sqlalchemy.orm import Session

from learning.models import RunStatus, Theme, ThemeState, ThemeStatement, ThemingRun
from surveys.small_groups import Shown, suppress

PRACTICE_QUESTION = "changed_practice"


def practice_change_themes(
    session: Session, follow_up_ids: Sequence[int]
) -> list[tuple[str, Shown]]:
    """Return the themes of what changed in practice among these follow-ups, largest first."""
    if not follow_up_ids:
        return []
    run_id = session.scalar(
        select(ThemeStatement.run_id)
        .join(ThemingRun, ThemingRun.id == ThemeStatement.run_id)
        .where(
            ThemeStatement.response_id.in_(follow_up_ids),
            ThemeStatement.question_id == PRACTICE_QUESTION,
            ThemingRun.status == RunStatus.FINISHED,
        )
        .order_by(ThemingRun.finished_at.desc(), ThemingRun.id.desc())
        .limit(1)
    )
    if run_id is None:
        return []
    answered = func.count(distinct(ThemeStatement.response_id))
    rows = session.execute(
        select(Theme.label, answered)
        .join(Theme, Theme.id == ThemeStatement.theme_id)
        .where(
            ThemeStatement.run_id == run_id,
            ThemeStatement.response_id.in_(follow_up_ids),
            ThemeStatement.question_id == PRACTICE_QUESTION,
            Theme.state == ThemeState.ACTIVE,
        )
        .group_by(Theme.label)
        .order_by(answered.desc(), Theme.label)
    )
    return [(label, suppress(count)) for label, count in rows]
