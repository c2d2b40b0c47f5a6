"""What a simple command's words are to programs beyond the shell reading them: scripts another shell parses again,
files it runs, an interpreter's code, options that run commands, a format, names bash evaluates.

Called by `shell_context.Tokenizer` once a command's words are complete; the rules are in `shell_commands`.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from runbook_tui.runbook import shell_commands as commands
from runbook_tui.runbook import shell_dpkg as dpkg
from runbook_tui.runbook import shell_wrappers as wrappers
from runbook_tui.runbook.shell_build import build_settings
from runbook_tui.runbook.shell_builtin_paths import builtin_program_paths
from runbook_tui.runbook.shell_code import awk_data_into_commands, gdb_program, python_module, sql_code
from runbook_tui.runbook.shell_config_files import config_files
from runbook_tui.runbook.shell_folders import folder_words
from runbook_tui.runbook.shell_make import make_operands
from runbook_tui.runbook.shell_manifests import HELM_SET, PATCH, helm_set_words, patch_words
from runbook_tui.runbook.shell_perl_open import magic_opened
from runbook_tui.runbook.shell_pipe_files import piped_outputs
from runbook_tui.runbook.shell_places import EXPANSION, NAMING_ONLY, WHOLE_NAME, Word, marker
from runbook_tui.runbook.shell_psql import psql_raw_reads, psql_variables
from runbook_tui.runbook.shell_remote_paths import remote_paths
from runbook_tui.runbook.shell_script_files import script_file
from runbook_tui.runbook.shell_sudo import shell_option_words, sudo_shell_words

if TYPE_CHECKING:
    from runbook_tui.runbook.shell_context import Tokenizer


def nested(tok: Tokenizer, words: list[Word], texts: list[str]) -> None:
    """Words another shell parses again: mark their values one level deeper; names bash evaluates: integers only.
    A command with no value may still expand a variable one holds into a script (`eval "$v"`): see `Flow.reparsed`."""
    values = tok.flow.every_script or any(w.markers or w.expanded_markers for w in words)
    if not values and not any(w.refs for w in words):
        return  # no value and no variable in this command
    for k in patch_words(texts):  # `kubectl patch -p "{\"spec\":{\"replicas\":{{ n }}}}"`: JSON kubectl reads
        for m in words[k].markers + words[k].expanded_markers:
            tok.places[m].document_of = tok.places[m].document_of or PATCH.format(texts[wrappers.command_start(texts)].rpartition("/")[2])
    for k, option in helm_set_words(texts):  # `helm upgrade --set image.tag={{ x }}`: a comma there sets another key
        for m in words[k].markers + words[k].expanded_markers:
            tok.places[m].document_of = tok.places[m].document_of or HELM_SET.format(option)
    for m in (m for k in shell_option_words(texts) for m in words[k].markers + words[k].expanded_markers):
        tok.places[m].runs_as = tok.places[m].runs_as or "the shell su, chsh or usermod names (-s, --shell)"
    for k, at in folder_words(texts):  # `cd /srv/releases/{{ v }} && ./migrate.sh`: the folder picks the code run there
        for m in words[k].markers + words[k].expanded_markers if not WHOLE_NAME.fullmatch(words[k].text[at:]) else ():
            tok.places[m].program_path = True
    for k, at, what in builtin_program_paths(texts, wrappers.command_start(texts)):  # `hash -p "{{ x }}" ls`
        entire = WHOLE_NAME.fullmatch(words[k].text[at:]) is not None
        for m in words[k].markers + words[k].expanded_markers if entire else ():
            tok.places[m].runs_as = tok.places[m].runs_as or what
        tok.program_path([] if entire else [words[k]])  # `hash -p /opt/{{ v }}/bin/psql psql`
    if commands.names_none(texts):
        return  # no shell, wrapper or name-reading builtin among the words
    for indexes, by in commands.scripts(texts):
        tok._reparse([words[k] for k in indexes], by)
    for k, host_end, cut, by in remote_paths(texts, wrappers.command_start(texts)):  # `scp -O db1:"{{ x }}" .`
        text = words[k].text
        for m in words[k].markers:  # `scp -O "{{ x }}" db1:` with x = `db1:$(touch F)`: the value would make a host:path
            tok.places[m].host_part_of = tok.places[m].host_part_of or (by if text.index(marker(m)) < host_end else "")
        if cut is not None:  # the host's shell parses the path (a value in the host part is ssh's, not that shell's)
            path = text[cut:]
            tok._reparse([Word([path], [m for m in words[k].markers if marker(m) in path], words[k].expanded_markers, words[k].refs)], by)
    if not values:
        return
    for k, by in commands.script_files(texts):
        tok._output_reparsed(words[k].expanded_markers, f"{by} running it as a script")
    for k, by in commands.program_code(texts):
        for m in words[k].markers + words[k].expanded_markers:
            tok.places[m].code_of = by
        for ref in words[k].refs:  # `v="{{ x }}"; python3 -c "print('$v')"`: what v holds is code there too
            tok.flow.code.setdefault(ref, by)
    start = wrappers.command_start(texts)
    opened = magic_opened(texts, start)  # `perl -ne 'print' "{{ x }}"` with x = `touch F|`: perl's open runs it
    appended = [(tok.flow.stdin, tok.flow.stdin_refs)] if opened is not None and "xargs" in map(wrappers.basename, texts[:start]) else []
    for markers, refs in [(words[k].markers + words[k].expanded_markers, words[k].refs) for k in opened or ()] + appended:
        for m in markers:
            tok.places[m].opened_by = tok.places[m].opened_by or texts[start].rpartition("/")[2]
        tok.flow.opened.update(dict.fromkeys(refs, texts[start].rpartition("/")[2]))
    debugged = gdb_program(texts, start)  # `gdb -batch -ex run --args {{ x }}`: the value picks the program gdb runs
    for m in words[debugged].markers + words[debugged].expanded_markers if debugged is not None and WHOLE_NAME.fullmatch(words[debugged].text) else ():
        tok.places[m].runs_as = tok.places[m].runs_as or "the program gdb runs"
    for setting in build_settings(texts, start):  # `make SHELL={{ x }}`, `./configure CC={{ x }}`, `cmake -DCMAKE_C_COMPILER=`
        word = words[setting.at_word]
        whole = setting.kind == "shell" or (setting.kind == "program" and WHOLE_NAME.fullmatch(word.text[setting.value_at :]))
        for m in word.markers + word.expanded_markers if whole else ():
            tok.places[m].runs_as = tok.places[m].runs_as or setting.what
        tok.program_path([] if whole else [word])  # `CC=/opt/{{ v }}/bin/gcc`, `-DCMAKE_TOOLCHAIN_FILE=/etc/tc/{{ a }}.cmake`
    socat = [t.rpartition("/")[2] for t in texts[start : start + 1]] == ["socat"]  # (no command word: `exec 3<<< ...`)
    for k in range(start + 1, len(texts)) if socat else ():  # `socat - "{{ x }}"`
        if words[k].markers and words[k].text.startswith(marker(words[k].markers[0])):  # x = `SYSTEM:CMD` runs CMD
            tok.places[words[k].markers[0]].runs_as = "the start of a socat address (its SYSTEM: and EXEC: run a program)"
    for k, at, program in piped_outputs(texts, start):  # `psql -o "{{ x }}"` with x = `|CMD`
        if words[k].markers and words[k].text[at:].startswith(marker(words[k].markers[0])):
            tok.places[words[k].markers[0]].runs_as = f"the start of {program}'s output file (a leading | makes it a command a shell runs)"
    module = python_module(texts, start)  # `python3 -m {{ x }}`: the value picks the module (the program) python runs
    for m in words[module[0]].markers if module is not None and WHOLE_NAME.fullmatch(words[module[0]].text[module[1] :]) else ():
        tok.places[m].runs_as = tok.places[m].runs_as or f"the module {texts[start].rpartition('/')[2]} -m runs"
    # `psql -v t="{{ x }}" -c '\set r `echo :t`'`: a meta-command reads `:t` as raw text (SQL given to -c is sent as is)
    variables = psql_variables(texts, start)
    meta = "\n".join(texts[k] for k, _ in sql_code("psql", texts, start) if texts[k].startswith("\\"))
    for name in psql_raw_reads(meta, variables) if variables else ():
        for m in words[variables[name]].markers + words[variables[name]].expanded_markers:
            tok.places[m].code_of = tok.places[m].code_of or "psql"
    for k in awk_data_into_commands(texts, start):  # `awk -v v="{{ x }}" 'BEGIN { system(v) }'`, `-v v="$v"`
        for m in words[k].markers + words[k].expanded_markers:
            tok.places[m].runs_commands_of = texts[start].rpartition("/")[2]
        tok.flow.awk_runs.update(dict.fromkeys(words[k].refs, texts[start].rpartition("/")[2]))
    # `sqlite3 DB "{{ x }}"`: an operand starting with `.` is a dot command (`.shell CMD`), any other is SQL, where
    # `select load_extension('/tmp/evil.so')` runs a library's code: a value in either is code to sqlite3, as in psql -c
    for m in (m for k in _sqlite_operands(texts) for m in words[k].markers + words[k].expanded_markers):
        tok.places[m].code_of = "sqlite3"
    for k, by in commands.command_arguments(texts):  # `rsync -e "ssh {{ x }}"`: a word there may be an option of ssh
        for m in words[k].markers + words[k].expanded_markers:
            tok.places[m].command_line = True
        for m in dpkg.option_name_values(words[k].text) if by.lower().endswith(" -o dpkg::options") else ():
            tok.places[m].option_name_of = dpkg.WHY
    optional, program = commands.option_words(texts)
    for k in optional:
        first = words[k].markers[:1]
        if first and words[k].text.startswith(marker(first[0])):  # the value starts the word
            tok.places[first[0]].option_of = program
        elif words[k].text[:1] in ("$", EXPANSION):  # `h="{{ x }}"; ssh "$h"`, `"${h:-{{ x }}}"`, `"$(echo "{{ x }}")"`
            _option_expanded(tok, words[k].expanded_markers, words[k].refs[:1], program)
    if optional and optional[-1] == len(texts) - 1 and "xargs" in {t.rpartition("/")[2] for t in texts[:start]}:
        _option_expanded(tok, tok.flow.stdin, tok.flow.stdin_refs, program)  # `echo "{{ x }}" | xargs git checkout`: appended
    start = wrappers.command_start(texts)
    script = script_file(texts, start)  # `sh {{ x }}`, `python3 {{ x }}`, `. {{ x }}`: the value names the code that runs
    tok.program_path(words[script : script + 1] if script is not None else [])
    tok.program_path([words[k] for k, _at in config_files(texts, start)])  # `ssh -F {{ x }}`, `kubectl --kubeconfig {{ x }}`
    for k in make_operands(texts, start):  # `make deploy-{{ env }}`: a `=` in the value makes it an assignment
        for m in words[k].markers + words[k].expanded_markers:
            tok.places[m].assigned_by = texts[start].rpartition("/")[2]
        tok.flow.assigning.update(dict.fromkeys(words[k].refs, texts[start].rpartition("/")[2]))
    echoed = [m for w in words[start + 1 :] for m in w.markers + w.expanded_markers] if texts[start : start + 1] == ["echo"] else []
    for m in echoed:  # `echo "{{ x }}"`: dash's echo reads `\c`, `\n` in it: a value holding none passes
        tok.places[m].echoed = True
    for m in (m for k in sudo_shell_words(texts) for m in words[k].markers + words[k].expanded_markers):
        tok.places[m].sudo_shell = True  # `sudo -s CMD {{ x }}`: no `$` or line break (shell_sudo)
    k_format = commands.format_operand(texts)
    for m in words[k_format].markers + words[k_format].expanded_markers if k_format is not None else ():
        tok.places[m].format_of = texts[wrappers.command_start(texts)]
    builtin = texts[start] if start < len(texts) else ""
    for k in commands.naming_arguments(texts):
        text = words[k].text
        equals = text.find("=")
        for m in words[k].markers:
            if (equals < 0 or text.index(marker(m)) < equals) and builtin in NAMING_ONLY:
                tok.places[m].name_of = builtin  # bash reads the word as NAME=VALUE there, and evaluates no subscript
            elif equals < 0 or text.index(marker(m)) < equals:
                tok.places[m].integer = True


def _option_expanded(tok: Tokenizer, markers: list[int], refs: list[str], program: str) -> None:
    """Values (and what variables hold) expanded where `program` reads a word starting with them as an option: a value
    starting with `-` is refused there, as one written directly at the word's start (session 34)."""
    for m in markers:
        tok.places[m].option_of = tok.places[m].option_of or program
    for ref in refs:
        tok.flow.options.setdefault(ref, program)


#: sqlite3's options that take the next word (`-cmd` itself is its code option: see `shell_commands`).
_SQLITE_NEXT = frozenset({"-cmd", "-init", "-separator", "-nullvalue", "-newline", "-vfs", "-maxsize", "-mmap", "-lookaside", "-pagecache"})


def _sqlite_operands(texts: list[str]) -> list[int]:
    """The words sqlite3 reads as SQL or, when one starts with `.`, as a dot command (its operands after the database)."""
    start = wrappers.command_start(texts)
    if start >= len(texts) or texts[start].rpartition("/")[2] != "sqlite3":
        return []
    operands: list[int] = []
    k = start + 1
    while k < len(texts):
        if texts[k].startswith("-"):
            k += 2 if texts[k] in _SQLITE_NEXT else 1
            continue
        operands.append(k)
        k += 1
    return operands[1:]
