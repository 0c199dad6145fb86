"""The partnership, its organisations and the people who use Learning Loop."""

from __future__ import annotations

import enum
from datetime import datetime

from sqlalchemy import Boolean, ForeignKey, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from surveys.models.base import Base, str_enum, utcnow


class Sector(enum.StrEnum):
    POLICE = "police"
    HEALTH = "health"
    LOCAL_AUTHORITY = "local_authority"
    EDUCATION = "education"
    VOLUNTARY = "voluntary"
    PROBATION = "probation"
    YOUTH_JUSTICE = "youth_justice"
    OTHER = "other"

    @property
    def label(self) -> str:
        return SECTOR_LABELS[self]


SECTOR_LABELS = {
    Sector.POLICE: "Police",
    Sector.HEALTH: "Health",
    Sector.LOCAL_AUTHORITY: "Local authority",
    Sector.EDUCATION: "Education",
    Sector.VOLUNTARY: "Voluntary and community",
    Sector.PROBATION: "Probation",
    Sector.YOUTH_JUSTICE: "Youth justice",
    Sector.OTHER: "Other",
}


class OrganisationKind(enum.StrEnum):
    AGENCY = "agency"
    SCHOOL = "school"

    @property
    def label(self) -> str:
        return "School or college" if self is OrganisationKind.SCHOOL else "Agency"


class Role(enum.StrEnum):
    PARTNERSHIP_ADMIN = "partnership_admin"
    QUALITY_GROUP = "quality_group"
    ORGANISATION_LEAD = "organisation_lead"
    ORGANISATION_CONTRIBUTOR = "organisation_contributor"
    SAFEGUARDING_LEAD = "safeguarding_lead"

    @property
    def label(self) -> str:
        return ROLE_LABELS[self]

    @property
    def belongs_to_organisation(self) -> bool:
        return self in (Role.ORGANISATION_LEAD, Role.ORGANISATION_CONTRIBUTOR)


ROLE_LABELS = {
    Role.PARTNERSHIP_ADMIN: "Partnership admin",
    Role.QUALITY_GROUP: "Quality group member",
    Role.ORGANISATION_LEAD: "Organisation lead",
    Role.ORGANISATION_CONTRIBUTOR: "Organisation contributor",
    Role.SAFEGUARDING_LEAD: "Designated safeguarding lead",
}


class Partnership(Base):
    """A partnership: the tenant whose cycles, answers and learning are its own."""

    __tablename__ = "partnerships"
    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    front_door_name: Mapped[str] = mapped_column(String(200), default="")
    front_door_phone: Mapped[str] = mapped_column(String(40), default="")
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class Organisation(Base):
    """An agency or a school that answers the partnership's assessments."""

    __tablename__ = "organisations"
    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(200), unique=True)
    sector: Mapped[Sector] = mapped_column(str_enum(Sector, "sector"))
    kind: Mapped[OrganisationKind] = mapped_column(str_enum(OrganisationKind, "organisation_kind"))
    is_active: Mapped[bool] = mapped_column(Boolean, default=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    users: Mapped[list[User]] = relationship(back_populates="organisation")


class User(Base):
    """A person who signs in. Respondents to anonymous links never have a row here."""

    __tablename__ = "users"
    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str] = mapped_column(String(254), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    role: Mapped[Role] = mapped_column(str_enum(Role, "role"))
    organisation_id: Mapped[int | None] = mapped_column(ForeignKey("organisations.id"), index=True)
    password_hash: Mapped[str | None] = mapped_column(String(255))
    is_active: Mapped[bool] = mapped_column(Boolean, default=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    last_signed_in_at: Mapped[datetime | None]

    organisation: Mapped[Organisation | None] = relationship(back_populates="users")

    @property
    def has_password(self) -> bool:
        return self.password_hash is not None


class OrganisationPartnership(Base):
    """An organisation serves a partnership: one organisation may serve several."""

    __tablename__ = "organisation_partnerships"
    organisation_id: Mapped[int] = mapped_column(
        ForeignKey("organisations.id", ondelete="CASCADE"), primary_key=True
    )
    partnership_id: Mapped[int] = mapped_column(
        ForeignKey("partnerships.id", ondelete="CASCADE"), primary_key=True, index=True
    )
    joined_at: Mapped[datetime] = mapped_column(default=utcnow)

    organisation: Mapped[Organisation] = relationship()


class Membership(Base):
    """A person's role in one partnership (and, for organisation roles, their organisation).

    For now every person has one, mirrored from `User.role` and `User.organisation_id`.
    """

    __tablename__ = "memberships"
    __table_args__ = (UniqueConstraint("user_id", "partnership_id"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    partnership_id: Mapped[int] = mapped_column(
        ForeignKey("partnerships.id", ondelete="CASCADE"), index=True
    )
    role: Mapped[Role] = mapped_column(str_enum(Role, "membership_role"))
    organisation_id: Mapped[int | None] = mapped_column(
        ForeignKey("organisations.id", ondelete="SET NULL"), index=True
    )
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    user: Mapped[User] = relationship()
    organisation: Mapped[Organisation | None] = relationship()
