"""``python -m sora_nb.server`` serves for real: loopback by default, options as flags."""

from __future__ import annotations

import logging
import os
import re
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest

from sora_nb.server.__main__ import build_parser, is_loopback, main


def test_help_lists_the_options(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as stop:
        main(["--help"])
    assert stop.value.code == 0
    text = capsys.readouterr().out
    for option in (
        "--port",
        "--api-key",
        "--time-scale",
        "--media",
        "--fault-429",
        "--allow-remote",
    ):
        assert option in text


def test_a_remote_address_needs_allow_remote(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as stop:
        main(["--host", "0.0.0.0"])
    assert stop.value.code == 2
    assert "--allow-remote" in capsys.readouterr().err


def test_bad_fault_rates_are_refused(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit):
        main(["--fault-500", "2"])
    assert "rate_500" in capsys.readouterr().err


@pytest.mark.parametrize(
    ("host", "loopback"),
    [
        ("127.0.0.1", True),
        ("::1", True),
        ("localhost", True),
        ("0.0.0.0", False),
        ("192.168.1.4", False),
        ("example.com", False),
    ],
)
def test_loopback_detection(host: str, loopback: bool) -> None:
    assert is_loopback(host) is loopback


def test_defaults_bind_loopback() -> None:
    assert build_parser().parse_args([]).host == "127.0.0.1"


def test_served_in_a_process_with_a_key(tmp_path: Path) -> None:
    key = "sk-cli-test-9876"
    env = {**os.environ, "PYTHONUNBUFFERED": "1"}
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "sora_nb.server",
            "--port",
            "0",
            "--api-key",
            key,
            "--media",
            str(tmp_path / "media"),
            "--time-scale",
            "0",
        ],
        stderr=subprocess.PIPE,
        text=True,
        env=env,
    )
    try:
        assert process.stderr is not None
        base_url = None
        deadline = time.monotonic() + 30
        while base_url is None and time.monotonic() < deadline:
            line = process.stderr.readline()
            if not line and process.poll() is not None:
                break
            found = re.search(r"running on (http://127\.0\.0\.1:\d+)", line)
            if found:
                base_url = found.group(1) + "/v1"
        assert base_url is not None, "the server did not say where it listens"
        assert httpx.get(f"{base_url}/videos").status_code == 401
        headers = {"Authorization": f"Bearer {key}"}
        made = httpx.post(f"{base_url}/videos", json={"prompt": "curl works"}, headers=headers)
        assert made.status_code == 200 and made.json()["status"] == "queued"
        assert (tmp_path / "media" / "jobs" / made.json()["id"] / "job.json").is_file()
    finally:
        process.terminate()
        process.wait(20)


def test_simulated_drops_log_one_line_not_a_traceback() -> None:
    from sora_nb.server.__main__ import QuietDrops
    from sora_nb.server.errors import DroppedConnection

    try:
        raise DroppedConnection("The download was cut short.")
    except DroppedConnection as exc:
        record = logging.LogRecord(
            "uvicorn.error",
            logging.ERROR,
            __file__,
            1,
            "Exception in ASGI application\n",
            (),
            (type(exc), exc, exc.__traceback__),
        )
    assert QuietDrops().filter(record)
    assert record.getMessage() == "simulated fault: The download was cut short."
    assert record.exc_info is None
