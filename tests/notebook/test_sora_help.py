"""``%%sora?`` shows every option with its whole help, generated from the option parser, and
every command with its whole help, from the command table."""

from __future__ import annotations

import argparse

import pytest
from IPython.core.interactiveshell import InteractiveShell

from sora_nb.notebook import options
from sora_nb.notebook.magics import COMMANDS


def _shown() -> str:
    """What ``%%sora?`` shows after ``%load_ext sora_nb``, its line breaks and indents undone."""
    shell = InteractiveShell.instance()
    shell.run_line_magic("load_ext", "sora_nb")
    return " ".join(shell.object_inspect_text("%%sora").split())


def _flat(text: str) -> str:
    return " ".join(text.split())


def test_every_parser_option_shows_with_its_whole_help() -> None:
    shown = _shown()
    actions = options._parser()._actions
    assert len(actions) > 20, "the parser lost its options"
    missing = [
        action.option_strings
        for action in actions
        if not action.help or _flat(action.help % {}) not in shown
    ]
    assert missing == [], f"options whose help %%sora? does not show in full: {missing}"
    flags = [flag for action in actions for flag in action.option_strings]
    assert [flag for flag in flags if flag not in shown] == []


def test_every_command_shows_with_its_whole_help_in_the_table_order() -> None:
    shown = _shown()
    places = []
    for use, text in COMMANDS.values():
        assert _flat(f"%sora {use} {text}") in shown, use
        places.append(shown.index(f"%sora {use} "))
    assert places == sorted(places), "%%sora? lists the commands out of the table's order"
    # The order the commands were grouped in before the magics became a package: what the
    # kernel and folder hold, connecting, then the folder's work.
    assert list(COMMANDS) == [
        "models",
        "history",
        "status",
        "resume",
        "cost",
        "config",
        "connect",
        "export",
        "character",
        "characters",
        "chain",
        "enhancer",
        "studio",
    ]


def test_an_option_added_to_the_parser_shows_without_writing_its_help_twice(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    built = options._parser

    def with_one_more() -> argparse.ArgumentParser:
        parser = built()
        parser.add_argument("--sparkle", metavar="S", help="a made-up option, 100%% new here")
        return parser

    monkeypatch.setattr(options, "_parser", with_one_more)
    assert "--sparkle S a made-up option, 100% new here" in _shown()
