"""Starting and stopping a real local Label Studio server, for contributors (`serve`) and for the tests.

The server runs from its own virtualenv (it pins Django and ~200 packages the
harness must not inherit), bound to 127.0.0.1 with every outside call switched
off. Each server gets its own session so SIGTERM to its process group stops it
and its children; a migrated template database makes a start take seconds
instead of the half minute of migrations.
"""

from __future__ import annotations

import os
import re
import secrets
import shutil
import subprocess
import time
import urllib.error
import urllib.request
from dataclasses import dataclass
from pathlib import Path

from damascus_ie.core.paths import repo_root
from damascus_ie.core.processes import ChildServer, configured_path, free_port, log_tail, stop_process_group

DATABASE = "label_studio.sqlite3"
LOG_NAME = "server.log"
SECRET_NAME = "secret_key"  # Django's session signing key, kept with the database it belongs to
_STARTED = re.compile(r"Starting development server at (http://127\.0\.0\.1:(\d+))/")
DEFAULT_USERNAME = "admin@example.com"


class ServerError(RuntimeError):
    """The server could not be started; carries the tail of its log so the cause is visible."""


@dataclass(frozen=True)
class Credentials:
    username: str
    password: str
    token: str


@dataclass
class Server(ChildServer):
    url: str
    data_dir: Path
    credentials: Credentials


def label_studio_bin() -> Path:
    """$LABEL_STUDIO_BIN, else the server virtualenv of the checkout (`make setup` creates it)."""
    return configured_path("LABEL_STUDIO_BIN", repo_root() / ".venv-ls" / "bin" / "label-studio", "Label Studio",
                           ServerError)


def secret_key(data_dir: Path) -> str:
    """The server's secret key, made once per data folder (owner-only file) and reused by every later start, so a
    restart keeps everyone logged in; it never leaves the data folder."""
    path = data_dir / SECRET_NAME
    if not path.exists():
        data_dir.mkdir(parents=True, exist_ok=True)
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            handle.write(secrets.token_urlsafe(50))
    return path.read_text(encoding="utf-8").strip()


def server_env(data_dir: Path, credentials: Credentials) -> dict[str, str]:
    """Offline settings: own data dir, no signup, no version check, no analytics, no Sentry; legacy token on."""
    keep = {k: v for k, v in os.environ.items() if k in ("PATH", "LANG", "LC_ALL", "TZ", "TMPDIR")}
    return {
        **keep,
        "HOME": str(data_dir),
        "PYTHONUNBUFFERED": "1",
        "LABEL_STUDIO_BASE_DATA_DIR": str(data_dir),
        "LABEL_STUDIO_USERNAME": credentials.username,
        "LABEL_STUDIO_PASSWORD": credentials.password,
        "LABEL_STUDIO_USER_TOKEN": credentials.token,
        "LABEL_STUDIO_ENABLE_LEGACY_API_TOKEN": "true",
        "LABEL_STUDIO_DISABLE_SIGNUP_WITHOUT_LINK": "true",
        "SECRET_KEY": secret_key(data_dir),
        "LATEST_VERSION_CHECK": "false",
        "COLLECT_ANALYTICS": "false",
        "SENTRY_DSN": "",
        "FRONTEND_SENTRY_DSN": "",
    }


def _healthy(url: str) -> bool:
    try:
        with urllib.request.urlopen(f"{url}/health", timeout=2) as response:
            return response.status == 200
    except (urllib.error.URLError, OSError):
        return False


def _wait_ready(process: subprocess.Popen, log: Path, timeout: float) -> str:
    """The URL the server really bound (it moves to PORT+1 silently when PORT is taken), once /health answers."""
    deadline = time.monotonic() + timeout
    url = None
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise ServerError(f"Label Studio exited with {process.returncode}:\n{log_tail(log)}")
        if url is None:
            found = _STARTED.search(log.read_text(encoding="utf-8", errors="replace")) if log.exists() else None
            url = found.group(1) if found else None
        if url is not None and _healthy(url):
            return url
        time.sleep(0.25)
    raise ServerError(f"Label Studio not ready after {timeout:.0f} s:\n{log_tail(log)}")


def start_server(data_dir: Path, credentials: Credentials, *, template: Path | None = None, port: int | None = None,
                 timeout: float = 180.0) -> Server:
    """Starts a server on `data_dir` (copying a migrated template database first, if given) and waits until healthy."""
    data_dir.mkdir(parents=True, exist_ok=True)
    if template is not None and not (data_dir / DATABASE).exists():
        shutil.copy2(template / DATABASE, data_dir / DATABASE)
    log = data_dir / LOG_NAME
    command = [str(label_studio_bin()), "start", "--no-browser", "--internal-host", "127.0.0.1",
               "--port", str(port or free_port())]
    with log.open("w", encoding="utf-8") as handle:
        process = subprocess.Popen(command, cwd=data_dir, env=server_env(data_dir, credentials), stdout=handle,
                                   stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL, start_new_session=True)
    try:
        url = _wait_ready(process, log, timeout)
    except BaseException:
        stop_process_group(process)
        raise
    return Server(url=url, data_dir=data_dir, credentials=credentials, process=process)


def migrate_template(template: Path, credentials: Credentials, timeout: float = 300.0) -> Path:
    """Runs the migrations once into `template` (a start and a stop); servers copied from it start in seconds."""
    if (template / DATABASE).exists():
        return template
    staging = template.with_name(template.name + ".partial")
    shutil.rmtree(staging, ignore_errors=True)
    start_server(staging, credentials, timeout=timeout).stop()
    staging.rename(template)
    return template
