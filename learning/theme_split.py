"""Splitting one theme into two or more by re-clustering its statements with the run's model.

Public API:
    split_theme(session, theme_id, *, pipeline_factory, edited_by) -> ThemeEdit
    MIN_SPLIT

The split is an ordinary theme edit (learning.theme_edits), so undo removes the new themes.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

import numpy as np
from sqlalchemy import select
from sqlalchemy.orm import Session

from learning.errors import EditRefused
from learning.models import (
    EditKind,
    Theme,
    ThemeEdit,
    ThemeLineage,
    ThemeState,
    ThemeStatement,
    ThemingRun,
)
from learning.theme_edits import (
    N_QUOTES,
    editable_theme,
    next_number,
    reassign,
    record_edit,
    recount,
    snapshot,
)
from surveys.models import User

MIN_SPLIT = 4


def split_theme(
    session: Session,
    theme_id: int,
    *,
    pipeline_factory: Callable[[], Any],
    edited_by: User,
) -> ThemeEdit:
    """Re-cluster one theme's statements into two or more themes with the run's kind of model."""
    theme = editable_theme(session, theme_id)
    rows = list(
        session.scalars(
            select(ThemeStatement)
            .where(ThemeStatement.theme_id == theme.id)
            .order_by(ThemeStatement.id)
        )
    )
    if len(rows) < MIN_SPLIT:
        raise EditRefused(f"A theme needs at least {MIN_SPLIT} statements to be split.")
    texts = [r.text for r in rows]
    run_model = session.get(ThemingRun, theme.run_id).embedder_model  # type: ignore[union-attr]
    session.commit()  # hold no lock while embedding: the cache writes in its own transaction
    labels, vectors, keywords = _recluster(pipeline_factory(), texts, run_model)
    theme = editable_theme(session, theme_id)
    before: dict[str, Any] = {"themes": {str(theme.id): snapshot(theme)}}
    before["moves"] = {str(r.id): [r.theme_id, r.sub_theme_id] for r in rows}
    children = _add_children(session, theme, rows, labels, vectors, keywords)
    theme.state, theme.size, theme.share = ThemeState.SPLIT, 0, 0.0
    recount(session, theme.run_id, children)
    for child, group in zip(children, sorted(set(labels.tolist())), strict=True):
        members = [rows[int(i)] for i in np.flatnonzero(labels == group)]
        child.quote_ids = _central_quotes(members, vectors[labels == group], child.centroid)
    summary = f"Split “{theme.label}” into {len(children)} themes"
    created = [c.id for c in children]
    edit = record_edit(
        session,
        theme,
        EditKind.SPLIT,
        user=edited_by,
        summary=summary,
        before=before,
        created=created,
    )
    session.commit()
    return edit


def _recluster(
    pipeline: Any, texts: list[str], run_model: str
) -> tuple[Any, Any, dict[int, list[str]]]:
    """Embed (through the cache) and cluster a small corpus; refuse when it stays one group.

    A pipeline built for a web process (``StoredVectors``) reads the vectors the run's own
    model stored and loads no model.
    """
    from nlp.embedding import CachedEmbedder, StoredVectors, VectorsNotStored

    embedder = pipeline.embedder
    if isinstance(embedder, StoredVectors):
        embedder = StoredVectors(run_model)
    if getattr(pipeline, "cache", None) is not None:
        embedder = CachedEmbedder(embedder, pipeline.cache)
    try:
        vectors = np.asarray(embedder.embed(texts), dtype=np.float32)
    except VectorsNotStored as error:
        raise EditRefused(
            "This theme's statements are no longer stored with the run's model: "
            "start a new theming run to split it."
        ) from error
    assignment = pipeline.themer.find_themes(texts, vectors, seed=getattr(pipeline, "seed", 0))
    labels = np.asarray(assignment.labels, dtype=np.int64)
    if (labels >= 0).any():  # outliers join the largest group: a split never loses statements
        labels[labels < 0] = np.bincount(labels[labels >= 0]).argmax()
    if len(set(labels.tolist())) < 2:
        raise EditRefused("These statements are too alike to split into separate themes.")
    return labels, vectors, assignment.keywords


def _add_children(
    session: Session,
    theme: Theme,
    rows: Sequence[ThemeStatement],
    labels: Any,
    vectors: Any,
    keywords: dict[int, list[str]],
) -> list[Theme]:
    from uuid import uuid4

    from nlp.labels import PhraseIndex

    names = PhraseIndex([r.text for r in rows]).name_themes(labels, keywords)
    number = next_number(session, theme.run_id)
    children = []
    for offset, group in enumerate(sorted(set(labels.tolist()))):
        mean = vectors[labels == group].mean(0)
        lineage = ThemeLineage(key=str(uuid4()))
        session.add(lineage)
        child = Theme(
            run_id=theme.run_id,
            number=number + offset,
            lineage_key=lineage.key,
            label=names.get(group, theme.label)[:200],
            machine_label=names.get(group, theme.label)[:200],
            keywords=keywords.get(group, [])[:10],
            centroid=[round(float(x), 6) for x in mean / (np.linalg.norm(mean) or 1.0)],
            split_from_id=theme.id,
            trend=theme.trend,
        )
        session.add(child)
        children.append(child)
    session.flush()
    for child, group in zip(children, sorted(set(labels.tolist())), strict=True):
        reassign([rows[int(i)] for i in np.flatnonzero(labels == group)], child)
    return children


def _central_quotes(
    members: Sequence[ThemeStatement], vectors: Any, centroid: Sequence[float]
) -> list[int]:
    from nlp.labels import representative_quotes

    picks = representative_quotes(
        vectors, [m.text for m in members], np.asarray(centroid, dtype=np.float32), n=N_QUOTES
    )
    return [members[i].id for i in picks]
