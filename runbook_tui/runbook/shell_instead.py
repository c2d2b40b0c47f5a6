"""What to write instead of a value a program would read as its own code (`shell_values.command_from`'s refusals).

Each entry names how to pass the value to that program as data: a variable of its own (`psql -v`, `jq --arg`), the
environment, or a pattern on the parameter that lets only a plain word through.
"""

from __future__ import annotations

from runbook_tui.runbook.shell_files import RUN_LATER_BY

#: What each program reads an option variable (`shell_flow.OPTION_VARIABLES`) as; perl's words for node and ruby too.
OPTIONS_READ = {
    "perl": "options of its own, which load and run code (-MMOD is `use MOD;`)",
    "git": "configuration (as git -c gives it), where core.fsmonitor, core.sshCommand and aliases run commands",
    "java": "options of its own, which load code (-agentpath:LIB, -javaagent:JAR)",
    "make (MAKEFLAGS)": "options and variables, pasted into the recipes a shell runs (X=$(shell CMD)), SHELL=PROG running them",
    "perl -d": "the code its debugger runs before the program",
}
#: How to pass a value to a program instead of writing it into its code (a SQL client's `psql -c`, `mysql -e`...).
_CODE_INSTEAD = {
    "psql": "pass it as a psql variable instead: psql -v v=\"{{ x }}\" with the SQL on stdin (<<'SQL'), where :'v' is the value quoted as a literal",
    "mysql": "the mysql client has no variables for SQL given with -e: give the parameter a pattern: that lets only such a word through",
}
_CODE_INSTEAD["mariadb"] = _CODE_INSTEAD["mysql"]
_CODE_INSTEAD.update(  # `shell_files.runs_later`
    {by: f"the file is read later by {by} as code: give the parameter a pattern that lets only such a word through" for by in RUN_LATER_BY}
)
_CODE_INSTEAD["sqlite3"] = "sqlite3 takes no variables in SQL given as an operand: give the parameter a pattern that lets only such a word through"
_CODE_INSTEAD["git"] = _CODE_INSTEAD["java"] = (
    "write those options or that configuration in the runbook, or give the parameter a pattern that lets only a plain word through"
)
_CODE_INSTEAD["make"] = (
    "make pastes a variable's text into the recipe lines that read $(NAME), which a shell runs; pass it in the environment"
    ' instead, NAME="{{ x }}" make TARGET, and read it in the recipe as "$$NAME" (the shell expands it as data)'
)
_CODE_INSTEAD["make (MAKEFLAGS)"] = _CODE_INSTEAD["make"]  # (no `/` there: SHELL=/tmp/upload/evil picks the program)
_CODE_INSTEAD.update(
    dict.fromkeys(("jq", "gojq", "jaq"), "pass it as a jq variable instead: jq --arg v \"{{ x }}\" '... $v ...'"),
    yq="pass it in the environment instead: V=\"{{ x }}\" yq '... strenv(V) ...'",
)
_CODE_INSTEAD.update(
    dict.fromkeys(
        (f"aws {call}" for call in ("ssm send-command", "ssm start-session", "ecs execute-command")),
        "the instance runs it as a shell command (in the CLI's shorthand a comma starts another one): give the parameter a"
        " pattern or choices, or run a script already on the instance with the value as its argument",
    )
)


def code_instead(program: str) -> str:
    """How to pass a value to `program` (a `Place.code_of`) instead of writing it into its code."""
    return _CODE_INSTEAD.get(program, "pass it as an argument or an environment variable instead (awk -v NAME=VALUE, ENVIRON, os.environ)")
