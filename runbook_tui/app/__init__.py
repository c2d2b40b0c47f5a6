"""Building and driving a session: settings, secrets, notifications, preflight, practice, headless drivers.

Sits above execute/metrics/share/report/notify and below the UI: nothing here imports Textual.
"""
