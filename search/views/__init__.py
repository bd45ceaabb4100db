"""Looking at a study, never changing it: tables for the terminal (leaderboard, status), the
live ``status --watch``, the self-contained HTML report with its figures, and
optuna-dashboard served read-only.

May import ``search._errors``, ``search.metrics``, ``search.study``, ``storage`` and
``spaces``; never TensorFlow. Every view reads trials through ``search.study``'s
``StudyStatus``, ``TrialSummary`` and ``best_of``.
"""

from search.views._dashboard import DashboardServer, exposure_warning, make_dashboard
from search.views._display import leaderboard_table, print_status, short_params, studies_table
from search.views._report import headline, write_report
from search.views._report_page import Report, ReportFigure
from search.views._watch import (
    WatchNumbers,
    describe_end,
    format_duration,
    render_watch,
    watch_numbers,
    watch_study,
)

__all__ = [
    "DashboardServer",
    "Report",
    "ReportFigure",
    "WatchNumbers",
    "describe_end",
    "exposure_warning",
    "format_duration",
    "headline",
    "leaderboard_table",
    "make_dashboard",
    "print_status",
    "render_watch",
    "short_params",
    "studies_table",
    "watch_numbers",
    "watch_study",
    "write_report",
]
