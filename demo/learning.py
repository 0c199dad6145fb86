"""Demo learning: a finished theming run over every stream, then one over the children's and
families' answers (so the six-monthly report shows streams served by different runs), log
entries, board placements, actions, and the quality group's draft of the six-monthly report."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from learning import actions, board, log, narratives, runs, selection
from learning.models import ReportKind
from learning.period import last_six_months
from surveys.loader import DefinitionRegistry
from surveys.models import Organisation, Role, User, utcnow

CHILDREN_AND_FAMILIES = ("child_voice", "family_voice")
DRAFT_SUMMARY = (
    "Children and families tell us they value workers who listen, and practitioners and "
    "agencies both say the escalation procedure is not well understood."
)
DRAFT_LEARNED = (
    "The same subjects recur across streams: being listened to, waiting for help, and "
    "knowing how to escalate a disagreement between agencies."
)


def seed_learning(session: Session, registry: DefinitionRegistry, *, pipeline: Any) -> int:
    """Theme every stream, then log, place and act on the largest themes, theme the children's
    and families' answers on their own, and draft the six-monthly report; return the first
    run's id."""
    quality = session.scalar(select(User).where(User.role == Role.QUALITY_GROUP).limit(1))
    run = runs.start_run(session, selection.Selection(), started_by=quality)
    runs.execute_run(session, run.id, pipeline=pipeline, registry=registry)
    themes = runs.visible_themes(session, run.id)[:4]
    agencies = list(session.scalars(select(Organisation).order_by(Organisation.id).limit(3)))
    due = utcnow().date() + timedelta(days=60)
    for number, theme in enumerate(themes):
        suggestion = board.suggest_placement(session, theme)
        item = board.place_on_board(
            session,
            lineage_key=theme.lineage_key,
            column=suggestion.column,
            decided_by=quality,
            why="Agreed at the quality group: " + suggestion.reason,
        )
        if number < 2 and quality is not None:
            log.create_entry_from_theme(session, theme.id, created_by=quality)
            action = actions.create_action(
                session,
                description=f"Respond to the theme “{theme.label}” with a plan",
                owner_organisation_id=agencies[number].id,
                due_date=due if number else utcnow().date() - timedelta(days=3),
                created_by=quality,
                board_item_id=item.id,
            )
            if not number:  # the overdue action was agreed two months ago, not today
                action.created_at = utcnow() - timedelta(days=63)
                session.commit()
    voices = runs.start_run(
        session, selection.Selection(streams=CHILDREN_AND_FAMILIES), started_by=quality
    )
    runs.execute_run(session, voices.id, pipeline=pipeline, registry=registry)
    if quality is not None:
        text = narratives.NarrativeText(summary=DRAFT_SUMMARY, learned=DRAFT_LEARNED)
        period = last_six_months(utcnow().date())
        narratives.save_narrative(session, ReportKind.SIX_MONTHLY, period, text, edited_by=quality)
    return run.id
