"""`plan --format html`: the plan for review as one self-contained page (inline CSS, no script) that prints well.

A Jinja2 template with autoescaping on: every runbook string reaches the
page as text. The Markdown form renders the same PlanView.
"""

from __future__ import annotations

from runbook_tui.report.html import html_templates
from runbook_tui.report.plan_md import render_plan_md
from runbook_tui.report.plan_view import PlanView, build_plan_view
from runbook_tui.runbook.model import Runbook
from runbook_tui.runbook.safe_text import visible


def render_plan_html(view: PlanView) -> str:
    return html_templates().get_template("plan.html.j2").render(v=view)


def render_plan(runbook: Runbook, fmt: str) -> str:
    """The plan for review as `md` or `html`; control characters shown, never obeyed by a terminal."""
    view = build_plan_view(runbook)
    return visible(render_plan_md(view) if fmt == "md" else render_plan_html(view))
