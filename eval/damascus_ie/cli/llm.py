"""`damascus-ie llm-serve [-- COMMAND ...]`: the local LLM server, for a command or in the foreground.

With a command (`make llm-baseline` runs `damascus-ie benchmark --extractors llm`
this way), the server is started, the command runs with $DAMASCUS_IE_LLM_BASE_URL
and $DAMASCUS_IE_LLM_MODEL pointing at it, and the server is stopped whatever
the command's outcome. Without one, the server runs until Ctrl-C.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
from pathlib import Path

from damascus_ie.cli.serving import in_foreground


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser(
        "llm-serve", help="run the local LLM server (llama.cpp, SmolLM2-135M) for a command or until Ctrl-C",
        description="Starts python -m llama_cpp.server from $LLM_SERVER_PYTHON (default .venv-llm) on 127.0.0.1.")
    parser.add_argument("--port", type=int, default=None, help="default: a free port")
    parser.add_argument("--log-dir", type=Path, default=None, metavar="DIR", help="default: a temporary directory")
    parser.add_argument("command", nargs=argparse.REMAINDER, help="-- COMMAND [ARG ...] to run against the server")
    parser.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    from damascus_ie.leaderboard.extractors.llm import ENV_PREFIX
    from damascus_ie.leaderboard.llm_server import LLMServerError, start_llm_server

    command = args.command[1:] if args.command[:1] == ["--"] else args.command
    with tempfile.TemporaryDirectory(prefix="damascus-ie-llm-") as scratch:
        try:
            server = start_llm_server(args.log_dir or Path(scratch), port=args.port)
        except LLMServerError as error:
            print(f"damascus-ie llm-serve: {error}", file=sys.stderr)
            return 2

        def session() -> int | None:
            print(f"LLM server ({server.model}) at {server.base_url}, PID {server.pid}, log {server.log}", flush=True)
            if command:
                env = {**os.environ, f"{ENV_PREFIX}BASE_URL": server.base_url, f"{ENV_PREFIX}MODEL": server.model}
                return subprocess.run(command, env=env, check=False).returncode
            print(f"  export {ENV_PREFIX}BASE_URL={server.base_url} {ENV_PREFIX}MODEL={server.model}\n"
                  "  damascus-ie benchmark --extractors llm\nCtrl-C stops the server.", flush=True)
            return None

        return in_foreground(server, "the LLM server", session, interrupted=130 if command else 0)
