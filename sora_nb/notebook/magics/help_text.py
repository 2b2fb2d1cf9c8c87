"""What ``%%sora?`` shows: every option (from the option parser) and every command (from the
command table), with their help, built when asked."""

from __future__ import annotations

from sora_nb.notebook.magics.registry import COMMANDS


def usage() -> str:
    """``%%sora?``: every option (from the option parser) and every command, with their help."""
    import textwrap

    from sora_nb.notebook.options import option_help

    options = option_help()
    commands = [(f"%sora {use}", text) for use, text in COMMANDS.values()]
    width = max(len(first) for first, _text in options + commands) + 2

    def table(rows: list[tuple[str, str]]) -> list[str]:
        return [
            textwrap.fill(
                text,
                width=96,
                initial_indent=f"  {first:<{width}}",
                subsequent_indent=" " * (width + 2),
            )
            for first, text in rows
        ]

    lines = [
        "%%sora [OPTIONS]  then the shot on the lines below; {name} is filled from variables",
        "%sora COMMAND",
        "",
        "Generate video from the cell's prompt: the cost shows first, then a player (or a grid)",
        "that follows the jobs. What a line does not say comes from the defaults.",
        "",
        "Options:",
        *table(options),
        "",
        "Commands:",
        *table(commands),
        "",
        "Defaults: %config SoraMagics.model = 'sora-2-pro' (also size, seconds, takes), or",
        "sora_nb.configure(model=...), or SORA_NB_MODEL before starting; they reach cells,",
        "sora_nb.generate, sora_nb.grid and new Studios alike. %sora config shows them.",
    ]
    return "\n".join(lines)
