"""`plan --format html`: the plan for review as one self-contained page (inline CSS, no script) that prints well.

A Jinja2 template with autoescaping on: every runbook string reaches the
page as text. The Markdown form renders the same PlanView.
"""

from __future__ import annotations

from functools import cache

import jinja2

from runbook_tui.report.plan_md import render_plan_md
from runbook_tui.report.plan_view import PlanView, build_plan_view
from runbook_tui.runbook.model import Runbook
from runbook_tui.runbook.safe_text import visible


@cache
def _template() -> jinja2.Template:
    env = jinja2.Environment(
        loader=jinja2.PackageLoader("runbook_tui.report", "templates"),
        autoescape=True,
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )
    return env.get_template("plan.html.j2")


def render_plan_html(view: PlanView) -> str:
    return _template().render(v=view)


def render_plan(runbook: Runbook, fmt: str) -> str:
    """The plan for review as `md` or `html`; control characters shown, never obeyed by a terminal."""
    view = build_plan_view(runbook)
    return visible(render_plan_md(view) if fmt == "md" else render_plan_html(view))
