"""Looking at a study: tables for the terminal (leaderboard, status), the live
``status --watch``, the self-contained HTML report with its figures, optuna-dashboard served
read-only with the trials' kept files, and the study's note in it (the one thing views write,
saved by the workers). The baselines and the expert's model, what the search is measured
against, are looked up once (``references``) for the figures and the note.

May import ``search._errors``, ``search.metrics``, ``search.study``, ``storage`` and
``spaces``; never TensorFlow. Every view reads trials through ``search.study``'s
``StudyStatus``, ``TrialSummary`` and ``best_of``.
"""

from search.views._dashboard import DashboardServer, exposure_warning, make_dashboard
from search.views._display import leaderboard_table, print_status, studies_table
from search.views._note import save_study_note, study_note
from search.views._references import EXPERT, Reference, expert_trial, references
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
    "EXPERT",
    "DashboardServer",
    "Reference",
    "Report",
    "ReportFigure",
    "WatchNumbers",
    "describe_end",
    "expert_trial",
    "exposure_warning",
    "format_duration",
    "headline",
    "leaderboard_table",
    "make_dashboard",
    "print_status",
    "references",
    "save_study_note",
    "render_watch",
    "studies_table",
    "study_note",
    "watch_numbers",
    "watch_study",
    "write_report",
]
