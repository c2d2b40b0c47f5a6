"""A step's `env:` values made by templates, against what the command does with those variables.

A value in `env:` reaches the command as a variable: data wherever the shell expands it once, code where the command
reads it again (`eval "$V"`, a prompt's text naming it, an interpreter's program, arithmetic). `environment_refusal`
says why such a value cannot stand there, before the step runs; the words and checks it shares with the values in the
command text (`shell_values`) are here too.
"""

from __future__ import annotations

from runbook_tui.runbook import lazy_re
from runbook_tui.runbook import shell_perl_open as perl_open
from runbook_tui.runbook.shell_classify import environment_code, environment_in_arithmetic, environment_opened, environment_options, environment_reparsed
from runbook_tui.runbook.shell_flow import COMMAND_VARIABLES, LOADED_VARIABLES, OPTION_VARIABLES, REEXPANDED
from runbook_tui.runbook.shell_instead import OPTIONS_READ

INTEGER = lazy_re.compile(r"-?[0-9]+\Z")
#: What a value may hold inside an interpreter's program: no quote, delimiter, separator, sigil or space of any of them.
PLAIN_WORD_CHARACTERS = "letters, digits, . _ : + , = -"
PLAIN_WORD = lazy_re.compile(r"[A-Za-z0-9._:+,=-]*\Z")
#: What a shell expands in a variable it reads again (`$`, backticks, and `\\` in prompts).
EXPANDS = lazy_re.compile(r"[$`\\]")


def expanded_again(name: str, item: str) -> str:
    return (
        f"a value assigned to {name} is expanded again by the shell that reads it, where $(...) runs: expected no $, ` or \\"
        f" in it, not {clip(item)}; pass it in another variable"
    )


def clip(item: str) -> str:
    """A value as a refusal quotes it: its first 40 characters."""
    return f"{item[:40]!r}{'...' if len(item) > 40 else ''}"


def environment_refusal(command: str, env: list[tuple[str, str]]) -> str | None:
    """Why a step's `env:` value (one a template made) cannot stand where the command's arithmetic reads it, or None."""
    for name, value in env:
        if name in REEXPANDED and EXPANDS.search(value):
            return f"env {name}: {expanded_again(name, value)}"
    reparsed = environment_reparsed(command, tuple(name for name, _ in env))
    reparsed = {**reparsed, **{name: COMMAND_VARIABLES[name] for name, _ in env if name in COMMAND_VARIABLES}}  # `GIT_SSH_COMMAND`
    for name, by in sorted(reparsed.items()):
        value = dict(env)[name]
        if not PLAIN_WORD.match(value):  # `env: {CMD: "echo {{ x }}"}` and `run: eval "$CMD"`
            return (
                f"env {name}: the command expands ${name} into a script '{by}' parses again as shell code, so this value would"
                f" run as code; expected a plain word ({PLAIN_WORD_CHARACTERS}), not {clip(value)}; pass it as an argument instead"
            )
    for name, value in sorted((n, v) for n, v in env if n in COMMAND_VARIABLES and v):  # `env: {GIT_SSH_COMMAND: "{{ x }}"}`
        return (
            f"env {name}: {COMMAND_VARIABLES[name]} runs ${name}'s text as a shell command, so even a plain word there is the"
            f" program that runs ({clip(value)}); write the command in the runbook and pass the value in a variable of its"
            f' own: {name}: \'... "$V"\' and V: "{{{{ x }}}}"'
        )
    for name in sorted(n for n, v in env if n in LOADED_VARIABLES and v):  # `env: {LD_PRELOAD: "{{ x }}"}`
        return f"env {name}: this value is {LOADED_VARIABLES[name]}, so it picks code that runs; write it in the runbook"
    for name, by in sorted((n, OPTION_VARIABLES[n]) for n, v in env if n in OPTION_VARIABLES and not PLAIN_WORD.match(v)):
        return (  # `env: {PERL5OPT: "-M{{ x }}"}`: perl reads it as its own options, which load code
            f"env {name}: {by} reads ${name} as {OPTIONS_READ.get(by, OPTIONS_READ['perl'])}, so this"
            f" value would be code to {by}; expected a plain word ({PLAIN_WORD_CHARACTERS}), not {clip(dict(env)[name])}"
        )
    for name, by in sorted(environment_code(command, tuple(name for name, _ in env)).items()):
        value = dict(env)[name]
        if not PLAIN_WORD.match(value):  # `env: {V: "{{ x }}"}` and `run: python3 -c "print('$V')"`
            return (
                f"env {name}: the command expands ${name} into {by}'s program, which can run commands, so this value would be code"
                f" to it; expected a plain word ({PLAIN_WORD_CHARACTERS}), not {clip(value)}; pass it as an argument or read it"
                " from the environment in that program (ENVIRON, os.environ)"
            )
    for name, by in sorted((n, by) for n, by in environment_options(command, tuple(n for n, v in env if v.startswith("-"))).items()):
        return f"env {name}: a value starting with '-' would be read by {by} as an option ({clip(dict(env)[name])}); write -- before the operands"
    for name, by in sorted(environment_opened(command, tuple(n for n, v in env if not perl_open.MODE_CHARACTERS.isdisjoint(v))).items()):
        return f"env {name}: {perl_open.refusal(clip(dict(env)[name]), by)}"  # `env: {LOG: "{{ x }}"}`, `perl -ne CODE "$LOG"`
    for name in sorted(environment_in_arithmetic(command, tuple(name for name, _ in env))):
        value = dict(env)[name]
        if not INTEGER.match(value.strip()):
            return f"env {name}: the command reads it as arithmetic, where bash evaluates its text as code; expected an integer, not {clip(value)}"
    return None
