"""Partnership admin's cycles: publish, returns, links and reminders (views.py), and the
download and import of a cycle's answers (answers.py), on one blueprint, `bp`."""

from webapp.cycles import answers, running, shared, views
from webapp.cycles.blueprint import bp

__all__ = ["answers", "bp", "running", "shared", "views"]
