"""An organisation's assessments on one blueprint, `bp`: answering a return (views.py), and
reading, printing and downloading its returns (reading.py)."""

from webapp.assessments import reading, signing_off, views
from webapp.assessments.blueprint import bp

__all__ = ["bp", "reading", "signing_off", "views"]
