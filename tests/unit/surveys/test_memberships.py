"""Which membership a person works in: the chosen one while they hold it, else their first."""

from __future__ import annotations

from surveys.memberships import working_membership
from surveys.models import Membership, Role


def _held(*partnership_ids: int) -> list[Membership]:
    return [Membership(partnership_id=p, role=Role.QUALITY_GROUP) for p in partnership_ids]


def test_the_chosen_partnership_is_worked_in_while_the_person_holds_it():
    held = _held(3, 7)
    assert working_membership(held, chosen=7) is held[1]


def test_without_a_choice_or_with_a_lost_one_the_first_is_worked_in():
    held = _held(3, 7)
    assert working_membership(held, chosen=None) is held[0]
    assert working_membership(held, chosen=9) is held[0]  # removed, or never theirs


def test_someone_with_no_membership_works_in_none():
    assert working_membership([], chosen=3) is None
