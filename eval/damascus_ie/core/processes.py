"""Child servers (Label Studio, the LLM server): a free loopback port, a log tail for errors, a clean stop.

Each server runs in its own session, so its pid is its process group id and
SIGTERM to the group stops it and every child it started.
"""

from __future__ import annotations

import contextlib
import os
import signal
import socket
import subprocess
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Self


@dataclass
class ChildServer:
    """A server started in its own session (its `process`): `stop()` ends the group; a context manager too."""

    process: subprocess.Popen[Any] = field(repr=False)

    @property
    def pid(self) -> int:
        """The server's pid, which is also its process group id."""
        return self.process.pid

    def stop(self, timeout: float = 15.0) -> None:
        stop_process_group(self.process, timeout)

    def __enter__(self) -> Self:
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()


def configured_path(variable: str, default: Path, what: str, error: type[Exception]) -> Path:
    """$`variable`, else `default` (a virtualenv of the checkout, which `make setup` creates); `error` if missing."""
    path = Path(os.environ.get(variable) or default)
    if not path.exists():
        raise error(f"{what} not found at {path}: run `make setup` or set {variable}")
    return path


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def stop_process_group(process: subprocess.Popen[Any], timeout: float = 15.0) -> None:
    """SIGTERM to the server's own process group (its pid), SIGKILL if it lingers; always reaps the child."""
    if process.poll() is None:
        for sig in (signal.SIGTERM, signal.SIGKILL):
            try:
                os.killpg(process.pid, sig)
            except ProcessLookupError:
                break
            try:
                process.wait(timeout=timeout)
                break
            except subprocess.TimeoutExpired:
                continue
    process.wait()
    with contextlib.suppress(ProcessLookupError):  # children left in the group after the leader exited
        os.killpg(process.pid, signal.SIGKILL)
    deadline = time.monotonic() + timeout
    while group_exists(process.pid) and time.monotonic() < deadline:  # orphans linger until init reaps them
        time.sleep(0.05)


def group_exists(pgid: int) -> bool:
    try:
        os.killpg(pgid, 0)
    except ProcessLookupError:
        return False
    return True


def log_tail(log: Path, lines: int = 25) -> str:
    try:
        return "\n".join(log.read_text(encoding="utf-8", errors="replace").splitlines()[-lines:])
    except FileNotFoundError:
        return "(no log)"
