"""The partnership's view of Section 11 / 175 ratings at /findings: organisations by
standards for a cycle, one standard across the partnership, one organisation's history.
The cycle's findings report (PDF, Word, Excel) is in webapp/reports."""

from webapp.findings.views import bp

__all__ = ["bp"]
