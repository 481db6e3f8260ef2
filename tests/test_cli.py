"""The command line's shared behaviour: help, exit codes, how notes are shown."""

from __future__ import annotations

import pytest

from analytics.cli import main

LRPD = "tests/data/lrpd/lrpd_current.csv"
CAMERAS = "tests/data/registry_export.csv"


def test_no_command_prints_help_and_exits_2(capsys):
    assert main([]) == 2
    assert "COMMAND" in capsys.readouterr().out


def test_every_command_has_help(capsys):
    for command in (
        "demo",
        "validate",
        "registry",
        "coverage",
        "recommend",
        "forecast",
        "canvass",
        "briefing",
        "bench",
    ):
        with pytest.raises(SystemExit) as exit_info:
            main([command, "--help"])
        assert exit_info.value.code == 0
        assert "usage:" in capsys.readouterr().out


def test_load_fixes_are_notes_not_python_warnings(capsys):
    # the LRPD export has a byte-order mark and upper-case names: both are fixed
    # while loading and reported as one plain line each
    assert main(["coverage", "--cameras", CAMERAS, "--incidents", LRPD]) == 0
    err = capsys.readouterr().err
    assert "note: " in err
    assert "byte-order mark removed" in err
    assert "Warning" not in err
    assert ".py:" not in err
