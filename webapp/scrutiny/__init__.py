"""Scrutiny of Section 11 / 175 returns at /scrutiny, on one blueprint, `bp`: reviewers'
pages (reviews.py), challenge meetings (meetings.py) and the organisation's side
(organisation.py); who may use which is in blueprint.py."""

from webapp.scrutiny import meetings, organisation, reviews
from webapp.scrutiny.blueprint import bp

__all__ = ["bp", "meetings", "organisation", "reviews"]
