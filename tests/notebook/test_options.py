"""%%sora's line: every option parses, and every mistake says what to type instead."""

from __future__ import annotations

from pathlib import Path

import pytest

from sora_nb.notebook.options import OptionsError, VaryAxis, parse_options


def test_defaults_leave_everything_to_configuration() -> None:
    options = parse_options("")
    assert options.model is None and options.size is None and options.seconds is None
    assert options.cache and not options.dry_run and options.wait is None


def test_every_option() -> None:
    options = parse_options(
        "--model sora-2-pro --size 1792x1024 --seconds 8 --image ref.png --fit --takes 3 "
        "--as hero --budget $2.50 --dry-run --no-wait --no-cache --server http://127.0.0.1:9/v1"
    )
    assert options.model == "sora-2-pro"
    assert options.size == "1792x1024"
    assert options.seconds == 8
    assert options.image == Path("ref.png")
    assert options.fit
    assert options.takes == 3
    assert options.bind == "hero"
    assert options.budget == 2.5
    assert options.dry_run and options.wait is False and options.cache is False
    assert options.server == "http://127.0.0.1:9/v1"


@pytest.mark.parametrize(
    ("flag", "size"), [("--landscape", "1280x720"), ("--portrait", "720x1280")]
)
def test_orientation_flags_pick_the_standard_size(flag: str, size: str) -> None:
    assert parse_options(flag).size == size


def test_vary_axes_keep_their_order_and_quoted_values() -> None:
    options = parse_options(
        "--vary length=short,medium,long --vary model=sora-2,sora-2-pro "
        '--vary "sr=golden hour,blue hour,night"'
    )
    assert options.vary == (
        VaryAxis(name="length", values=("short", "medium", "long")),
        VaryAxis(name="model", values=("sora-2", "sora-2-pro")),
        VaryAxis(name="sr", values=("golden hour", "blue hour", "night")),
    )


@pytest.mark.parametrize(
    ("line", "message"),
    [
        ("--takes two", "--takes takes a whole number, like --takes 4"),
        ("--takes 0", "--takes must be at least 1"),
        ("--seconds soon", "--seconds takes a whole number"),
        ("--fit", "add --image PATH"),
        ("--as 2nd", "--as needs a Python name"),
        ("--budget lots", "--budget takes dollars"),
        ("--vary length", "at least two values"),
        ("--vary length=short", "at least two values"),
        ("--vary a=1,1", "lists a value twice"),
        ("--vary a=1,2 --vary a=3,4", "its own name"),
        ("--vary a=1,2 --vary b=1,2 --vary c=1,2 --vary d=1,2", "at most three"),
        ("--remix video_1 --vary a=1,2", "drop --vary"),
        ("--landscape --portrait", "not allowed with argument"),
        ("--colour red", "unrecognized arguments: --colour"),
        ('--image "unclosed', "check the quotes"),
    ],
)
def test_mistakes_say_what_to_do(line: str, message: str) -> None:
    with pytest.raises(OptionsError) as info:
        parse_options(line)
    assert message in str(info.value)
    assert str(info.value).startswith("%%sora: ")


def test_every_option_has_help_and_sora_help_is_built_from_the_parser() -> None:
    from IPython.core.interactiveshell import InteractiveShell

    from sora_nb.notebook.magics import COMMANDS, usage
    from sora_nb.notebook.options import _parser, option_help

    actions = _parser()._actions
    assert actions and all(action.help for action in actions), "every option needs help="
    shell = InteractiveShell.instance()
    shell.run_line_magic("load_ext", "sora_nb")
    shown = shell.object_inspect_text("%%sora")
    assert usage() in shown  # %%sora? shows the generated text
    for flags, text in option_help():
        assert flags in shown and text.split()[0] in shown, flags
    for option in (o for action in actions for o in action.option_strings):
        assert option in shown, option
    for use, text in COMMANDS.values():
        assert f"%sora {use}" in shown and text.split()[0] in shown
    assert set(COMMANDS) == {
        name.removeprefix("_cmd_")
        for name in dir(shell.magics_manager.registry["SoraMagics"])
        if name.startswith("_cmd_")
    }


def test_the_readme_lists_every_option_and_command() -> None:
    from pathlib import Path

    from sora_nb.notebook.magics import COMMANDS
    from sora_nb.notebook.options import _parser

    readme = (Path(__file__).resolve().parents[2] / "README.md").read_text(encoding="utf-8")
    options = [o for a in _parser()._actions for o in a.option_strings if o.startswith("--")]
    assert [o for o in options if f"`{o}" not in readme] == []
    assert [name for name in COMMANDS if f"`%sora {name}" not in readme] == []
