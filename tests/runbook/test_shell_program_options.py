"""A value in an interpreter's option that is code, or that names the program it runs, though no `-e`/`-c` is there.

Each attack was run for real first, under dash and bash, with the value passed as the program passes it (out of band,
one literal word to the shell): the interpreter then read it as its own code and made the marker file.
"""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

import pytest

from runbook_tui.runbook.templating import TemplateError, render_command

SHELLS = ("dash", "bash")


def run(template: str, value: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    """`template` rendered with x = `value` and run by each shell in `cwd`; the last result."""
    command = render_command(template, {"x": value})
    result: subprocess.CompletedProcess[str] | None = None
    for shell in SHELLS:
        path = shutil.which(shell)
        assert path, f"{shell} is not installed (scripts/test installs dash)"
        result = subprocess.run(
            [path, "-c", command.text],
            env={"PATH": os.environ["PATH"], "HOME": str(cwd), **dict(command.env)},
            cwd=cwd,
            capture_output=True,
            text=True,
            timeout=20,
        )
        assert result.returncode == 0, (shell, template, result.stderr)
    assert result is not None
    return result


PERL_MODULE_CODE = [
    "perl -M{{ x }} -e 'print 1'",
    "perl -M\"{{ x }}\" -e 'print 1'",
    "perl -wM{{ x }} -e 'print 1'",  # a bundle ending in -M
    "perl -l0M{{ x }} -e 'print 1'",
    "perl -CSD -M{{ x }} -e 'print 1'",
    "perl -e 'print 1' -M{{ x }}",  # options after the code option are still perl's
    "perl -M-{{ x }} -e 'print 1'",  # `no MOD;`
    "perl -m{{ x }} -e 'print 1'",
    "perl -d:{{ x }} -e 'print 1'",  # `use Devel::MOD`
]


@pytest.mark.parametrize("template", PERL_MODULE_CODE)
def test_a_value_in_perls_module_option_is_a_plain_word_or_refused(template: str, tmp_path: Path) -> None:
    """perl turns `-MMOD` into `use MOD;`, so `-M{{ x }}` with x = `strict;system("touch F")` ran system (F made, under
    dash and bash): only `-e`/`-E` were known as perl's code. The value there is now code to perl: a plain word passes
    (`-M{{ x }}` with `strict`), anything else is refused before it runs."""
    if "-d:" not in template:
        assert run(template, "strict", tmp_path).stdout.rstrip("\0\n") == "1"
    for hostile in ('strict;system("touch pwned")', "strict;system q(touch pwned)", 'Foo=a}),system("touch pwned"),q({'):
        with pytest.raises(TemplateError, match="code to perl"):
            render_command(template, {"x": hostile})
    assert list(tmp_path.iterdir()) == []


def test_perls_other_attached_options_and_the_scripts_arguments_stay_data(tmp_path: Path) -> None:
    """`-I DIR`, `-i.EXT`, and words after the script or `--` are no perl code: any value passes, and runs nothing."""
    hostile = 'a;system("touch pwned")'
    for template in (
        "perl -I{{ x }} -e 'print 1'",
        "perl -I {{ x }} -e 'print 1'",
        "perl -e 'print 1' -- -M{{ x }}",
        "perl -le 'print for @ARGV' -- -M{{ x }}",
    ):
        run(template, hostile, tmp_path)
    assert list(tmp_path.iterdir()) == []
