"""Scrutiny of Section 11 / 175 returns at /scrutiny, on one blueprint, `bp`: reviewers'
pages (reviews.py), challenge meetings (meetings.py) and the organisation's side
(organisation.py), action plans on returns (action_plans.py), ratings beside what the
organisation's practitioners say (triangulation.py); who may use which is in blueprint.py."""

from webapp.scrutiny import action_plans, meetings, organisation, reviews, triangulation
from webapp.scrutiny.blueprint import bp

__all__ = ["action_plans", "bp", "meetings", "organisation", "reviews", "triangulation"]
