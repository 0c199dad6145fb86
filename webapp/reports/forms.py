"""The six-monthly report's period, typed as two GOV.UK dates."""

from __future__ import annotations

from webapp.forms import GovDateField, GovForm


class ReportPeriodForm(GovForm):
    """Start and end dates of the report; a GET form, so no CSRF token."""

    class Meta:
        csrf = False

    start = GovDateField("Start date", description="For example, 1 6 2026")
    end = GovDateField("End date", description="For example, 30 11 2026")
