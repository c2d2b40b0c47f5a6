"""`report JOURNAL`: the change record of one run, as Markdown, HTML or JSON, from the journal alone.

report = build_report(path)          # raises ReportError for an unreadable or tampered journal
text = render(report, "html")        # md, html or json
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Final

from runbook_tui.report import html, json_report, markdown
from runbook_tui.report.assemble import build_report
from runbook_tui.report.model import FORMAT, Report, ReportError
from runbook_tui.runbook.safe_text import visible

RENDERERS: Final[dict[str, Callable[[Report], str]]] = {"md": markdown.render, "html": html.render, "json": json_report.render}
FORMATS: Final = tuple(RENDERERS)

__all__ = ["FORMAT", "FORMATS", "Report", "ReportError", "build_report", "render"]


def render(report: Report, fmt: str = "md") -> str:
    """The report in one format: md, html or json.

    Markdown and HTML are read by people, often in a terminal (`cat`, `less -R`) long after the run: recorded output,
    titles and reasons show their control characters (`␛[2J`), never obey them, wherever the report is written. JSON
    is the exact record for machines (its escapes keep the bytes); the journal keeps them too."""
    text = RENDERERS[fmt](report)
    return text if fmt == "json" else visible(text)
