"""The shell contexts a value can stand in, each with what it must print or where it must be refused.

Shared by the local test (dash, `bash --posix`, bash) and the SSH test (the same three, over sshd).
Every command reads the value `{{ x }}` and prints it, or something derived from it exactly;
A case without `expect` must be refused by `validate` at its value's `{{`.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

ALL = ("dash", "bash --posix", "bash")
BASH = ("bash --posix", "bash")


@dataclass(frozen=True)
class Case:
    name: str
    template: str
    expect: Callable[[str], str] | None = None  # printed, from the value; None: refused
    shells: tuple[str, ...] = ALL


def same(v: str) -> str:
    return v


def substituted(v: str) -> str:
    """What `$(...)` and backticks give: the output without its trailing newlines."""
    return v.rstrip("\n")


def line(v: str) -> str:
    return v + "\n"


CASES = [
    Case("plain word", "printf '%s' {{ x }}", same),
    # Commands of plain words only (no quote, operator or expansion): `shell_classify` reads these without the tokenizer.
    Case("plain words only", "printf %s {{ x }}", same),
    Case("plain words behind env and an assignment", "env A=1 printf %s {{ x }}", same),
    Case("plain words: sh -c", "sh -c {{ x }}", None),
    Case("plain words: sudo sh -c", "sudo -n sh -c {{ x }}", None),
    Case("plain words: eval", "eval printf %s {{ x }}", None),
    Case("plain words: ssh host command", "ssh -p 22 db1 echo {{ x }}", None),
    Case("double quotes", "printf '%s' \"<{{ x }}>\"", lambda v: f"<{v}>"),
    Case("concatenated quotes", "printf '%s' 'a'\"{{ x }}\"b", lambda v: f"a{v}b"),
    Case("comment with an apostrophe before", "# don't restart twice\nprintf '%s' {{ x }}", same),
    Case("comment with a double quote before", "# say \"hi\nprintf '%s' {{ x }}", same),
    Case("value inside a comment", "# was: {{ x }}\nprintf ok", lambda v: "ok"),
    Case("value in a trailing comment", "printf ok # {{ x }}", lambda v: "ok"),
    Case("$(...) inside double quotes", "printf '%s' \"$(printf '%s' {{ x }})\"", substituted),
    Case("backticks inside double quotes", "printf '%s' \"`printf '%s' {{ x }}`\"", substituted),
    Case("quoted value in backticks in double quotes", "printf '%s' \"`printf '%s' \\\"{{ x }}\\\"`\"", substituted),
    Case("backticks unquoted", "v=`printf '%s' {{ x }}`; printf '%s' \"$v\"", substituted),
    Case('nested $( "$( )" )', "printf '%s' \"$(printf '%s' \"$(printf '%s' \"{{ x }}\")\")\"", substituted),
    Case("unquoted heredoc", "cat <<EOF\nvalue = {{ x }};\nEOF", lambda v: f"value = {v};\n"),
    Case("unquoted heredoc <<-", "cat <<-EOF\n\t{{ x }}\n\tEOF", line),
    Case("$(...) in an unquoted heredoc", "cat <<EOF\n$(printf '%s' {{ x }})\nEOF", lambda v: substituted(v) + "\n"),
    Case("heredoc, then a command", "cat <<EOF >/dev/null\nignored\nEOF\nprintf '%s' {{ x }}", same),
    Case("quoted heredoc <<'EOF'", "cat <<'EOF'\nvalue = {{ x }}\nEOF", None),
    Case('quoted heredoc <<"EOF"', 'cat <<"EOF"\n{{ x }}\nEOF', None),
    Case("quoted heredoc <<-\\EOF", "cat <<-\\EOF\n\t{{ x }}\n\tEOF", None),
    Case("here-string", "cat <<< {{ x }}", line, BASH),
    Case("here-string in double quotes", 'cat <<< "{{ x }}"', line, BASH),
    Case("single quotes", "printf '%s' '{{ x }}'", None),
    Case("$'...'", "printf '%s' $'{{ x }}'", None),
    Case("${var:-value} unquoted", "printf '%s' ${RBT_UNSET_X:-{{ x }}}", same),
    Case("${var:-value} in double quotes", "printf '%s' \"${RBT_UNSET_X:-{{ x }}}\"", same),
    Case("${var:+value}", "y=1; printf '%s' \"${y:+{{ x }}}\"", same),
    # Inside "${...}" a pattern's * ? [ and a replacement's & (bash 5.2) are literal (they matched: "${s/b/&&}" gave abbc).
    Case('"${v#pattern}"', "v={{ x }}; printf '<%s>' \"${v#{{ x }}}\"", lambda v: "<>"),
    Case('"${v/pattern/replacement}"', "v={{ x }}; printf '%s' \"${v/{{ x }}/<{{ x }}>}\"", lambda v: f"<{v}>" if v else "", BASH),
    Case("assignment", "v={{ x }}; printf '%s' \"$v\"", same),
    Case("export assignment", 'export v={{ x }}; sh -c \'printf "%s" "$v"\'', same),
    Case("assignment before a command", 'v={{ x }} sh -c \'printf "%s" "$v"\'', same),
    Case("pipeline", "printf '%s' {{ x }} | cat", same),
    Case("and-or list", "false || printf '%s' {{ x }} && true", same),
    Case("line continuation", "printf '%s' \\\n  {{ x }}", same),
    # A backslash right before a value escaped the `"` or `$` it is passed with: a syntax error, or `${RBT_V1}` printed.
    Case("backslash before a value", "printf '%s' \\{{ x }}", None),
    Case("backslash before a value in double quotes", "printf '%s' \"a\\{{ x }}\"", None),
    Case("backslash before a value in a heredoc", "cat <<EOF\n\\{{ x }}\nEOF", None),
    Case("backslash before a value in backticks", "printf '%s' `printf '%s' \\{{ x }}`", None),
    Case("escaped backslash before a value", "printf '%s' \\\\{{ x }}", lambda v: "\\" + v),
    Case("backslash before a value in a comment", "printf ok # \\{{ x }}", lambda v: "ok"),
    Case("subshell", "( printf '%s' {{ x }} )", same),
    Case("brace group", "{ printf '%s' \"{{ x }}\"; }", same),
    Case("function argument", "f() { printf '%s' \"$1\"; }; f {{ x }}", same),
    Case("for loop word", "for i in {{ x }}; do printf '%s' \"$i\"; done", same),
    Case("test operands", "if [ {{ x }} = {{ x }} ]; then printf eq; fi", lambda v: "eq"),
    Case("case subject and pattern", "case {{ x }} in {{ x }}) printf match;; *) printf no;; esac", lambda v: "match"),
    Case("case pattern inside $( )", "printf '%s' \"$(case a in a) printf '%s' {{ x }};; esac)\"", substituted),
    Case("[[ ... ]]", '[[ {{ x }} == "{{ x }}" ]] && printf same', lambda v: "same", ("bash",)),
    Case("sh -c argument without shq", "sh -c \"printf '%s' {{ x }}\"", None),
    Case("sh -c argument with shq", "sh -c \"printf '%s' {{ x | shq }}\"", same),
    Case("bash -c argument with shq", "bash -c \"printf '%s' {{ x | shq }}\"", same),
    Case("sh -c in single quotes", "sh -c 'printf %s {{ x }}'", None),
    Case("sh -c with the value as $1", 'sh -c \'printf "%s" "$1"\' sh {{ x }}', same),
    Case("sh -c with an expansion of the value", "sh -c \"printf '%s' $(printf %s {{ x }})\"", None),
    Case("sh -c twice needs shq twice", 'sh -c "sh -c \\"printf %s {{ x | shq }}\\""', None),
    Case("sudo sh -c", 'sudo -n sh -c "echo {{ x }}"', None),
    Case("su -c", 'su - postgres -c "psql -c {{ x }}"', None),
    Case("ssh host command", 'ssh -p 22 db1 "echo {{ x }}"', None),
    Case("eval", "eval \"printf '%s' {{ x }}\"", None),
    Case("eval with shq", "eval \"printf '%s' {{ x | shq }}\"", same),
    # Where a shell's options put the script (these passed validate, and `a; touch F` ran touch): after an option's own
    # argument (`-o pipefail`, `-euo pipefail`), after `--`, or in `--command[=]` and `-cCMD` of su and its kin.
    Case("bash -o pipefail -c", "bash -o pipefail -c \"printf '%s' {{ x }}\"", None),
    Case("bash -euo pipefail -c", "bash -euo pipefail -c \"printf '%s' {{ x }}\"", None),
    Case("sh -c -- SCRIPT", "sh -c -- \"printf '%s' {{ x }}\"", None),
    Case("bash -c -x SCRIPT", "bash -c -x \"printf '%s' {{ x }}\"", None),
    Case("su --command=CMD", 'su root --command="echo {{ x }}"', None),
    Case("su --command CMD", 'su - postgres --command "echo {{ x }}"', None),
    Case("su -cCMD", 'su root -c"echo {{ x }}"', None),
    Case("runuser --session-command=CMD", 'runuser -l postgres --session-command="echo {{ x }}"', None),
    Case("sg GROUP -c CMD", 'sg adm -c "echo {{ x }}"', None),
    Case("Teleport tsh ssh host command", 'tsh ssh --cluster=main root@db1 "systemctl restart {{ x }}"', None),
    Case("bash -o pipefail -c with shq", "bash -o pipefail -c \"printf '%s' {{ x | shq }}\"", same),
    Case("sh -c -- SCRIPT with shq", "sh -c -- \"printf '%s' {{ x | shq }}\"", same),
    Case("bash -o pipefail -c with the value as $1", 'bash -o pipefail -c \'printf "%s" "$1"\' bash {{ x }}', same),
    Case("docker exec sh -c", 'docker exec web sh -c "echo {{ x }}"', None),
    Case("kubectl exec -- sh -c", 'kubectl exec pod -- sh -c "echo {{ x }}"', None),
    Case("watch", 'watch -n 1 "echo {{ x }}"', None),
    Case("heredoc read by sh", "sh <<EOF\nprintf '%s' {{ x }}\nEOF", None),
    Case("heredoc read by sh, with shq", "sh <<EOF\nprintf '%s' {{ x | shq }}\nEOF", same),
    Case("heredoc read by ssh", "ssh db1 <<EOF\necho {{ x }}\nEOF", None),
    Case("heredoc read by bash -s", "bash -s -- a <<-EOF\n\techo {{ x }}\n\tEOF", None),
    Case("piped into sh", "printf '%s\\n' \"echo {{ x }}\" | sh", None),
    Case("piped into ssh", 'echo "rm {{ x }}" | ssh db1', None),
    Case("here-string read by bash", 'bash <<< "echo {{ x }}"', None),
    Case("heredoc piped into sh", "cat <<EOF | sh\necho {{ x }}\nEOF", None),
    Case("process substitution sourced", ". <(printf '%s' \"echo {{ x }}\")", None),
    Case("process substitution run by bash", "bash <(printf '%s' \"echo {{ x }}\")", None),
    Case("process substitution read by cat is data", "cat <(printf '%s' {{ x }})", same, ("bash",)),
    Case("heredoc read by cat is data", "cat <<EOF | cat\n{{ x }}\nEOF", line),
    # A command behind a reserved word is a command like any other (these ran the value as code: `if eval "..."`).
    Case("eval after if", "if eval \"printf '%s' {{ x }}\"; then :; fi", None),
    Case("eval after while, in a loop body", 'while true; do eval "echo {{ x }}"; break; done', None),
    Case("ssh in a brace group", '{ ssh db1 "rm -rf /tmp/{{ x }}"; }', None),
    Case("sh -c after !", '! sh -c "echo {{ x }}"', None),
    Case("ssh behind sshpass", 'sshpass -e ssh db1 "systemctl restart {{ x }}"', None),
    Case("ssh behind taskset", 'taskset 0x1 ssh db1 "systemctl restart {{ x }}"', None),
    Case("alias text (dash expands aliases in scripts)", 'alias k="systemctl restart {{ x }}"\nk', None),
    Case("heredoc sourced from /dev/stdin", ". /dev/stdin <<EOF\necho {{ x }}\nEOF", None),
    Case("piped into bash /dev/stdin", 'echo "echo {{ x }}" | bash /dev/stdin', None),
    Case("piped into at", 'echo "systemctl restart {{ x }}" | at now 2>/dev/null', None),
    Case("piped into crontab", 'echo "*/5 * * * * curl {{ x }}" | crontab -', None),
    Case("trap action", 'trap "echo {{ x }}" EXIT', None),
    Case("xargs -I into sh -c", "printf '%s\\n' {{ x }} | xargs -I{} sh -c 'echo {}'", None),
    Case("xargs eval", "printf '%s\\n' {{ x }} | xargs eval", None),
    # no script after -c: xargs makes the input's first word the script (`'touch F'` ran touch)
    Case("xargs into sh -c without a script", "echo {{ x }} | xargs -n1 sh -c", None),
    Case("xargs into su -c without a command", "echo {{ x }} | xargs su root -c", None),
    # a wrapper with no command after it: the input's words become the command line (`touch F` ran touch)
    Case("xargs into env", "echo {{ x }} | xargs env", None),
    Case("xargs into timeout", "echo {{ x }} | xargs -n1 timeout 5", None),
    Case("printf format", 'printf "{{ x }}\\n"', None),
    Case("printf format after -v", 'printf -v out "{{ x }}"', None),
    # An interpreter reading its program on stdin runs a value in that text as its code (these passed validate and ran it).
    Case("heredoc read by python3 -", 'python3 - <<EOF\nprint("{{ x }}")\nEOF', None),
    Case("quoted heredoc read by python3", "python3 <<'EOF'\nprint(\"{{ x }}\")\nEOF", None),
    Case("heredoc read by perl", 'perl <<EOF\nprint "{{ x }}";\nEOF', None),
    Case("heredoc read by ruby", 'ruby <<-EOF\n\tputs "{{ x }}"\n\tEOF', None),
    Case("heredoc read by node", 'node <<EOF\nconsole.log("{{ x }}")\nEOF', None),
    Case("heredoc read by php", 'php <<EOF\n<?php echo "{{ x }}";\nEOF', None),
    Case("heredoc read by lua", 'lua - <<EOF\nprint("{{ x }}")\nEOF', None),
    Case("heredoc read by awk -f -", 'awk -f - <<EOF\nBEGIN { print "{{ x }}" }\nEOF', None),
    Case("heredoc read by python3 behind sudo", 'sudo -u app python3 - <<EOF\nprint("{{ x }}")\nEOF', None),
    Case("$(...) in a heredoc read by python3", "python3 <<EOF\nprint('$(printf %s {{ x }})')\nEOF", None),
    Case("heredoc piped into python3", 'cat <<EOF | python3 -\nprint("{{ x }}")\nEOF', None),
    Case("here-string read by python3", "python3 <<< \"print('{{ x }}')\"", None),
    Case("echo piped into python3", "echo {{ x }} | python3", None),
    Case("printf piped into perl", "printf '%s' {{ x }} | perl", None),
    Case("heredoc read by psql (\\! runs a shell)", "psql -X <<EOF\nselect '{{ x }}';\nEOF", None),
    Case("piped into sqlite3 (.shell runs a shell)", "echo \"select '{{ x }}';\" | sqlite3", None),
    Case("heredoc read by ed (! runs a shell)", "ed -s /dev/null <<EOF\na\n{{ x }}\n.\np\nQ\nEOF", None),
    Case("heredoc read by sftp (! runs a shell)", "sftp db1 <<EOF\nput {{ x }}\nEOF", None),
    # What a compound command prints, or a process substitution redirected to stdin, feeds the reader too (these ran).
    Case("brace group piped into sh", "{ printf '%s' {{ x }}; } | sh", None),
    Case("loop piped into python3", "while true; do echo {{ x }}; break; done | python3", None),
    Case("process substitution as sh's stdin", "sh < <(printf '%s' {{ x }})", None),
    Case("process substitution as python3's stdin", "python3 < <(echo {{ x }})", None),
    Case("brace group piped into cat is data", "{ printf '%s' {{ x }}; } | cat", same),
    Case("process substitution as cat's stdin is data", "cat < <(printf '%s' {{ x }})", same, ("bash",)),
    # ...and takes it as data when the program comes from elsewhere, or the value is an argument.
    Case("value as an argument after perl -", "perl - {{ x }} <<'EOF'\nprint $ARGV[0];\nEOF", same),
    Case("value in an environment variable of perl -", "V={{ x }} perl - <<'EOF'\nprint $ENV{V};\nEOF", same),
    Case("heredoc read by perl -ne is data", "perl -ne print <<EOF\n{{ x }}\nEOF", line),
    Case("piped into perl -pe is data", "printf '%s' {{ x }} | perl -pe ''", same),
    Case("heredoc read by tee is data", "tee <<EOF\n{{ x }}\nEOF", line),
    # Fleets and container entrypoints whose command a shell parses again, sg without -c, a variable expanded into
    # eval's script, make's makefile on stdin (these passed validate; sg, eval and make ran `a; touch F` under exec).
    Case("autossh host command", 'autossh -M 0 db1 "systemctl restart {{ x }}"', None),
    Case("pdsh -w hosts command", 'pdsh -w db[1-2] -l root "systemctl restart {{ x }}"', None),
    Case("clush -w hosts command", "clush -b -w db1 echo {{ x }}", None),
    Case("pssh -H host command", 'pssh -H db1 -t 5 "echo {{ x }}"', None),
    Case("parallel-ssh -H host command", 'parallel-ssh -i -H db1 "echo {{ x }}"', None),
    Case("piped into pdsh (commands on stdin)", 'echo "rm {{ x }}" | pdsh -w db1', None),
    Case("docker run --entrypoint sh IMAGE -c", 'docker run --rm --entrypoint sh alpine -c "echo {{ x }}"', None),
    Case("podman run --entrypoint=/bin/sh IMAGE -ec", 'podman run --entrypoint=/bin/sh alpine -ec "echo {{ x }}"', None),
    Case("docker run IMAGE sh -c", 'docker run --rm alpine sh -c "echo {{ x }}"', None),
    Case("kubectl run -- sh -c", 'kubectl run t --image=alpine --restart=Never -- sh -c "echo {{ x }}"', None),
    Case("sg GROUP CMD without -c", 'sg adm "echo {{ x }}"', None),
    Case("sg - GROUP CMD without -c", 'sg - adm "echo {{ x }}"', None),
    Case('eval "$v" of a value', 'v={{ x }}; eval "$v"', None),
    Case('eval "$v" of a command around a value', 'v="printf \'%s\' {{ x }}"; eval "$v"', None),
    Case("loop variable into ssh's command", 'for h in {{ x }}; do ssh db1 "rm -rf /tmp/$h"; done', None),
    Case("makefile on stdin (make -f -)", "make -s -f - <<EOF\nall:\n\t@echo {{ x }}\nEOF", None),
    Case("eval of a script reading $v as data", 'v={{ x }}; eval \'printf "%s" "$v"\'', same),
    # A value reaching an inner shell's script through `$1` or the environment, a function's body, an array, a shell
    # named by a variable, PROMPT_COMMAND (these passed validate; `a; touch F` ran touch under exec).
    Case("sh -c 'eval \"$1\"' with the value as $1", "sh -c 'eval \"$1\"' sh {{ x }}", None),
    Case("find -exec sh -c 'eval \"$1\"'", "find . -maxdepth 0 -exec sh -c 'eval \"$1\"' sh {{ x }} \\;", None),
    Case("exported, then evaluated by an inner shell", "export C={{ x }}; sh -c 'eval \"$C\"'", None),
    Case("assigned before an inner shell that evaluates it", "C={{ x }} bash -c 'eval \"$C\"'", None),
    Case("eval in a function's body", 'f() { eval "$1"; }; f {{ x }}', None),
    Case("eval in a function's body (function f)", 'function f { eval "$1"; }\nf {{ x }}', None),
    Case("an array's element evaluated", 'a=(one {{ x }}); eval "${a[1]}"', None, BASH),
    Case("$SHELL -c", '$SHELL -c "printf %s {{ x }}"', None),
    Case('"$BASH" -c', '"$BASH" -c "printf %s {{ x }}"', None, BASH),
    Case("${SHELL:-sh} -c", '${SHELL:-sh} -c "printf %s {{ x }}"', None),
    Case("eval named by a variable", 'e=eval; $e "printf %s {{ x }}"', None),
    Case("PROMPT_COMMAND before bash -i", "PROMPT_COMMAND={{ x }} bash -i </dev/null", None),
    Case("PROMPT_COMMAND exported", 'export PROMPT_COMMAND="{{ x }}"', None),
    Case("GIT_SSH_COMMAND (git runs it with sh -c)", 'GIT_SSH_COMMAND="ssh -i {{ x }}" git ls-remote ssh://db1/r', None),
    Case("EDITOR for crontab -e", "EDITOR={{ x }} crontab -e", None),
    Case("LESSOPEN exported", 'export LESSOPEN="|{{ x }} %s"; less /etc/hostname', None),
    Case("function argument printed", "f() { printf '%s' \"$1\"; }; f {{ x }}", same),
    Case("sh -c printing $1 after a function", 'f() { :; }; sh -c \'printf "%s" "$1"\' sh {{ x }}', same),
    Case("array element printed", "a=(one {{ x }}); printf '%s' \"${a[1]}\"", same, BASH),
    # A value written to a file that a shell or an interpreter then runs (these passed; exec ran `a; touch F`).
    Case("written to a script, then run by sh", "printf '%s\\n' {{ x }} > f.sh; sh f.sh", None),
    Case("a heredoc written to a script, then run by bash", "cat > f.sh <<EOF\necho {{ x }}\nEOF\nbash f.sh", None),
    Case("tee to a script, then sourced", "echo {{ x }} | tee f.sh >/dev/null; . ./f.sh", None),
    Case("written to a script, then run by its name", "echo {{ x }} > f.sh; chmod +x f.sh; ./f.sh", None),
    Case("appended to a script, then sh's stdin", "echo {{ x }} >> f.sh; sh < f.sh", None),
    Case("written, then cat into sh", "echo {{ x }} > f.sh; cat f.sh | sh", None),
    Case("written, then eval of $(cat)", 'echo {{ x }} > f.sh; eval "$(cat f.sh)"', None),
    Case("a group written to a script, then run", "{ echo '#!/bin/sh'; echo {{ x }}; } > f.sh; sh f.sh", None),
    Case("written to a program, then run by python3", "echo {{ x }} > f.py; python3 f.py", None),
    Case("written to a crontab, then installed", 'echo "* * * * * {{ x }}" > c.tab; crontab c.tab', None),
    Case("tee into >(sh)", "echo {{ x }} | tee >(sh) >/dev/null", None),
    Case("written to > >(sh)", "echo {{ x }} > >(sh)", None),
    Case("written, copied, then run", "echo {{ x }} > f.sh; cp f.sh g.sh; sh g.sh", None),
    Case("written by dd of=, then run", "echo {{ x }} | dd of=f.sh 2>/dev/null; sh f.sh", None),
    Case("written by its path, run after cd", "echo {{ x }} > /tmp/w/f.sh; cd /tmp/w; sh f.sh", None),
    Case("tee into >(cat) is data", "printf '%s' {{ x }} | tee >(cat >/dev/null)", same, ("bash",)),
    Case("a variable written to a script, then run", "v={{ x }}; printf '%s' \"$v\" > f.sh; sh f.sh", None),
    Case("written to a file read as data", 'f=$(mktemp); printf \'%s\' {{ x }} > "$f"; cat "$f"; rm -f "$f"', same),
    Case("a script written without it, the value as its $1", 'f=$(mktemp); printf \'%s\' \'printf "%s" "$1"\' > "$f"; sh "$f" {{ x }}; rm "$f"', same),
    Case("tee to /dev/null is data", "printf '%s' {{ x }} | tee /dev/null", same),
    # Commands on stdin to parallel, a here-string on another descriptor, a line an inner shell reads and evaluates.
    Case("a here-string's words as $1 of xargs sh -c 'eval'", 'xargs -0 sh -c \'eval "$1"\' sh <<< "{{ x }}"', None),
    Case("a here-string on fd 3 opened by exec, then bash <&3", 'exec 3<<< "{{ x }}"; bash <&3', None),
    Case("a written script on fd 3 opened by exec, then sh <&3", "echo {{ x }} > f.sh; exec 3< f.sh; sh <&3", None),
    Case("piped into parallel (commands on stdin)", 'echo "{{ x }}" | parallel', None),
    Case("here-string on fd 3 run by bash /dev/fd/3", 'bash /dev/fd/3 3<<< "{{ x }}"', None),
    Case("piped into sh -c that reads a line and evaluates it", "echo {{ x }} | sh -c 'read -r l; eval \"$l\"'", None),
    Case("here-string into sh -c that reads and evaluates", 'sh -c \'read -r l; eval "$l"\' <<< "{{ x }}"', None),
    # A value as the command's name picks the program that runs (x = `reboot`, `/tmp/upload/evil`; `$cmd` also splits it).
    Case("a value as the command's name", "{{ x }} --version", None),
    Case("a value as the command's name behind sudo", "sudo -n {{ x }}", None),
    Case("a value as the command's name through a variable", "cmd={{ x }}; $cmd --help", None),
    Case("$1 as the command's name in sh -c", "sh -c '\"$1\" --version' sh {{ x }}", None),
    # A value that is only part of the command's path (`/usr/lib/postgresql/{{ v }}/bin/pg_upgrade`) passes as one name
    # of a path the runbook names (refused at first, with every runbook that keeps a version in a binary's path); a `/`,
    # `:` or `..` in it is refused when it renders: tests/runbook/test_program_path_values.py runs these under each shell.
    Case("the first element of an array is a word", "a=({{ x }} two); printf '%s' \"${a[0]}\"", same, BASH),
    # bash keeps \" as is in backticks in a heredoc and in "${x:-`...`}" (the value came out split: "a b" gave "ab").
    Case("backticks in an unquoted heredoc", "cat <<EOF\n`printf '%s' {{ x }}`\nEOF", lambda v: substituted(v) + "\n"),
    # bash --posix reads a `$(` inside the value's quotes in backticks in "${x:-...}" (the shown text then failed to parse
    # where the real one ran, one hypothesis run in twenty): refused, as backticks in backticks are; $(...) passes.
    Case('backticks in "${x:-...}"', "printf '%s' \"${RBT_UNSET_X:-`printf '%s' {{ x }}`}\"", None),
    Case('$(...) in "${x:-...}"', "printf '%s' \"${RBT_UNSET_X:-$(printf '%s' {{ x }})}\"", substituted),
    Case("{% raw %} text kept", "printf '%s' '{% raw %}{{.State.Status}}{% endraw %}'", lambda v: "{{.State.Status}}"),
]
