"""What a partnership owns, found from the models themselves so a new table is never forgotten.

Public API:
    owned_models() -> list[type]: every `PartnershipOwned` model, parents before children
        (`Base.metadata.sorted_tables`); delete in reverse
    linked_models() -> list[type]: models that are no partnership's but name one (its
        memberships and organisation links): exported, and deleted before the partnership
    attached_models() -> list[Attached]: models that are no partnership's but hang on an owned
        row (a learning entry's organisations): exported and deleted with their owner
    columns_of(model) -> list[(column name, attribute)]: a model's columns, in table order
    of_partnership(model, partnership_id): the condition "this row is the partnership's",
        for owned and attached models alike
    RESTRICTED_TABLES: owned tables exported, but flagged in the README and manifest as data
        about identifiable children that only the roles which see it in the product may open

Models register on `Base` when their module is imported: a caller that works on every
table (the command line, a platform page) imports `learning.models` first.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy import ColumnElement, false, or_, select
from sqlalchemy.orm import InstrumentedAttribute

from surveys.models.base import Base, PartnershipOwned
from surveys.models.people import Partnership

# Case details (a child's name, date of birth, address and ethnicity, for a case review) are
# the partnership's own records of its statutory reviews: a partnership that leaves takes them
# with it (it is the controller; the service only processes them), or they would be lost with
# the deletion that follows. They are exported, in their own file, flagged as restricted.
RESTRICTED_TABLES = {
    "case_details": "RESTRICTED: children's names, dates of birth, addresses and ethnicity "
    "recorded for case reviews. Only case review officers may see them in Learning Loop: keep "
    "this file as securely, and delete each row on its remove_on date.",
}


def owned_models() -> list[type[Any]]:
    """Return every partnership-owned model, a table's parents before it."""
    by_table = {
        mapper.local_table: mapper.class_
        for mapper in Base.registry.mappers
        if issubclass(mapper.class_, PartnershipOwned)
    }
    return [by_table[table] for table in Base.metadata.sorted_tables if table in by_table]


def linked_models() -> list[type[Any]]:
    """Return the models, not partnership-owned, with a foreign key to a partnership."""
    found = []
    for table in Base.metadata.sorted_tables:
        model = _model_of(table)
        if model is None or issubclass(model, PartnershipOwned):
            continue
        if any(fk.column.table is Partnership.__table__ for fk in table.foreign_keys):
            found.append(model)
    return found


@dataclass(frozen=True)
class Link:
    """A foreign key from an attached model to an owned one."""

    column: InstrumentedAttribute[Any]
    owner: type[Any]
    owner_column: InstrumentedAttribute[Any]


@dataclass(frozen=True)
class Attached:
    """A model that is no partnership's, whose rows hang on owned rows through `links`."""

    model: type[Any]
    links: tuple[Link, ...]


def attached_models() -> list[Attached]:
    """Return the models that are not owned but point at an owned table, in table order."""
    owned = {model.__table__: model for model in owned_models()}
    linked = linked_models()
    found = []
    for table in Base.metadata.sorted_tables:
        model = _model_of(table)
        if model is None or issubclass(model, PartnershipOwned) or model in linked:
            continue
        links = tuple(
            Link(
                column=_attribute(model, fk.parent),
                owner=owned[fk.column.table],
                owner_column=_attribute(owned[fk.column.table], fk.column),
            )
            for fk in sorted(table.foreign_keys, key=lambda fk: fk.parent.name)
            if fk.column.table in owned
        )
        if links:
            found.append(Attached(model, links))
    return found


def columns_of(model: type[Any]) -> list[tuple[str, InstrumentedAttribute[Any]]]:
    """Return a model's columns as (name in the table, attribute), in the table's order."""
    return [(column.name, _attribute(model, column)) for column in model.__table__.columns]


def of_partnership(model: type[Any], partnership_id: int) -> ColumnElement[bool]:
    """Return the condition that a row of an owned, linked or attached model is its."""
    if issubclass(model, PartnershipOwned):
        return model.partnership_id == partnership_id
    if model in linked_models():
        return or_(
            *(
                _attribute(model, fk.parent) == partnership_id
                for fk in model.__table__.foreign_keys
                if fk.column.table is Partnership.__table__
            )
        )
    attached = next((a for a in attached_models() if a.model is model), None)
    if attached is None:
        return false()
    return or_(
        *(
            link.column.in_(
                select(link.owner_column).where(link.owner.partnership_id == partnership_id)
            )
            for link in attached.links
        )
    )


def _model_of(table: Any) -> type[Any] | None:
    return next((m.class_ for m in Base.registry.mappers if m.local_table is table), None)


def _attribute(model: type[Any], column: Any) -> InstrumentedAttribute[Any]:
    prop = model.__mapper__.get_property_by_column(column)
    return getattr(model, prop.key)  # type: ignore[no-any-return]
