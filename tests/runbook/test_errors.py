"""Validation errors: each one at the exact `FILE:LINE:COL` an editor jumps to, saying what was expected.

An author fixing a runbook at 5 PM relies on the position being right (line
AND column) and on every problem being reported in one pass.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from helpers_runbook import MINIMAL, at, cli_main, diagnostics, errors, load, only_error

# -- unknown keys ---------------------------------------------------------------------


def test_unknown_top_level_key_with_did_you_mean(write_runbook):
    path = write_runbook(
        """
        runbook: 1
        id: demo
        title: Demo
        tiket: {id: CHG-1}
        sections:
          - id: main
            steps:
              - id: hello
                run: echo hello
        """
    )
    err = only_error(path)
    assert at(err) == (4, 1)
    assert err.mark.file == str(path)
    assert "unknown key 'tiket'" in err.message
    assert "did you mean 'ticket'?" in err.message
    assert "expected one of:" in err.message and "sections" in err.message


def test_unknown_step_key_with_did_you_mean(write_runbook):
    path = write_runbook(
        """
        runbook: 1
        id: demo
        title: Demo
        sections:
          - id: main
            steps:
              - id: hello
                run: echo hello
                retires: 2
        """
    )
    err = only_error(path)
    assert at(err) == (9, 9)
    assert "unknown key 'retires'" in err.message
    assert "step 'hello'" in err.message
    assert "did you mean 'retries'?" in err.message


def test_unknown_key_without_a_close_match_lists_the_allowed_keys(write_runbook):
    path = write_runbook(MINIMAL + "        zzzzzz: 1\n")
    err = only_error(path)
    assert at(err) == (9, 9)
    assert "did you mean" not in err.message
    assert "expected one of:" in err.message and "undo" in err.message


@pytest.mark.parametrize(
    "text",
    [
        "apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: web}\nspec: {replicas: 3}\n",  # another tool's YAML
        "{}\n",
    ],
)
def test_yaml_that_is_no_runbook_at_all_is_one_line_saying_so(write_runbook, text):
    """Before: a Kubernetes manifest gave eight lines (four unknown keys, four missing ones), `kind` got "did you mean
    'id'?". A mapping with none of a runbook's keys is said to be no runbook, once, with what a runbook starts with."""
    path = write_runbook(text)
    err = only_error(path)
    assert at(err) == (1, 1)
    assert err.message == "not a runbook: no key at its top is a runbook's; expected 'runbook: 1', 'id:', 'title:', 'sections:' there"


def test_a_runbook_with_one_of_its_keys_still_gets_every_error_in_one_pass(write_runbook):
    path = write_runbook("id: demo\nkind: Deployment\n")
    messages = [d.message for d in errors(path)]
    assert any("unknown key 'kind'" in m for m in messages), messages
    assert any("missing the required key 'sections'" in m for m in messages), messages


# -- wrong types ----------------------------------------------------------------------


def test_retries_not_a_number(write_runbook):
    path = write_runbook(MINIMAL + "        retries: many\n")
    err = only_error(path)
    assert at(err) == (9, 18)
    assert "'retries': expected a whole number" in err.message
    assert "'many'" in err.message


def test_host_port_not_a_number(write_runbook):
    path = write_runbook(
        """
        runbook: 1
        id: demo
        title: Demo
        hosts:
          db:
            - {name: db1, address: 10.0.0.5}
            - name: db2
              port: x
        sections:
          - id: main
            steps:
              - id: hello
                on: db
                run: echo hello
        """
    )
    err = only_error(path)
    assert at(err) == (8, 13)
    assert "'port': expected a whole number" in err.message and "'x'" in err.message


# -- names in templates -----------------------------------------------------------------

TEMPLATE_NAMES = """
runbook: 1
id: demo
title: Demo
params:
  cluster: {type: string, default: pg-main}
secrets:
  token: {env: TOKEN}
sections:
  - id: main
    steps:
      - id: hello
        run: echo {{ %s }}
"""


@pytest.mark.parametrize(
    ("expr", "expected"),
    [
        ("clustr", ["undefined name 'clustr'", "expected a declared parameter (cluster)"]),
        ("params.clustr", ["undefined parameter 'params.clustr'", "expected one declared under params: (cluster)"]),
        ("secrets.tokn", ["undefined secret 'secrets.tokn'", "expected one declared under secrets: (token)"]),
    ],
    ids=["bare-name", "params.x", "secrets.x"],
)
def test_undefined_name_in_template(write_runbook, expr, expected):
    path = write_runbook(TEMPLATE_NAMES % expr)
    err = only_error(path)
    assert at(err) == (12, 14)  # where the string starts
    for part in expected:
        assert part in err.message


def test_declared_names_in_template_are_fine(write_runbook):
    path = write_runbook(TEMPLATE_NAMES % "cluster ~ params.cluster ~ secrets.token")
    assert load(path).runbook.step("hello").body is not None


def test_undefined_name_inside_block_scalar_points_at_its_line(write_runbook):
    path = write_runbook(
        """
        runbook: 1
        id: demo
        title: Demo
        sections:
          - id: main
            steps:
              - id: hello
                run: |
                  echo one
                    echo {{ nope }}
        """
    )
    err = only_error(path)
    assert at(err) == (10, 21)  # at the name: a `|` block's text maps 1:1 to the file after its indentation, and a
    # more-indented line keeps the rest of its own (before: 10:13, the line's start, where `>` gave the name)
    assert "undefined name 'nope'" in err.message


def test_a_line_of_a_quoted_or_folded_string_is_reported_at_that_string(write_runbook):
    """A template's second line is the file's next line only in a block scalar (`|`, `>`). Before, line 2 of
    `run: "echo a\\necho {{ nope }}"` was reported on the file's next line (another step), a blank line in a folded
    plain scalar moved the report up, and a shell problem far into a folded scalar got a column past its line's end."""
    path = write_runbook(
        """
        runbook: 1
        id: demo
        title: Demo
        params:
          x: {type: string, default: a}
        sections:
          - id: main
            steps:
              - {id: one, run: "echo a\\necho {{ nope }}"}
              - id: two
                title: "x\\ny\\nz {{ nope3 }}"
                run: "true"
              - id: three
                run: echo c
                  sh -c "echo {{ x }}"
              - id: four
                run: echo d

                  echo {{ nope5 }}
              - id: five
                run: |
                  echo e
                  echo {{ nope6 }}
              - {id: six, run: "echo \\"q\\" \\t\\u00e9 && sh -c \\"echo {{ x }}\\""}
              - {id: seven, run: 'echo ''q'' && sh -c "echo {{ x }}"'}
        """
    )
    found = [(at(d), d.message.split(";")[0]) for d in errors(path)]
    assert found == [
        ((9, 24), "undefined name 'nope'"),
        ((11, 16), "undefined name 'nope3'"),
        ((14, 14), "'sh -c' parses this value again as shell code"),
        ((19, 19), "undefined name 'nope5'"),  # the line it is written on, at the name (before: 17:14, the string's start)
        ((23, 19), "undefined name 'nope6'"),  # a block scalar's lines are the file's: exact, at the name
        ((24, 61), "'sh -c' parses this value again as shell code"),  # at `{{`: escapes are wider than what they write
        ((25, 53), "'sh -c' parses this value again as shell code"),  # (before: 24:52 and 25:51)
    ], found


@pytest.mark.parametrize(
    ("expr", "expected"),
    [
        ("captured.lag", "'captured' is only defined in a step's title, run, note, ask, undo, confirm, cwd, env and expect.stdout"),
        ("host.name", "'host' is only defined in a step's title, run, note, ask, undo, confirm, cwd, env and expect.stdout"),
    ],
)
def test_step_only_names_outside_a_step(write_runbook, expr, expected):
    path = write_runbook(MINIMAL.replace("title: Demo", f'title: "Demo {{{{ {expr} }}}}"') + "        capture: lag\n")
    err = only_error(path)
    assert at(err) == (3, 8)
    assert expected in err.message and err.message.endswith("; expected a value known when the runbook loads here")
    # a step's typed value is read at load too: the message no longer says "only inside steps" of a step's own key
    path.write_text(
        path.read_text().replace('title: "Demo', "title: Demo\n# ").replace("run: echo hello", f'run: echo hello\n        timeout: "{{{{ {expr} }}}}s"')
    )
    err = only_error(path)
    assert at(err) == (10, 18) and expected in err.message, err


def test_capture_declared_only_by_a_later_step(write_runbook):
    path = write_runbook(
        """
        runbook: 1
        id: demo
        title: Demo
        sections:
          - id: main
            steps:
              - id: use
                run: echo {{ captured.lag }}
              - id: measure
                run: echo 0.1
                capture: lag
        """
    )
    err = only_error(path)
    assert at(err) == (8, 14)
    assert "captured.lag" in err.message
    assert "later step 'measure'" in err.message
    assert "expected a capture of an earlier step" in err.message


def test_ticket_used_before_it_is_read_says_so(write_runbook):
    """The ticket renders after params, secrets and hosts, and not from itself. Before, `{{ ticket.id }}` in a
    parameter's default or a secret's source said "this runbook has no ticket" (it had one), and in a host's address
    or the ticket's own subject "cannot render template: 'ticket' is undefined; expected only fields the values
    have"."""
    path = write_runbook(
        """
        runbook: 1
        id: demo
        title: "Demo {{ ticket.id }}"
        ticket: {id: CHG-1, subject: "about {{ ticket.id }}"}
        params:
          x: {type: string, default: "{{ ticket.id }}"}
        secrets:
          s: {env: "TOKEN_{{ ticket.id }}"}
        hosts:
          g: [{name: h, address: "{{ ticket.id }}.example"}]
        sections:
          - id: main
            steps:
              - {id: a, run: "echo {{ ticket.id }} {{ x }}", on: g}
        """
    )
    said = "'ticket' is not known here: the ticket renders after params, secrets and hosts, and cannot refer to itself; expected a parameter or plain text here"
    found = sorted((at(d), d.message) for d in errors(path))
    assert found == [((4, 30), said), ((6, 30), said), ((8, 12), said), ((10, 26), said)], found


def test_a_capture_of_an_earlier_refused_step_is_not_called_a_later_one(write_runbook):
    """An earlier step whose capture name is invalid, or which is itself refused, does not make its capture 'declared
    only by a later step': before, `capture: my-cap` on step 'a' and `{{ captured["my-cap"] }}` in step 'b' said
    "is declared only by a later step 'a' (line 8)", naming the step above it as a later one."""
    path = write_runbook(
        """
        runbook: 1
        id: demo
        title: Demo
        sections:
          - id: main
            steps:
              - {id: a, run: "true", capture: my-cap}
              - {id: b, run: 'echo {{ captured["my-cap"] }}'}
              - {id: c, run: "true", note: two kinds, capture: x}
              - {id: d, run: "echo {{ captured.x }}"}
        """
    )
    found = [(at(d), d.message) for d in errors(path)]
    assert found[1:] == [
        ((8, 22), "capture 'captured.my-cap' is declared by step 'a' (line 7), which is refused above; expected that step fixed"),
        ((9, 30), "step 'c': expected exactly one of run, note, wait, ask; got run, note"),
        ((10, 22), "capture 'captured.x' is declared by step 'c' (line 9), which is refused above; expected that step fixed"),
    ], found
    assert "capture name like lag" in found[0][1] and found[0][0] == (7, 39), found
    assert not any("later step" in message for _, message in found), found


def test_a_capture_of_a_rollback_section_is_not_one_the_change_can_use(write_runbook):
    """A rollback section runs only in a full rollback: its step's capture has no value when the change's steps run.
    Before, `validate` passed `{{ captured.c }}` in an implement step after it, and the run failed at that step with
    "cannot render template: 'dict object' has no attribute 'c'". A later rollback step may use it."""
    path = write_runbook(
        """
        runbook: 1
        id: demo
        title: Demo
        sections:
          - id: revert
            kind: rollback
            steps:
              - {id: r1, run: "echo old", capture: c}
              - {id: r2, run: "echo {{ captured.c }}"}
          - id: main
            steps:
              - {id: a, run: "echo {{ captured.c }}", undo: "true"}
        """
    )
    found = [(at(d), d.message) for d in errors(path)]
    assert found == [
        (
            (12, 22),
            "capture 'captured.c' is declared by step 'r1' (line 8) of a rollback section, which runs only in a full rollback;"
            " expected a capture of an earlier step the change runs",
        ),
    ], found


def test_capture_never_declared(write_runbook):
    path = write_runbook(
        """
        runbook: 1
        id: demo
        title: Demo
        sections:
          - id: main
            steps:
              - id: measure
                run: echo 0.1
                capture: lag
              - id: use
                run: echo {{ captured.lga }}
        """
    )
    err = only_error(path)
    assert at(err) == (11, 14)
    assert "undefined capture 'captured.lga'" in err.message
    assert "expected one declared with capture: by an earlier step (lag)" in err.message


def test_capture_of_an_earlier_step_is_fine(write_runbook):
    path = write_runbook(
        """
        runbook: 1
        id: demo
        title: Demo
        sections:
          - id: first
            steps:
              - id: measure
                run: echo 0.1
                capture: lag
          - id: second
            steps:
              - id: use
                run: echo {{ captured.lag }}
        """
    )
    assert load(path).runbook.step("use").body.lazy


def test_undo_may_use_the_capture_of_its_own_step(write_runbook):
    # The undo runs after its step ran, so the step's capture exists by then
    # (`run: mktemp -d` / `capture: dir` / `undo: rm -r {{ captured.dir }}`).
    path = write_runbook(
        """
        runbook: 1
        id: demo
        title: Demo
        sections:
          - id: main
            steps:
              - id: scratch
                run: mktemp -d
                capture: dir
                undo: rm -r {{ captured.dir }}
        """
    )
    assert load(path).runbook.step("scratch").undo.lazy


# -- unknown references ------------------------------------------------------------------


def test_unknown_host_group_in_on(write_runbook):
    path = write_runbook(
        """
        runbook: 1
        id: demo
        title: Demo
        hosts:
          db:
            - {name: db1}
        sections:
          - id: main
            steps:
              - id: hello
                on: dbs
                run: echo hello
        """
    )
    err = only_error(path)
    assert at(err) == (11, 13)
    assert "unknown host or group 'dbs'" in err.message
    assert "expected local or one of: db, db1" in err.message


PANELS = """
runbook: 1
id: demo
title: Demo
metrics:
  source: {scrape: {url: "http://127.0.0.1:9100/metrics"}}
  panels:
    - {id: p99, query: latency}
  success:
    - {panel: %s, below: 250}
sections:
  - id: main
    steps:
      - id: pause
        wait: 1m
        watch: [p99, %s]
      - id: check
        run: "true"
        expect:
          metric: {panel: %s, below: 250}
"""


@pytest.mark.parametrize(
    ("names", "where"),
    [
        (("p99", "p50", "p99"), (15, 22)),  # watch: [p99, p50]
        (("p99", "p99", "p50"), (19, 27)),  # expect.metric.panel
        (("p50", "p99", "p99"), (9, 15)),  # metrics.success[].panel
    ],
    ids=["watch", "expect.metric", "metrics.success"],
)
def test_unknown_panel(write_runbook, names, where):
    path = write_runbook(PANELS % names)
    err = only_error(path)
    assert at(err) == where
    assert "unknown panel 'p50'" in err.message
    assert "expected one of metrics.panels: p99" in err.message


# -- duplicates ----------------------------------------------------------------------------


def test_duplicate_step_id(write_runbook):
    path = write_runbook(
        """
        runbook: 1
        id: demo
        title: Demo
        sections:
          - id: one
            steps:
              - id: a
                run: echo 1
          - id: two
            steps:
              - id: a
                run: echo 2
        """
    )
    err = only_error(path)
    assert at(err) == (11, 13)
    assert "duplicate step id 'a' (first at line 7)" in err.message
    assert "expected a unique id" in err.message


def test_duplicate_section_id(write_runbook):
    path = write_runbook(
        """
        runbook: 1
        id: demo
        title: Demo
        sections:
          - id: main
            steps:
              - id: a
                run: echo 1
          - id: main
            steps:
              - id: b
                run: echo 2
        """
    )
    err = only_error(path)
    assert at(err) == (9, 9)  # at the id, as a step's (before: at the item's start, 9:5)
    assert "duplicate section id 'main' (first at line 5)" in err.message


def test_duplicate_panel_id(write_runbook):
    path = write_runbook(
        """
        runbook: 1
        id: demo
        title: Demo
        metrics:
          source: {scrape: {url: "http://127.0.0.1:9100/metrics"}}
          panels:
            - {id: p99, query: latency}
            - query: other
              id: p99
        sections:
          - id: main
            steps:
              - id: a
                run: echo 1
        """
    )
    err = only_error(path)
    assert at(err) == (9, 11)  # at the id, as a step's (before: at the item's start, 8:7, the line of its first key)
    assert "duplicate panel id 'p99' (first at line 7)" in err.message


def test_duplicate_yaml_key(write_runbook):
    path = write_runbook(
        """
        runbook: 1
        id: demo
        title: Demo
        sections:
          - id: main
            steps:
              - id: a
                run: echo 1
                run: echo 2
        """
    )
    err = only_error(path)
    assert at(err) == (9, 9)
    assert "duplicate key 'run' (first at line 8)" in err.message


# -- values ------------------------------------------------------------------------------------


@pytest.mark.parametrize("key", ["timeout", "retry_delay"])
def test_bad_duration(write_runbook, key):
    path = write_runbook(MINIMAL + f"        {key}: 5x\n")
    err = only_error(path)
    assert at(err) == (9, 11 + len(key))
    assert f"'{key}': expected a duration like 30s, 5m, 1h30m or a number of seconds" in err.message
    assert "'5x'" in err.message


@pytest.mark.parametrize("value", [".inf", ".nan"])
def test_non_finite_duration(write_runbook, value):
    path = write_runbook(MINIMAL + f"        timeout: {value}\n")
    err = only_error(path)
    assert at(err) == (9, 18)
    assert "'timeout': expected" in err.message


def test_bad_wait_duration(write_runbook):
    path = write_runbook(MINIMAL.replace("run: echo hello", "wait: soon"))
    err = only_error(path)
    assert at(err) == (8, 15)
    assert "'wait': expected a duration" in err.message


@pytest.mark.parametrize(
    ("line", "expected"),
    [
        ("        timeout:", "'timeout': expected a duration like 30s"),
        ("        checkpoint:", "'checkpoint': expected true or false"),
        ("        retries: ~", "'retries': expected a whole number"),
        ("        verify: null", "'verify': expected one of after, before, both, none, per_wave"),
        ("        sudo:", "'sudo': expected true or false"),
    ],
)
def test_a_key_written_without_a_value_is_an_error_not_the_default(write_runbook, line, expected):
    """`timeout:` or `checkpoint:` with the value left out silently meant no timeout, no checkpoint (a safety check
    dropped without a word); now it is refused where the value is missing."""
    path = write_runbook(MINIMAL + line + "\n")
    err = only_error(path)
    key = line.split(":")[0].strip()
    assert at(err) == (9, 9 + len(key) + 1 + (line.rstrip().endswith(":") is False))
    assert expected in err.message and "got nothing (null)" in err.message


@pytest.mark.parametrize(
    ("line", "expected"),
    [
        ('run: ""', "'run' is empty; expected a shell command"),
        ("run: '   '", "'run' is empty; expected a shell command"),
        ('note: ""', "'note' is empty; expected the instruction the assignee follows"),
        ("ask: ' '", "'ask' is empty; expected the question the assignee answers"),
    ],
)
def test_a_step_whose_text_is_written_empty_is_refused(write_runbook, line, expected):
    """`run: ""` validated and ran as done having run nothing (exit 0 of an empty `sh -c`); a blank note or question
    asked the assignee nothing."""
    path = write_runbook(MINIMAL.replace("run: echo hello", line))
    err = only_error(path)
    assert at(err) == (8, 9 + len(line.split(":")[0]) + 2)
    assert err.message == expected
    assert cli_main(["validate", str(path)]) == 2


def test_an_empty_cwd_is_refused_and_an_empty_undo_or_confirm_warned_of(write_runbook):
    path = write_runbook(MINIMAL + "        cwd: ''\n")
    err = only_error(path)
    assert (at(err), err.message) == ((9, 14), "'cwd' is empty; expected a directory, or cwd left out")
    path = write_runbook(MINIMAL + "        undo: ''\n        confirm: ' '\n")
    warnings = load(path).warnings
    assert [(at(w), w.message.split(";")[0]) for w in warnings] == [((9, 15), "'undo' is empty"), ((10, 18), "'confirm' is empty")]


def test_a_wait_step_without_its_duration_is_an_error_not_a_wait_of_0s(write_runbook):
    path = write_runbook(MINIMAL.replace("run: echo hello", "wait:"))
    err = only_error(path)
    assert at(err) == (8, 14)
    assert "'wait': expected a duration like 30s, 5m, 1h30m or a number of seconds, got nothing (null)" in err.message


def test_a_guard_without_its_value_is_an_error_not_no_guard(write_runbook):
    path = write_runbook(
        """
        runbook: 1
        id: demo
        title: Demo
        metrics:
          source: {prometheus: {url: "http://prometheus:9090"}}
          panels:
            - {id: p99, query: up, critical: , for: 30s, on_critical: rollback}
        sections:
          - id: main
            steps:
              - {id: a, run: echo 1}
        """
    )
    err = only_error(path)
    assert at(err) == (7, 38)  # where the value is missing
    assert "'critical': expected a number, got nothing (null)" in err.message


TICKET = """
runbook: 1
id: demo
title: Demo
ticket:
  id: CHG-1
  window:
    start: %s
    end: 2026-11-23T04:00:00+09:00
  assignee: alice
  verifier: %s
sections:
  - id: main
    steps:
      - id: a
        run: echo 1
"""


def test_assignee_is_verifier(write_runbook):
    path = write_runbook(TICKET % ("2026-11-23T02:00:00+09:00", "alice"))
    err = only_error(path)
    assert at(err) == (10, 13)
    assert "verifier 'alice' is also the assignee" in err.message
    assert "expected a different person" in err.message


@pytest.mark.parametrize(("written", "shown"), [("Alice", "'Alice'"), ("' alice '", "' alice '"), ('"alice\\u200b"', "'alice\\u200b'")])
def test_a_verifier_who_is_the_assignee_written_otherwise_is_refused(write_runbook, written, shown):
    """`assignee: alice` with `verifier: Alice` (or with a space, or a zero-width one) passed the two-person rule:
    only the exact same text was refused."""
    path = write_runbook(TICKET % ("2026-11-23T02:00:00+09:00", written))
    err = only_error(path)
    assert at(err) == (10, 13)
    assert err.message == (
        f"verifier {shown} is the assignee 'alice' (the names differ only in case, spaces or invisible characters); "
        "expected a different person (two-person rule)"
    )
    path = write_runbook(TICKET % ("2026-11-23T02:00:00+09:00", "alicia"))
    load(path)  # a different person: the control case


def test_window_time_without_offset(write_runbook):
    path = write_runbook(TICKET % ("2026-11-23T02:00:00", "bob"))
    err = only_error(path)
    assert at(err) == (7, 12)
    assert "window start: expected an ISO 8601 time with an offset" in err.message
    assert "'2026-11-23T02:00:00'" in err.message


def test_valid_ticket_loads(write_runbook):
    path = write_runbook(TICKET % ("2026-11-23T02:00:00+09:00", "bob"))
    ticket = load(path).runbook.ticket
    assert (ticket.window_start, ticket.assignee, ticket.verifier) == ("2026-11-23T02:00:00+09:00", "alice", "bob")


# -- steps -------------------------------------------------------------------------------------


def test_step_with_two_kinds(write_runbook):
    path = write_runbook(MINIMAL + "        note: and also this\n")
    err = only_error(path)
    assert at(err) == (9, 9)  # the second kind
    assert "step 'hello': expected exactly one of run, note, wait, ask; got run, note" in err.message


def test_step_with_no_kind(write_runbook):
    path = write_runbook(MINIMAL.replace("        run: echo hello\n", "        title: nothing to do\n"))
    err = only_error(path)
    assert at(err) == (7, 9)
    assert "step 'hello': expected exactly one of run, note, wait, ask; got none" in err.message


# -- top level ---------------------------------------------------------------------------------


def test_unsupported_format_version(write_runbook):
    path = write_runbook(MINIMAL.replace("runbook: 1", "runbook: 2"))
    err = only_error(path)
    assert at(err) == (1, 10)
    assert "unsupported format version 2; expected runbook: 1" in err.message


@pytest.mark.parametrize("key", ["runbook", "id", "title", "sections"])
def test_missing_required_top_level_key(write_runbook, key):
    kept = [line for line in MINIMAL.splitlines(keepends=True) if not line.startswith(f"{key}:")]
    if key == "sections":
        kept = kept[:3]
    path = write_runbook("# a comment first\n" + "".join(kept))
    err = only_error(path)
    assert at(err) == (2, 1)  # the runbook mapping starts after the comment
    assert f"the runbook is missing the required key '{key}'" in err.message


# -- broken YAML ---------------------------------------------------------------------------------


@pytest.mark.parametrize("quote", ['"', "'"])
def test_yaml_unclosed_quote_points_at_the_quote(write_runbook, quote):
    path = write_runbook(MINIMAL.replace("title: Demo", f"title: {quote}Demo"))
    err = only_error(path)
    assert "invalid YAML" in err.message
    assert "quote" in err.message
    assert at(err) == (3, 8)


def test_yaml_bad_indentation(write_runbook):
    path = write_runbook(MINIMAL + "       title: one space too far\n")
    err = only_error(path)
    assert at(err) == (9, 8)
    assert "invalid YAML" in err.message
    assert "expected '-' indicator" in err.message


def test_yaml_key_indented_under_a_scalar(write_runbook):
    path = write_runbook(MINIMAL.replace("sections:", " sections:"))
    err = only_error(path)
    assert at(err) == (4, 10)
    assert "invalid YAML: mapping values are not allowed" in err.message


# -- many at once, and the command line -----------------------------------------------------------

THREE_ERRORS = """
runbook: 1
id: demo
title: Demo
hosts:
  db: [{name: db1}]
sections:
  - id: main
    steps:
      - id: hello
        run: echo hello
        retries: many
        on: dbs
owner: alice
"""


def test_every_error_reported_at_once_sorted_by_line(write_runbook):
    path = write_runbook(THREE_ERRORS)
    found = errors(path)
    assert [at(d) for d in found] == [(11, 18), (12, 13), (13, 1)]
    assert "'retries'" in found[0].message
    assert "'dbs'" in found[1].message
    assert "unknown key 'owner'" in found[2].message
    assert diagnostics(path) == found  # no warnings here


def test_cli_validate_invalid_exits_2_with_positions_on_stderr(write_runbook, capsys):
    path = write_runbook(THREE_ERRORS)
    assert cli_main(["validate", str(path)]) == 2
    out, err = capsys.readouterr()
    lines = err.splitlines()
    assert len(lines) == 3
    for line, (row, col) in zip(lines, [(11, 18), (12, 13), (13, 1)]):
        assert line.startswith(f"{path}:{row}:{col}: ")
    assert "ok" not in out


def test_every_command_prints_a_runbooks_errors_as_validate_does(write_runbook, capsys, tmp_path):
    """`FILE:LINE:COL: message` at the start of every line, one line per problem. Before, exec and rehearse put
    `runbook-tui: ` before the first line only, and exec, rehearse and preflight printed a newline in a message
    (a key written "x\\nother.yaml:1:1: all good") as a line of its own, which read as another file's verdict."""
    path = write_runbook(THREE_ERRORS.replace("owner:", '"x\\nforged.yaml:1:1: all good":'))
    assert cli_main(["validate", str(path)]) == 2
    said = capsys.readouterr().err
    assert len(said.splitlines()) == 3 and "'x⏎forged.yaml:1:1: all good'" in said, said
    for argv in (["plan"], ["exec", "--solo", "t", "--journal", str(tmp_path / "j.jsonl")], ["rehearse", "--yes"], ["preflight"]):
        assert cli_main([argv[0], str(path), *argv[1:]]) == 2, argv
        assert capsys.readouterr().err == said, argv
    assert not (tmp_path / "j.jsonl").exists()


def test_cli_validate_valid_exits_0(write_runbook, capsys):
    path = write_runbook(MINIMAL)
    assert cli_main(["validate", str(path)]) == 0
    out, err = capsys.readouterr()
    assert err == ""
    assert f"{path}: ok" in out


def test_cli_validate_several_files_one_invalid_exits_2(write_runbook, capsys):
    good = write_runbook(MINIMAL, "good.yaml")
    bad = write_runbook(MINIMAL.replace("runbook: 1", "runbook: 2"), "bad.yaml")
    assert cli_main(["validate", str(good), str(bad)]) == 2
    out, err = capsys.readouterr()
    assert f"{good}: ok" in out
    assert err.startswith(f"{bad}:1:10: ")


def test_cli_validate_several_files_with_a_parameter_none_declares_exits_2(write_runbook, capsys):
    """With several files a -p meant for one is no error for the others; one that none declares (a typo: `-p
    to_verison=15.6`) was dropped silently and every file said ok, exit 0. With one file it is an error (exit 2)."""
    first = write_runbook(MINIMAL.replace("title: Demo", "title: Demo\nparams:\n  to_version: {type: string, default: '15.4'}"), "a.yaml")
    second = write_runbook(MINIMAL.replace("title: Demo", "title: Demo\nparams:\n  count: {type: int, default: 1}"), "b.yaml")
    assert cli_main(["validate", str(first), str(second), "-p", "to_verison=15.6", "-p", "count=2"]) == 2
    out, err = capsys.readouterr()
    assert f"{first}: ok" in out and f"{second}: ok" in out
    assert (
        err
        == "runbook-tui: -p to_verison: none of the 2 runbooks declares a parameter 'to_verison'; expected one of: count, to_version; did you mean 'to_version'?\n"
    ), err
    assert cli_main(["validate", str(first), str(second), "-p", "to_version=15.6", "-p", "count=2"]) == 0


def test_raw_is_a_warning_for_each_use_and_still_valid(write_runbook, capsys):
    path = write_runbook(
        """
        runbook: 1
        id: demo
        title: Demo
        params:
          flags: {type: string, default: "-v -x"}
        sections:
          - id: main
            steps:
              - id: a
                run: tool {{ flags | raw }} {{ flags | raw }}
                undo: untool {{ flags | raw }}
        """
    )
    warnings = load(path).warnings
    assert [(d.severity, at(d)) for d in warnings] == [("warning", (10, 14)), ("warning", (10, 14)), ("warning", (11, 15))]
    assert cli_main(["validate", str(path)]) == 0
    out, err = capsys.readouterr()
    lines = err.splitlines()
    assert len(lines) == 3
    assert all(re.match(rf"{re.escape(str(path))}:\d+:\d+: warning: .*raw", line) for line in lines)
    assert "3 warnings" in out


@pytest.mark.parametrize("text", ['\r"', 'runbook: 1\rid: x\rtitle: "never closed\r'])
def test_a_quote_never_closed_after_a_lone_carriage_return_is_a_position_not_a_traceback(tmp_path: Path, text: str) -> None:
    """YAML ends a line at a lone CR: the hint for an unclosed quote counted lines by LF only and raised
    IndexError on `\\r"` (found by the fuzz test). Now the error names the quote's line, counted as YAML counts it."""
    path = tmp_path / "r.yaml"
    path.write_bytes(text.encode("utf-8"))
    error = only_error(path)
    assert "never closed" in error.message or "not closed" in error.message, error.message
    assert at(error)[0] >= 1, at(error)


@pytest.mark.parametrize("value", ["1m1m", "30s5m"])
def test_a_duration_with_a_repeated_or_out_of_order_unit_is_refused_at_its_value(write_runbook, value):
    path = write_runbook(MINIMAL + f"        timeout: {value}\n")
    err = only_error(path)
    assert at(err) == (9, 18)
    assert f"'timeout': expected a duration like 30s, 5m, 1h30m (each unit once, largest first) or a number of seconds, got '{value}'" in err.message


def test_a_source_written_wrong_is_not_also_called_missing(write_runbook):
    """`source:` with both prometheus and scrape was reported twice, once as 'metrics has panels but no source' at
    `metrics:`, which sent the author looking for a source they had written."""
    path = write_runbook(
        """
        runbook: 1
        id: demo
        title: Demo
        metrics:
          source:
            prometheus: {url: "http://prometheus:9090"}
            scrape: {url: "http://127.0.0.1:9100/metrics"}
          panels:
            - {id: p99, query: up}
        sections:
          - id: main
            steps:
              - {id: a, run: echo 1}
        """
    )
    err = only_error(path)
    assert (at(err), err.message) == ((6, 5), "metrics source: expected exactly one of prometheus: {url, token} or scrape: {url}")
    text = path.read_text()
    path.write_text(text[: text.index("  source:")] + text[text.index("  panels:") :])  # no source at all: said at metrics
    err = only_error(path)
    assert (at(err), err.message) == ((5, 3), "metrics has panels but no source; expected source: {prometheus: {url}} or {scrape: {url}}")


@pytest.mark.parametrize("written", ["sé", "-a", ".x", "a b"])
def test_an_id_refused_says_which_characters_it_takes(write_runbook, written):
    """'expected a step id (letters, digits, -, _, .), got 'sé'' read as a contradiction (é is a letter), and '-a'
    is made of the characters listed; the message names ASCII and the first character's rule."""
    path = write_runbook(MINIMAL.replace("id: hello", f"id: '{written}'"))
    err = only_error(path)
    assert at(err) == (7, 13)
    assert err.message == f"'id': expected a step id (ASCII letters and digits, then also -, _ or .), got '{written}'"


def test_a_word_yaml_reads_as_a_boolean_is_named_as_written(write_runbook):
    """`title: yes` was refused as `got true (a boolean)` and a host `name: no` as `got false`: words the author never
    wrote (YAML 1.1 reads yes/no/on/off as booleans). The message names the word, why, and the fix."""
    path = write_runbook(MINIMAL.replace("title: Demo", "title: yes").replace("run: echo hello", "run: echo hello\n        cwd: off"))
    found = {at(e): e.message for e in errors(path)}
    assert found == {
        (3, 8): "'title': expected a string, got yes, which YAML reads as true (a boolean); for the text, quote it: 'yes'",
        (9, 14): "'cwd': expected a string, got off, which YAML reads as false (a boolean); for the text, quote it: 'off'",
    }
    assert only_error(write_runbook(MINIMAL.replace("title: Demo", "title: true"))).message == "'title': expected a string, got true (a boolean)"


def test_a_runbook_of_rollback_sections_only_is_refused(write_runbook):
    """The format: sections are required, with at least one step. A runbook whose every section is `kind: rollback`
    validated (`ok (1 step)`), and exec ran nothing and ended `done`: those steps run only in a full rollback."""
    path = write_runbook(MINIMAL.replace("  - id: main\n", "  - id: main\n    kind: rollback\n"))
    err = only_error(path)
    assert at(err) == (5, 3)
    assert err.message == "every section is a rollback section, which runs only in a full rollback; expected at least one step the change runs"
    more = MINIMAL + "  - id: back\n    kind: rollback\n    steps:\n      - {id: restore, run: echo restore}\n"
    assert [s.kind for s in load(write_runbook(more)).runbook.sections] == ["implement", "rollback"]


@pytest.mark.parametrize("written", ['""', "'   '"])
def test_a_blank_title_is_refused_like_a_missing_one(write_runbook, written):
    """`title` is required; `title: ""` validated and the plan's header read '    [demo]' (blank) or fell back to the
    id, so the change had no name on the screen, in the journal or the report."""
    path = write_runbook(MINIMAL.replace("title: Demo", f"title: {written}"))
    err = only_error(path)
    assert (at(err), err.message) == ((3, 8), "'title' is empty; expected what this change does, as people will read it")


def test_a_name_undefined_twice_in_one_string_is_said_once(write_runbook):
    """`run: "echo {{ i }} {{ i }}"` printed the same `FILE:LINE:COL: undefined name 'i'` line twice (and a loop
    variable used after its loop too); each problem is said once per place."""
    path = write_runbook(MINIMAL.replace("run: echo hello", 'run: "echo {{ i }} {{ params.x }} {{ i }} {{ params.x }}"'))
    found = [(at(e), e.message.split(";")[0]) for e in errors(path)]
    assert sorted(found) == [((8, 14), "undefined name 'i'"), ((8, 14), "undefined parameter 'params.x'")]
    path = write_runbook(MINIMAL.replace("run: echo hello", "run: |\n          echo {{ i }}\n          echo {{ i }}"))
    assert [at(e) for e in errors(path)] == [(9, 19), (10, 19)]  # two lines of a block: two places, each at the name


@pytest.mark.parametrize("written", ['""', "'  '", '"\\u200b"'])
def test_a_blank_assignee_or_verifier_is_refused(write_runbook, written):
    """`verifier: ""` validated and the plan read `verifier ?` (a blank, or only a zero-width space, read as nobody);
    the ticket names who executes and who confirms, and a blank names no one."""
    path = write_runbook(TICKET % ("2026-11-23T02:00:00+09:00", written))
    err = only_error(path)
    assert (at(err), err.message) == ((10, 13), "ticket 'verifier' is empty; expected who confirms (a person's name), or the key left out")
    path = write_runbook(TICKET.replace("assignee: alice", f"assignee: {written}") % ("2026-11-23T02:00:00+09:00", "bob"))
    err = only_error(path)
    assert (at(err), err.message) == ((9, 13), "ticket 'assignee' is empty; expected who executes (a person's name), or the key left out")


@pytest.mark.parametrize("written", ['""', "' '"])
def test_a_blank_ticket_id_is_refused_like_a_missing_one(write_runbook, written):
    """`ticket: {id: ""}` validated: the plan read 'ticket' with nothing after it and the journal said there was a
    ticket (no_ticket false) with no id to find it by."""
    path = write_runbook(TICKET.replace("id: CHG-1", f"id: {written}") % ("2026-11-23T02:00:00+09:00", "bob"))
    err = only_error(path)
    assert (at(err), err.message) == ((5, 7), "ticket 'id' is empty; expected the change ticket's id, like CHG-2041")


@pytest.mark.parametrize("source", ['{prometheus: {url: "http://prometheus:9090"}}', '{scrape: {url: "http://127.0.0.1:9100/metrics"}}'])
def test_a_blank_panel_query_is_refused_once(write_runbook, source):
    """With Prometheus, `query: ""` validated and every poll answered 'empty query': a guard blind all night; with the
    scrape source it was refused in the scrape query's words only."""
    path = write_runbook(
        f"""
        runbook: 1
        id: demo
        title: Demo
        metrics:
          source: {source}
          panels:
            - {{id: p99, query: "  ", critical: 1}}
        sections:
          - id: main
            steps:
              - {{id: a, run: echo 1, expect: {{metric: {{panel: p99, below: 1}}}}}}
        """
    )
    err = only_error(path)
    assert (at(err), err.message) == ((7, 24), "'query' is empty; expected a PromQL expression (with the scrape source: a metric name)")


def test_a_blank_keyring_service_or_username_is_refused(write_runbook):
    """`keyring: {service: "", username: " "}` validated; the run then stopped at its start, 'nothing stored'."""
    path = write_runbook(MINIMAL.replace("sections:", 'secrets:\n  k: {keyring: {service: "", username: " "}}\nsections:'))
    found = [(at(e), e.message) for e in errors(path)]
    assert found == [
        ((5, 26), "keyring 'service' is empty; expected the service the value is stored under"),
        ((5, 40), "keyring 'username' is empty; expected the username the value is stored under"),
    ]


def test_a_problem_in_a_folded_block_is_reported_at_its_own_line_and_column(write_runbook):
    """`run: >` folds its lines: line N of the string is not the file's line N after the `>` (as it is for `|`). Before,
    `two {{ x }}` was reported on `echo one` (the string's line 1), and a shell problem on the 4th file line of a
    folded line at a column past the end of the first."""
    path = write_runbook(
        """
        runbook: 1
        id: demo
        title: Demo
        params:
          p: {type: string, default: a}
        sections:
          - id: main
            steps:
              - id: one
                run: >-
                  echo one
                  two

                  three {{ x1 }}
                    more {{ x2 }}
                  back
                  and {{ params.x3 }} then
              - id: two
                run: >
                  echo a
                  b
                  sh -c "echo {{ p }}"
        """
    )
    found = [(at(d), d.message.split(";")[0]) for d in errors(path)]
    assert found == [
        ((14, 20), "undefined name 'x1'"),
        ((15, 21), "undefined name 'x2'"),
        ((17, 18), "undefined parameter 'params.x3'"),
        ((22, 23), "'sh -c' parses this value again as shell code"),
    ], found


def test_a_template_that_cannot_render_says_what_was_expected(write_runbook):
    """`{{ ticket.risk.level }}` with no risk in the ticket said `cannot render template: 'None' has no attribute
    'level'`, and `{{ 1 // 0 }}` only Python's words: every error says what was expected."""
    path = write_runbook(
        """
        runbook: 1
        id: demo
        title: "{{ 1 // 0 }}"
        ticket: {id: CHG-1}
        sections:
          - id: main
            steps:
              - {id: a, run: "echo {{ ticket.risk.level }}"}
        """
    )
    found = [(at(d), d.message) for d in errors(path)]
    assert found == [
        ((3, 8), "cannot render template: integer division or modulo by zero; expected only fields the values have and operations that work on them"),
        ((8, 22), "cannot render template: the ticket has no 'risk'; expected risk: in the ticket, or a test first: {% if ticket.risk %}"),
    ], found


@pytest.mark.parametrize(
    ("change", "said"),
    [
        (("title: Demo\n", ""), "the runbook is missing the required key 'title'; expected 'title:' in it"),
        (("title: Demo\n", "title: Demo\ntitle: Again\n"), "duplicate key 'title' (first at line 3); expected each key once"),
        (
            ("sections:", "params:\n  v: {type: string, pattern: '^v', default: x1}\nsections:"),
            "default: parameter 'v': 'x1' does not match the pattern '^v'; expected a value it matches",
        ),
        (
            ("sections:", "alerts:\n  alertmanager: http://am:9093\n  silence: [{matchers: []}]\nsections:"),
            "a silence needs at least one matcher; expected one or more (an empty list would silence every alert)",
        ),
        (
            ("sections:", 'metrics:\n  source: {scrape: {url: "http://127.0.0.1:9/m"}}\n  panels: [{id: p, query: "sum(x)"}]\nsections:'),
            "'query': 'sum(x)': with the scrape source a query is a metric name with optional label matchers, or rate(...) over one; expected one of those",
        ),
    ],
    ids=["missing-key", "duplicate-key", "pattern", "silence", "scrape-query"],
)
def test_every_error_says_what_was_expected(write_runbook, change, said):
    """The format's contract: every error names FILE:LINE:COL 'and says what was expected'. These five said only what
    was wrong (`duplicate key 'title' (first at line 3)`, `... is missing the required key 'title'`)."""
    path = write_runbook(MINIMAL.replace(*change))
    assert [d.message for d in errors(path)] == [said]


def test_a_parameter_given_wrong_or_missing_says_what_was_expected(write_runbook):
    path = write_runbook(MINIMAL.replace("sections:", "params:\n  need: {type: string, required: true}\nsections:"))
    assert [d.message for d in errors(path, {"nede": "x"})] == [
        "unknown parameter 'nede' (this runbook declares: need); expected one of those; did you mean 'need'?",
        "parameter 'need' is required; expected a value: -p need=VALUE",
    ]
