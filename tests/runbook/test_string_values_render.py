"""The format: "Every string value (not keys) is a Jinja2 template". Typed values written as templates render from the
parameters, as `timeout: "{{ t }}s"` and `retries: "{{ n }}"` did, and text values render as titles do.

Before: `expect.exit: "{{ code }}"`, `serial: "{{ batch }}"` and `max_fail: "{{ share }}"` were refused (`expected an exit
code 0-255 ..., got '{{ code }}'`); a panel's `unit: "{{ unit }}"` showed `{{ unit }}` on the panels; a secret's
`env: "PGPASSWORD_{{ cluster | upper }}"` looked for a variable named as written ("PGPASSWORD_{{ cluster | upper }} is not
set"), and `env: ""` was only found out at run time; `exit: []` was taken as `exit: 0`; `watch: "{{ pan }}"` and a
check's `panel: "{{ pan }}"` were an unknown panel `{{ pan }}` (while `on: "{{ host }}"` rendered).
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from helpers_runbook import at, errors, load

from runbook_tui.app.secrets import read_secrets
from runbook_tui.runbook.reach import SecretRef
from runbook_tui.runbook.symbolic import validate

TYPED = """\
runbook: 1
id: typed
title: T
params:
  code: {type: int, default: 3}
  batch: {type: int, required: true}
  share: {type: string, default: "50%"}
  unit: {type: string, default: ms}
  cluster: {type: string, default: main}
hosts:
  web: [{name: w1}, {name: w2}, {name: w3}, {name: w4}]
secrets:
  pw: {env: "PGPASSWORD_{{ cluster | upper }}"}
  ring: {keyring: {service: "pg-{{ cluster }}", username: "{{ cluster }}-admin"}}
metrics:
  source: {scrape: {url: "http://127.0.0.1:9100/metrics"}}
  panels:
    - {id: lag, query: lag_seconds, unit: "{{ unit }}"}
sections:
  - id: main
    steps:
      - id: one
        run: exit {{ code }}
        expect: {exit: "{{ code }}"}
      - id: two
        run: exit 0
        expect: {exit: [0, "{{ code + 1 }}"]}
      - id: waves
        on: web
        run: "true"
        serial: ["{{ batch }}", "{{ share }}"]
        max_fail: "{{ share }}"
"""


def test_typed_and_text_values_written_as_templates_render(write_runbook: Callable[..., Path]) -> None:
    path = write_runbook(TYPED)
    runbook = load(path, {"batch": "1"}).runbook
    one, two, waves = runbook.steps
    assert (one.expect.exit, two.expect.exit) == ((3,), (0, 4))
    assert (waves.serial, waves.max_fail) == ((1, "50%"), "50%")
    assert runbook.metrics is not None and runbook.metrics.panels[0].unit == "ms"
    pw, ring = runbook.secrets
    assert (pw.env, ring.keyring_service, ring.keyring_username) == ("PGPASSWORD_MAIN", "pg-main", "main-admin")
    assert load(path, {"batch": "2", "code": "7", "cluster": "b"}).runbook.steps[1].expect.exit == (0, 8)
    # without values, validate stands in for `batch` and every check still runs
    result = validate(path)
    assert result.ok and result.stand_ins == ("batch",), result.errors


def test_a_secret_env_rendered_from_params_is_the_variable_read(write_runbook: Callable[..., Path]) -> None:
    path = write_runbook(TYPED.replace('  ring: {keyring: {service: "pg-{{ cluster }}", username: "{{ cluster }}-admin"}}\n', ""))
    runbook = load(path, {"batch": "1", "cluster": "eu"}).runbook
    assert read_secrets(runbook, {"PGPASSWORD_EU": "s3cret-pw"}) == {"pw": "s3cret-pw"}


def test_what_a_typed_template_renders_to_is_checked_at_its_position(write_runbook: Callable[..., Path]) -> None:
    path = write_runbook(
        TYPED.replace('expect: {exit: "{{ code }}"}', 'expect: {exit: "{{ code * 100 }}"}')
        .replace('expect: {exit: [0, "{{ code + 1 }}"]}', "expect: {exit: []}")
        .replace('serial: ["{{ batch }}", "{{ share }}"]', 'serial: ["{{ share }}x"]')
        .replace('  pw: {env: "PGPASSWORD_{{ cluster | upper }}"}', '  pw: {env: "{{ share }}="}\n  empty: {env: ""}')
    )
    found = {at(d): d.message for d in errors(path, {"batch": "1"})}
    assert found == {
        (13, 13): "'env': expected the name of an environment variable, like PGPASSWORD, got '50%='",
        (14, 16): "'env': expected the name of an environment variable, like PGPASSWORD, got ''",
        (25, 24): "'exit': expected an exit code 0-255 or a list of them, got '300'",
        (28, 24): "'exit': an empty list; expected the exit codes that count as success (leave exit out for 0)",
        (32, 18): "'serial': expected a whole number of at least 1 or a percentage like \"25%\", got '50%x'",
    }


PANEL_REFS = """\
runbook: 1
id: refs
title: T
params:
  pan: {type: string, default: lag}
metrics:
  source: {scrape: {url: "http://127.0.0.1:9100/metrics"}}
  panels:
    - {id: lag, query: lag_seconds}
  success:
    - {panel: "{{ pan }}", below: 1}
sections:
  - id: main
    steps:
      - {id: w, wait: 1s, watch: "{{ pan }}"}
      - {id: r, run: "true", expect: {metric: {panel: "{{ pan }}", below: 1}}}
"""


def test_a_panel_named_by_a_template_renders_as_on_does(write_runbook: Callable[..., Path]) -> None:
    """Before: `watch: "{{ pan }}"` and a check's `panel: "{{ pan }}"` were `unknown panel '{{ pan }}'`."""
    path = write_runbook(PANEL_REFS)
    runbook = load(path).runbook
    wait, run = runbook.steps
    assert runbook.metrics is not None and runbook.metrics.success[0].panel == "lag"
    assert wait.watch == ("lag",) and run.expect.metric is not None and run.expect.metric.panel == "lag"
    found = {at(d): d.message for d in errors(path, {"pan": "p2"})}
    assert found == {pos: "unknown panel 'p2'; expected one of metrics.panels: lag" for pos in ((11, 15), (15, 34), (16, 55))}


def test_a_notify_secret_reference_renders_as_the_runbooks_secrets_do(write_runbook: Callable[..., Path]) -> None:
    """Before: `{env: "HOOK_{{ team | upper }}", prefix: "{{ scheme }} "}` was looked up and sent as written."""
    path = write_runbook(
        PANEL_REFS.replace("  pan: {type: string, default: lag}", "  pan: {type: string, default: lag}\n  team: {type: string, default: db}").replace(
            "sections:",
            'notify:\n  - {url: {env: "HOOK_{{ team | upper }}"}, headers: {Authorization: {env: "TOKEN_{{ team }}", prefix: "{{ team }} "}}}\nsections:',
        )
    )
    [target] = load(path).runbook.notify
    [(name, header)] = target.headers
    assert (target.shown_url, name) == ("env:HOOK_DB", "Authorization")
    assert isinstance(header, SecretRef) and (header.env, header.prefix) == ("TOKEN_db", "db ")
