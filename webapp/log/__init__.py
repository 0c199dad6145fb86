"""The learning log at /learning-log: search and download it, add and edit an entry, and place an
entry on the board (its form is on the entry's page), in views.py; an entry's one-page learning
briefing for practitioners in briefing.py. One blueprint, `bp`."""

from webapp.log import briefing, views
from webapp.log.views import bp

__all__ = ["bp", "briefing", "views"]
