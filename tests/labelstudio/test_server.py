"""Server life cycle: the real port from the log, loopback-only binding, nothing left running, `serve` in the foreground."""

from __future__ import annotations

import os
import shutil
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest

from damascus_ie.labelstudio.server import (
    DATABASE,
    LOG_NAME,
    SECRET_NAME,
    Server,
    ServerError,
    start_server,
    stop_process_group,
)

from .conftest import CREDENTIALS, STARTED_PIDS, Session, group_alive

pytestmark = pytest.mark.labelstudio


def listening_addresses(port: int) -> set[str]:
    """Local addresses (hex, as in /proc/net/tcp) with a socket listening on `port`."""
    found = set()
    for table in ("/proc/net/tcp", "/proc/net/tcp6"):
        for line in Path(table).read_text().splitlines()[1:]:
            local, state = line.split()[1], line.split()[3]
            address, hex_port = local.split(":")
            if state == "0A" and int(hex_port, 16) == port:
                found.add(address)
    return found


def occupied_port_with_free_successor() -> socket.socket:
    """A listening socket on PORT where PORT+1 is free, so Label Studio's move to PORT+1 can succeed."""
    for _ in range(100):
        with socket.socket() as probe:
            probe.bind(("127.0.0.1", 0))
            free = probe.getsockname()[1]
        taken = socket.socket()
        try:
            taken.bind(("127.0.0.1", free - 1))
        except OSError:
            taken.close()
            continue
        taken.listen()
        return taken
    raise RuntimeError("no port pair found")


def test_stop_kills_the_whole_process_group() -> None:
    process = subprocess.Popen(["sh", "-c", "sleep 60 & sleep 60"], start_new_session=True)
    time.sleep(0.2)
    stop_process_group(process, timeout=5)
    assert not group_alive(process.pid)


def test_missing_binary_is_a_clear_error(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("LABEL_STUDIO_BIN", str(tmp_path / "nowhere" / "label-studio"))
    with pytest.raises(ServerError, match="Label Studio not found"):
        start_server(tmp_path / "data", CREDENTIALS)


def test_taken_port_moves_the_server_and_the_url_follows_the_log(ls_server: Server, tmp_path: Path) -> None:
    with occupied_port_with_free_successor() as taken:
        port = taken.getsockname()[1]
        template = tmp_path / "template"
        template.mkdir()
        shutil.copy2(ls_server.data_dir / DATABASE, template / DATABASE)
        started = time.monotonic()
        server = start_server(tmp_path / "data", CREDENTIALS, template=template, port=port)
        try:
            seconds = time.monotonic() - started
            real_port = int(server.url.rsplit(":", 1)[1])
            assert real_port != port and server.url.startswith("http://127.0.0.1:")
            assert listening_addresses(real_port) == {"0100007F"}  # 127.0.0.1 only, never 0.0.0.0
        finally:
            server.stop()
    assert not group_alive(server.pid)
    assert seconds < 60, f"a start from a migrated template took {seconds:.1f} s"


def test_serve_runs_in_the_foreground_and_ctrl_c_stops_the_server(ls_server: Server, tmp_path: Path) -> None:
    data = tmp_path / "serve-data"
    data.mkdir()
    shutil.copy2(ls_server.data_dir / DATABASE, data / DATABASE)  # an existing contributor data dir
    env = {**os.environ, "LABEL_STUDIO_API_KEY": CREDENTIALS.token}
    serve = subprocess.Popen([sys.executable, "-m", "damascus_ie.cli", "labelstudio", "serve", "--data-dir",
                              str(data), "--port", "0"], env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                             text=True, start_new_session=True)
    lines: list[str] = []
    try:
        for line in serve.stdout:  # type: ignore[union-attr]
            lines.append(line)
            if "Ctrl-C stops the server" in line:
                break
        banner = "".join(lines)
        running = next(line for line in lines if "Label Studio is running at" in line)
        pid = int(running.split("(PID ")[1].split(",")[0])
        STARTED_PIDS.append(pid)
        assert "http://127.0.0.1:" in running and "export LABEL_STUDIO_URL=http://127.0.0.1:" in banner
        assert "damascus-ie labelstudio push" in banner and CREDENTIALS.token not in banner
        assert group_alive(pid)
        serve.send_signal(signal.SIGINT)
        assert serve.wait(timeout=30) == 0
    finally:
        if serve.poll() is None:
            stop_process_group(serve)
    assert not group_alive(pid)
    assert CREDENTIALS.token not in (data / "server.log").read_text()


def test_a_restart_keeps_everyone_logged_in(ls_server: Server, tmp_path: Path) -> None:
    """The secret key lives in the data folder (owner-only), so a session signed before a restart still counts."""
    template = tmp_path / "template"
    template.mkdir()
    shutil.copy2(ls_server.data_dir / DATABASE, template / DATABASE)
    data = tmp_path / "data"
    server = start_server(data, CREDENTIALS, template=template)
    try:
        session = Session(server.url).login(CREDENTIALS.username, CREDENTIALS.password)
        assert session.whoami()["email"] == CREDENTIALS.username
    finally:
        server.stop()
    key = (data / SECRET_NAME).read_text()
    assert (data / SECRET_NAME).stat().st_mode & 0o777 == 0o600 and len(key) > 40
    server = start_server(data, CREDENTIALS)  # no SECRET_KEY exported anywhere: read from the data folder
    try:
        session.url = server.url  # the port may differ; the cookie is per host
        assert session.whoami()["email"] == CREDENTIALS.username
    finally:
        server.stop()
    assert (data / SECRET_NAME).read_text() == key
    assert key not in (data / LOG_NAME).read_text()
