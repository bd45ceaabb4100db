"""Looking at a study: tables, the live watch, the HTML report, the dashboard."""
