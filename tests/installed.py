"""sora_nb installed as users install it: the wheel built from this checkout, in a clean
virtualenv with no ``node`` or ``npm`` on its PATH, with a Jupyter kernel spec for it.

The session builds the wheel once (``python -m build --wheel``; the front end is already built
into ``sora_nb/static/`` by ``make setup``) and installs it once; pip reuses its cache, so the
install costs seconds on a machine that ran ``make setup``. Tests that need an extra (the
matplotlib a notebook's first cell asks for) get a copy of that virtualenv with the extra added.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
#: The kernel spec name of the installed environment.
KERNEL = "sora-wheel"
#: Package installs and builds may take a while on a fresh machine (pip's cache is cold).
INSTALL_TIMEOUT_S = 540


@dataclass(frozen=True)
class Installed:
    """A virtualenv holding sora_nb from its wheel (and nothing of this checkout)."""

    root: Path
    #: ``PATH`` for its processes: its own bin and an empty folder, so no node or npm.
    path: str
    #: A Jupyter data folder holding the kernel spec ``sora-wheel`` that starts its python.
    jupyter_path: Path

    @property
    def python(self) -> Path:
        return self.root / "bin" / "python"

    def env(self) -> dict[str, str]:
        """The environment its pip and kernel run with: this PATH, no PYTHONPATH."""
        env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "VIRTUAL_ENV")}
        return {**env, "PATH": self.path, "PIP_DISABLE_PIP_VERSION_CHECK": "1"}

    def pip_install(self, *requirements: str) -> None:
        """``pip install`` into this virtualenv, failing with pip's own words."""
        done = subprocess.run(
            [str(self.python), "-m", "pip", "install", "-q", *requirements],
            env=self.env(),
            capture_output=True,
            text=True,
            timeout=INSTALL_TIMEOUT_S,
        )
        if done.returncode != 0:
            raise RuntimeError(f"pip install {' '.join(requirements)} failed:\n{done.stderr}")

    def has(self, module: str) -> bool:
        """Whether ``module`` imports in this virtualenv."""
        probe = (
            f"import importlib.util, sys; sys.exit(importlib.util.find_spec({module!r}) is None)"
        )
        return subprocess.run([str(self.python), "-c", probe], env=self.env()).returncode == 0


def build_wheel(out: Path) -> Path:
    """The wheel of this checkout, built as a release is (``python -m build --wheel``)."""
    done = subprocess.run(
        [sys.executable, "-m", "build", "--wheel", "--outdir", str(out), str(ROOT)],
        capture_output=True,
        text=True,
        timeout=INSTALL_TIMEOUT_S,
    )
    if done.returncode != 0:
        raise RuntimeError(f"python -m build --wheel failed:\n{done.stdout[-3000:]}{done.stderr}")
    (wheel,) = out.glob("sora_nb-*.whl")
    return wheel


def make_installed(root: Path, wheel: Path) -> Installed:
    """A fresh virtualenv at ``root`` with ``wheel`` installed and a kernel spec for it."""
    subprocess.run([sys.executable, "-m", "venv", str(root)], check=True, timeout=120)
    empty = root / "no-tools"  # PATH's only other entry: no node, no npm, no compiler
    empty.mkdir()
    jupyter_path = root / "jupyter"
    installed = Installed(root, f"{root / 'bin'}{os.pathsep}{empty}", jupyter_path)
    _kernel_spec(installed)
    installed.pip_install(str(wheel))
    return installed


def copy_with(
    base: Installed, root: Path, *extras: str, constraints: Path | None = None
) -> Installed:
    """A copy of ``base`` (the same packages) with ``extras`` installed on top, held to the
    pip ``constraints`` file if one is given."""
    shutil.copytree(base.root, root, symlinks=True)
    empty = root / "no-tools"
    copy = Installed(root, f"{root / 'bin'}{os.pathsep}{empty}", root / "jupyter")
    _kernel_spec(copy)
    if extras:
        held = ["-c", str(constraints)] if constraints is not None else []
        copy.pip_install(*held, *extras)
    return copy


def _kernel_spec(installed: Installed) -> None:
    folder = installed.jupyter_path / "kernels" / KERNEL
    folder.mkdir(parents=True, exist_ok=True)
    spec = {
        "argv": [str(installed.python), "-m", "ipykernel_launcher", "-f", "{connection_file}"],
        "display_name": "sora_nb (wheel)",
        "language": "python",
        "env": {"PATH": installed.path, "PYTHONPATH": ""},
    }
    (folder / "kernel.json").write_text(json.dumps(spec))


@pytest.fixture(scope="session")
def wheel(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """This checkout's wheel, built once per session."""
    return build_wheel(tmp_path_factory.mktemp("dist"))


@pytest.fixture(scope="session")
def installed(wheel: Path, tmp_path_factory: pytest.TempPathFactory) -> Installed:
    """A clean virtualenv with the wheel installed (``pip install sora_nb``, nothing else)."""
    return make_installed(tmp_path_factory.mktemp("wheel-env") / "venv", wheel)
