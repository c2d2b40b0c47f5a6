"""Starting points for new runbooks (`runbook-tui new`): one per common kind of change.

Each has prechecks, a backup checkpoint, the change with its undo,
verification, postchecks and a rollback section, and validates once its
placeholders are filled in (required parameters are stood in for by
`validate`). Lines marked EDIT are the author's to fill in: until the
ticket's placeholders and each `(EDIT)` are, validate refuses the file at
each (`placeholders.py`), so it cannot run as written.
"""

from __future__ import annotations

import json
import re

from runbook_tui.runbook.lean_dataclass import dataclass
from runbook_tui.runbook.scaffold_bodies import (
    CONFIG_EDIT,
    DATABASE_MIGRATION,
    KUBERNETES_ROLLOUT,
    PACKAGE_UPGRADE,
    ROLLING_RESTART,
)


@dataclass(frozen=True, slots=True)
class Kind:
    name: str
    label: str
    title: str  # a template: the runbook's title
    subject: str
    body: str  # params, hosts, metrics, sections


_TICKET = """\
ticket:
  id: CHG-0000                  # EDIT: the approved change
  subject: {subject}
  description: |
    EDIT: why this change, its scope and its impact.
  # window: {{start: "2026-11-23T02:00:00+09:00", end: "2026-11-23T04:00:00+09:00"}}   # EDIT: the approved window
  assignee: EDIT-assignee
  verifier: EDIT-verifier         # a different person (two-person rule)
  risk:
    level: medium                 # low | medium | high | critical
    summary: EDIT what could go wrong, and for whom.
    mitigations:
      - Prechecks stop the run before anything changes
      - A backup checkpoint; every change step has an undo
  success_criteria:
    - EDIT what "done" looks like, in words the change board reads
"""

KINDS = {
    kind.name: kind
    for kind in (
        Kind("config-edit", "config edit", "Config: {{ conf_file }} on the web tier", "Change {{ conf_file }}", CONFIG_EDIT),
        Kind("package-upgrade", "package upgrade", "Upgrade {{ package }} to {{ to_version }}", "Upgrade a package", PACKAGE_UPGRADE),
        Kind("database-migration", "database migration", "Migrate {{ database }}: {{ migration }}", "A schema migration", DATABASE_MIGRATION),
        Kind("rolling-restart", "rolling restart", "Rolling restart of {{ service }}", "Restart a service host by host", ROLLING_RESTART),
        Kind(
            "k8s-rollout", "Kubernetes rollout", "Roll out {{ image }} to {{ namespace }}/{{ deployment }}", "A new image for a Deployment", KUBERNETES_ROLLOUT
        ),
    )
}


def runbook_id(stem: str) -> str:
    """A runbook id from a file name: lowercase letters, digits and dashes."""
    return re.sub(r"-+", "-", re.sub(r"[^a-z0-9-]", "-", stem.lower())).strip("-") or "new-change"


def scaffold(kind: Kind, runbook: str, title: str | None = None, schema: str | None = None) -> str:
    """The runbook text: `schema`, when given, is the relative path of a runbook.schema.json for editors."""
    modeline = f"# yaml-language-server: $schema={schema}\n" if schema else ""
    heading = title if title is not None else kind.title
    return (
        f"{modeline}# A {kind.label}: made by `runbook-tui new --kind {kind.name}`. Fill in every EDIT, then\n"
        f"# `runbook-tui validate` this file and `runbook-tui plan --format md` it for review.\n"
        f"runbook: 1\nid: {runbook}\ntitle: {json.dumps(heading, ensure_ascii=False)}\n\n"
        + _TICKET.format(subject=json.dumps(kind.subject, ensure_ascii=False))
        + kind.body
    )
