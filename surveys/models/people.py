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
    REVIEWER = "reviewer"  # scrutinises organisations' Section 11 / 175 returns
    CASE_REVIEWER = "case_reviewer"  # a restricted role for case reviews
    TRAINING_LEAD = "training_lead"  # runs the training programme; sees training data only

    @property
    def label(self) -> str:
        return ROLE_LABELS[self]

    @property
    def belongs_to_organisation(self) -> bool:
        """An organisation role: held for the membership's own organisation only."""
        return self in (Role.ORGANISATION_LEAD, Role.ORGANISATION_CONTRIBUTOR)


ROLE_LABELS = {
    Role.PARTNERSHIP_ADMIN: "Partnership admin",
    Role.QUALITY_GROUP: "Quality group member",
    Role.ORGANISATION_LEAD: "Organisation lead",
    Role.ORGANISATION_CONTRIBUTOR: "Organisation contributor",
    Role.SAFEGUARDING_LEAD: "Designated safeguarding lead",
    Role.REVIEWER: "Return reviewer",
    Role.CASE_REVIEWER: "Case review officer",
    Role.TRAINING_LEAD: "Training lead",
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
    """An agency or a school that answers the assessments of the partnerships it serves.

    Organisations are public bodies (a police force, an NHS trust, a school): one row per body
    on the whole service, its name unique, serving one or more partnerships
    (`OrganisationPartnership`, which also says whether it is active in each).
    """

    __tablename__ = "organisations"
    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(200), unique=True)
    sector: Mapped[Sector] = mapped_column(str_enum(Sector, "sector"))
    kind: Mapped[OrganisationKind] = mapped_column(str_enum(OrganisationKind, "organisation_kind"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    users: Mapped[list[User]] = relationship(back_populates="organisation")


class User(Base):
    """A person who signs in. Respondents to anonymous links never have a row here.

    What a person may do is decided by their `Membership` in the partnership they work in,
    never by this row. `role` and `organisation_id` are kept for compatibility only: when a
    person is created in a partnership they say the role and organisation of that first
    membership (`surveys.tenancy` turns them into it), and afterwards they mirror the
    person's first membership (`surveys.memberships`), or None when they hold none.
    `is_platform_admin`: may create partnerships and invite their first admins; it gives no
    access to any partnership's data. `last_partnership_id`: where the next sign-in starts.
    """

    __tablename__ = "users"
    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str] = mapped_column(String(254), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    role: Mapped[Role | None] = mapped_column(str_enum(Role, "role"))
    organisation_id: Mapped[int | None] = mapped_column(ForeignKey("organisations.id"), index=True)
    password_hash: Mapped[str | None] = mapped_column(String(255))
    is_active: Mapped[bool] = mapped_column(Boolean, default=True)
    is_platform_admin: Mapped[bool] = mapped_column(Boolean, default=False)
    last_partnership_id: Mapped[int | None] = mapped_column(
        ForeignKey("partnerships.id", ondelete="SET NULL")
    )
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    last_signed_in_at: Mapped[datetime | None]

    organisation: Mapped[Organisation | None] = relationship(back_populates="users")

    @property
    def has_password(self) -> bool:
        return self.password_hash is not None


class OrganisationPartnership(Base):
    """An organisation serves a partnership: one organisation may serve several.

    `is_active` and the senior contact are the partnership's own: a partnership that stops
    working with an organisation deactivates it here, and the other partnerships it serves
    are untouched.
    """

    __tablename__ = "organisation_partnerships"
    organisation_id: Mapped[int] = mapped_column(
        ForeignKey("organisations.id", ondelete="CASCADE"), primary_key=True
    )
    partnership_id: Mapped[int] = mapped_column(
        ForeignKey("partnerships.id", ondelete="CASCADE"), primary_key=True, index=True
    )
    is_active: Mapped[bool] = mapped_column(Boolean, default=True)
    joined_at: Mapped[datetime] = mapped_column(default=utcnow)
    # Whom this partnership tells when the organisation's return is overdue (its own choice:
    # a director or chief officer), beside the organisation's leads. Empty: nobody named.
    senior_contact_name: Mapped[str] = mapped_column(String(200), default="")
    senior_contact_job: Mapped[str] = mapped_column(String(200), default="")
    senior_contact_email: Mapped[str] = mapped_column(String(254), default="")

    organisation: Mapped[Organisation] = relationship()


class Membership(Base):
    """A person's roles in one partnership (and, for organisation roles, their organisation).

    A person may hold one in each of several partnerships. Every access decision reads the
    `roles` of the membership of the partnership the person works in (`webapp.tenancy` puts
    it in `g.member`); a deactivated one (`is_active` False) gives no access to its
    partnership. A membership holds at most one organisation role, for its own organisation,
    and any of the partnership roles: `role` is the main one (the organisation role when
    there is one, so queries for an organisation's leads read one column), the others are
    `MembershipRole` rows (`surveys.memberships.set_roles` keeps the two in step).
    `organisation_id` is the organisation of its organisation role; a reviewer may name the
    organisation they work for too, whose returns they never review.
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
    is_active: Mapped[bool] = mapped_column(Boolean, default=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    user: Mapped[User] = relationship()
    partnership: Mapped[Partnership] = relationship()
    organisation: Mapped[Organisation | None] = relationship()
    other_roles: Mapped[list[MembershipRole]] = relationship(
        cascade="all, delete-orphan", lazy="selectin", order_by="MembershipRole.role"
    )

    @property
    def roles(self) -> frozenset[Role]:
        """Every role held here: what each access decision reads."""
        return frozenset({self.role, *(other.role for other in self.other_roles)})

    @property
    def organisation_role(self) -> Role | None:
        """The organisation role held (lead or contributor), if any."""
        return self.role if self.role.belongs_to_organisation else None

    @property
    def role_labels(self) -> list[str]:
        """The roles held, in the order `Role` lists them, as people read them."""
        return [role.label for role in Role if role in self.roles]


class MembershipRole(Base):
    """A partnership role a membership holds beside its main `Membership.role`."""

    __tablename__ = "membership_roles"
    membership_id: Mapped[int] = mapped_column(
        ForeignKey("memberships.id", ondelete="CASCADE"), primary_key=True
    )
    role: Mapped[Role] = mapped_column(str_enum(Role, "other_role"), primary_key=True)
