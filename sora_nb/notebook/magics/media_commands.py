"""``%sora`` commands that work with the takes of the media folder: ``export`` (a run, or a
replay bundle), ``character`` and ``characters``, ``chain``, and the ``studio``."""

from __future__ import annotations

from typing import Any

from IPython.core.error import UsageError

from sora_nb.notebook.magics.base import SoraMagicsBase
from sora_nb.notebook.magics.registry import command


class MediaCommands(SoraMagicsBase):
    """Exports, characters, chains and the Studio."""

    @command(
        "export KIND [PATH]",
        "the last run as html, mp4, contact, csv or json; export PATH.zip: a replay bundle",
    )
    def _cmd_export(self, rest: str) -> Any:
        from sora_nb.notebook import display as show
        from sora_nb.notebook import kernel
        from sora_nb.research.export import export_run, kind_of
        from sora_nb.runs.bundle import export_bundle

        word, _, path = rest.strip().partition(" ")
        if not word:
            raise UsageError(
                "%sora export needs what to make: html, mp4, contact, csv or json (of the last "
                "grid, with an optional PATH), or a bundle PATH such as lesson.zip."
            )
        session = self._session()
        kind = kind_of(word)
        if kind is None:
            takes = [t for t in session.ledger.history(None) if t.ok]
            bundle = export_bundle(takes, rest.strip())
            return show.text(f"Exported {len(takes)} takes as a replay bundle: {bundle}.")
        run = kernel.last_run()
        if run is None:
            raise UsageError(
                f"%sora export {kind} exports the last grid or take of this kernel; run one first."
            )
        # The same function as run.export(kind) and sora_nb.export(run, kind).
        target = export_run(run, kind, path.strip() or None)
        return show.text(f"Exported the last run as {kind}: {target}.")

    @command(
        "character add NAME [CLIP.mp4] [--consent]",
        "make a character from a 2 to 4 s clip (16:9 or 9:16) and keep it in the media folder; "
        "without CLIP, make the folder's NAME on this server; --consent: the person filmed "
        "agreed (a face needs it)",
    )
    def _cmd_character(self, rest: str) -> Any:
        import shlex

        from sora_nb.notebook import display as show

        words = shlex.split(rest)
        consent = "--consent" in words
        words = [w for w in words if w != "--consent"]
        if len(words) not in (2, 3) or words[0] != "add":
            raise UsageError(
                "%sora character add NAME CLIP.mp4 makes a character from a clip (add "
                "--consent for a clip of a person who agreed); %sora characters lists them."
            )
        name, clip = words[1], (words[2] if len(words) == 3 else None)
        record = self._session().add_character(name, clip, consent=consent)
        return show.text(
            f"{record.name} is ready: write {record.name} in a prompt and add --character "
            f"{record.name} (clip {record.clip}; made on {', '.join(record.ids)})."
        )

    @command("characters", "the characters of this media folder: name, clip, id per server")
    def _cmd_characters(self, rest: str) -> Any:
        from sora_nb.notebook import display as show

        session = self._session()
        rows = [
            {
                "name": record.name,
                "clip": record.clip,
                "thumbnail": record.thumbnail,
                "ids": record.ids,
                "consent": record.consent,
            }
            for record in session.characters()
        ]
        if not rows:
            return show.text(
                "No characters yet: %sora character add NAME CLIP.mp4 makes one from a clip."
            )
        return show.table(rows, title=f"Characters in {session.media_dir}")

    @command(
        "chain TAKE [TAKE ...]",
        "a grid of the takes' chains, a row per step (the video, then each extension or "
        "edit), and the continuity at each join",
    )
    def _cmd_chain(self, rest: str) -> Any:
        import shlex

        from sora_nb.notebook import display as show
        from sora_nb.notebook import kernel
        from sora_nb.runs.chains import chain_grid
        from sora_nb.runs.take import Take

        session = self._session()
        takes = []
        for name in shlex.split(rest):
            found = self._take_named(name)
            if not isinstance(found, Take):
                found = session.ledger.get(found) or session.ledger.find_job(found)
            if found is None:
                raise UsageError(
                    f"%sora chain: no take {name!r} (a NAME kept with --as, or an id)."
                )
            takes.append(found)
        if not takes:
            raise UsageError("%sora chain TAKE [TAKE ...] shows the chains of one or more takes.")
        run = kernel.remember(chain_grid([t.chain() for t in takes], run_type=session.run_type))
        show.show_run(run, session)
        return show.continuity(run)

    @command("studio [PROMPT]", "the prompt studio, with this kernel's defaults")
    def _cmd_studio(self, rest: str) -> Any:
        from sora_nb.notebook.widgets import Studio

        return Studio(rest or None, session=self._session())
