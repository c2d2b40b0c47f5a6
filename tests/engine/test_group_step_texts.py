"""A text shown once for a step on several hosts (title, confirm, note, env) never names one host for all of them.

The spec renders `host` in every step string just before the step, and no `{{` survives rendering anywhere. For a
step on a group, its commands are rendered per host, but its title and its confirm are shown once. Until session 22
the title was rendered for the first host (`Restart nginx on web1`, for a step that restarts web1..web3: the
assignee, the verifier and the report read that only web1 was touched), and a confirm using `host` was shown as its
template at run time (`Restart {{ host.name }} now?  (cannot render yet: 'host' is undefined)`), in the dialog the
assignee acknowledges and in the journaled note. Now `host` there reads `⟨host.name⟩`, as `plan` says it, and a text
that renders the same on every host is shown rendered.
"""

from __future__ import annotations

import asyncio
import json
from pathlib import Path

import pytest

from runbook_tui.app.session import load, open_session

RUNBOOK = """\
runbook: 1
id: group-texts
title: Group texts
hosts:
  web:
    - {name: web1, address: 127.0.0.1, user: deploy}
    - {name: web2, address: 127.0.0.1, user: deploy}
    - {name: web3, address: 127.0.0.1, user: deploy}
  solo:
    - {name: db1, address: 127.0.0.1}
sections:
  - id: change
    title: Change
    kind: implement
    steps:
      - id: restart
        title: "Restart nginx on {{ host.name }}"
        on: web
        run: "echo restarting {{ host.name }}"
        undo: "echo undo {{ host.name }}"
        confirm: "Restart {{ host.name }} now? It drops connections."
        env: {TARGET: "{{ host.name }}", AS: "{{ host.user }}"}
      - {id: same, title: "As {{ host.user }} everywhere", on: web, run: "true", undo: "true"}
      - {id: one, title: "Vacuum {{ host.name }}", on: solo, run: "true", undo: "true"}
"""


def test_a_group_steps_title_and_confirm_say_host_in_words_and_a_single_host_is_named(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    (tmp_path / "none.yaml").touch()  # an empty settings file: the defaults
    monkeypatch.setenv("RUNBOOK_TUI_SETTINGS", str(tmp_path / "none.yaml"))
    monkeypatch.setenv("RUNBOOK_TUI_USER", "alice")
    path = tmp_path / "g.yaml"
    path.write_text(RUNBOOK, encoding="utf-8")
    journal = tmp_path / "j.jsonl"

    async def main() -> str:
        session = open_session(load(str(path), {}), journal=str(journal), solo="test")
        controller, alice = session.controller, session.actor
        refused = controller.run_current(alice)  # the confirm is asked first: nothing runs
        rendered = {step: controller.rendered_step(controller.runbook.step(step)) for step in ("same", "one")}
        await session.close()
        assert refused.detail == "Restart ⟨host.name⟩ now? It drops connections.", refused
        assert rendered["same"]["title"] == "As deploy everywhere", rendered  # the same on every host: rendered
        assert rendered["one"]["title"] == "Vacuum db1", rendered  # one host: named
        return refused.message

    message = asyncio.run(main())
    assert "{{" not in message, message
    [ready] = [e for e in map(json.loads, journal.read_text(encoding="utf-8").splitlines()) if e["type"] == "step_ready"]
    assert ready["title"] == "Restart nginx on ⟨host.name⟩", ready
    assert ready["confirm"] == "Restart ⟨host.name⟩ now? It drops connections.", ready
    assert ready["env"] == {"TARGET": "⟨host.name⟩", "AS": "deploy"}, ready
    assert ready["commands"] == {f"web{n}": f"echo restarting web{n}" for n in (1, 2, 3)}, ready  # per host, as they run
