"""sora_nb's Jupyter server extension, in a real Jupyter server: it streams files of a media
folder a running kernel registered (range requests, behind Jupyter's login), and refuses and
logs everything else. ``pip install`` enables it."""

from __future__ import annotations

import http.client
import os
import secrets
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from sora_nb.jupyter_media import registry as media_registry

VIDEO = os.urandom(300_000)


@dataclass
class Server:
    port: int
    token: str
    log: Path
    registry: Path

    def request(
        self, method: str, path: str, *, auth: bool = True, headers: dict[str, str] | None = None
    ) -> tuple[int, bytes, dict[str, str]]:
        """One raw request (the path is sent exactly as written: no client normalises it)."""
        conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=10)
        sent = dict(headers or {})
        if auth:
            sent["Authorization"] = f"token {self.token}"
        conn.request(method, path, headers=sent)
        response = conn.getresponse()
        body = response.read()
        conn.close()
        return response.status, body, {k.lower(): v for k, v in response.getheaders()}


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    """``jupyter server`` with the extensions this environment's install enabled."""
    tmp = tmp_path_factory.mktemp("jupyter")
    root = tmp / "root"
    root.mkdir()
    runtime = tmp / "runtime"
    port, token = _free_port(), secrets.token_hex(16)
    env = {
        **os.environ,
        "JUPYTER_RUNTIME_DIR": str(runtime),
        "JUPYTER_CONFIG_DIR": str(tmp / "config"),
    }
    args = [
        sys.executable,
        "-m",
        "jupyter_server",
        "--no-browser",
        "--ServerApp.ip=127.0.0.1",
        f"--ServerApp.port={port}",
        "--ServerApp.port_retries=0",
        f"--IdentityProvider.token={token}",
        f"--ServerApp.root_dir={root}",
    ]
    if hasattr(os, "geteuid") and os.geteuid() == 0:
        args.append("--allow-root")
    log = tmp / "server.log"
    with log.open("wb") as out:
        proc = subprocess.Popen(
            args, env=env, stdout=out, stderr=subprocess.STDOUT, start_new_session=True
        )
    try:
        deadline = time.monotonic() + 30
        while "sora_nb: streaming" not in log.read_text(errors="replace"):
            if proc.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError(
                    "jupyter server did not load sora_nb's extension within 30 s:\n"
                    + log.read_text(errors="replace")[-3000:]
                )
            time.sleep(0.1)
        server = Server(port, token, log, runtime / "sora_nb_media")
        deadline = time.monotonic() + 30
        while True:
            try:
                if server.request("GET", "/api/status")[0] == 200:
                    break
            except OSError:
                pass
            if time.monotonic() > deadline:
                raise RuntimeError("jupyter server did not answer /api/status within 30 s")
            time.sleep(0.1)
        yield server
    finally:
        os.killpg(proc.pid, signal.SIGTERM)
        try:
            proc.wait(timeout=15)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait(timeout=5)


@pytest.fixture(scope="module")
def media(server: Server, tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, str]:
    """A media folder outside the server's root, registered as a kernel under it does."""
    base = tmp_path_factory.mktemp("outside")
    folder = base / "sora_media"
    (folder / "takes" / "t1").mkdir(parents=True)
    (folder / "takes" / "t1" / "video.mp4").write_bytes(VIDEO)
    (folder / "ledger.sqlite").write_bytes(b"SQLite format 3\0 not for the page")
    (base / "secret.mp4").write_bytes(b"SECRET beside the media folder")
    (folder / "takes" / "t1" / "link.mp4").symlink_to(base / "secret.mp4")
    # The kernel learns the registry from its environment, as kernels started by the server do.
    previous = os.environ.get(media_registry.REGISTRY_ENV)
    os.environ[media_registry.REGISTRY_ENV] = str(server.registry)
    try:
        ident = media_registry.register(folder)
    finally:
        if previous is None:
            del os.environ[media_registry.REGISTRY_ENV]
        else:
            os.environ[media_registry.REGISTRY_ENV] = previous
    assert ident is not None
    return folder, ident


def test_a_registered_media_folder_streams_with_range_requests(
    server: Server, media: tuple[Path, str]
) -> None:
    _folder, ident = media
    url = f"/sora-nb/media/{ident}/takes/t1/video.mp4"
    status, body, headers = server.request("GET", url, headers={"Range": "bytes=1000-1999"})
    assert status == 206
    assert body == VIDEO[1000:2000]
    assert headers["content-range"] == f"bytes 1000-1999/{len(VIDEO)}"
    assert headers["content-type"] == "video/mp4"
    status, body, headers = server.request("HEAD", url)
    assert (status, body, headers["content-length"]) == (200, b"", str(len(VIDEO)))
    status, body, _ = server.request("GET", url)
    assert (status, body) == (200, VIDEO)


def test_without_jupyters_login_nothing_is_served(server: Server, media: tuple[Path, str]) -> None:
    _folder, ident = media
    status, body, _ = server.request(
        "GET", f"/sora-nb/media/{ident}/takes/t1/video.mp4", auth=False
    )
    assert status in (302, 403)
    assert VIDEO[:1000] not in body


@pytest.mark.parametrize(
    ("name", "path", "expected"),
    [
        ("dot-dot", "takes/../../secret.mp4", 403),
        ("encoded dot-dot", "takes/%2e%2e/%2e%2e/secret.mp4", 403),
        ("absolute path", "%2Fetc%2Fpasswd", 403),
        ("symlink out of the folder", "takes/t1/link.mp4", 403),
        ("not a media file", "ledger.sqlite", 403),
        ("missing file", "takes/t1/nothing.mp4", 404),
    ],
)
def test_a_path_out_of_the_media_folder_is_refused_and_logged(
    server: Server, media: tuple[Path, str], name: str, path: str, expected: int
) -> None:
    _folder, ident = media
    before = server.log.read_text(errors="replace").count("sora_nb media: refused")
    status, body, _ = server.request("GET", f"/sora-nb/media/{ident}/{path}")
    assert status == expected, name
    assert b"SECRET" not in body and b"SQLite" not in body
    assert b"root:" not in body
    _wait_for_log(server, before + 1)


def test_a_folder_no_running_kernel_registered_is_not_served(
    server: Server, media: tuple[Path, str], tmp_path: Path
) -> None:
    other = tmp_path / "sora_media"
    (other / "takes").mkdir(parents=True)
    (other / "takes" / "v.mp4").write_bytes(b"not registered")
    before = server.log.read_text(errors="replace").count("sora_nb media: refused")
    for ident in (media_registry.folder_id(other), "not-an-id", "0" * 16):
        status, body, _ = server.request("GET", f"/sora-nb/media/{ident}/takes/v.mp4")
        assert status == 404 and b"not registered" not in body
    _wait_for_log(server, before + 3)


def test_pip_install_enables_the_extension() -> None:
    """The wheel's etc/jupyter/jupyter_server_config.d/sora_nb.json, as this install has it."""
    listed = subprocess.run(
        [sys.executable, "-m", "jupyter_server", "extension", "list"],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    out = listed.stdout + listed.stderr
    assert "sora_nb enabled" in out.replace("\x1b[32m", "").replace("\x1b[0m", "")
    assert "sora_nb 0.1.0 OK" in out.replace("\x1b[32m", "").replace("\x1b[0m", "")
    import sora_nb

    (point,) = sora_nb._jupyter_server_extension_points()
    assert point == {"module": "sora_nb.jupyter_media.extension"}


def _wait_for_log(server: Server, count: int) -> None:
    deadline = time.monotonic() + 5
    while server.log.read_text(errors="replace").count("sora_nb media: refused") < count:
        if time.monotonic() > deadline:
            raise AssertionError(
                f"the server log has fewer than {count} refusals after 5 s:\n"
                + server.log.read_text(errors="replace")[-2000:]
            )
        time.sleep(0.05)
