"""Reports and dashboards at run time (docs/reports.md): report metadata → grouped queries as the viewer."""

from .runner import DashboardResult, ReportResult, ReportRunner

__all__ = ["DashboardResult", "ReportResult", "ReportRunner"]
