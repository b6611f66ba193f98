"""A child server run from a terminal: SIGTERM behaves as Ctrl-C, and the server is stopped whatever happens."""

from __future__ import annotations

import signal
from collections.abc import Callable

from damascus_ie.core.processes import ChildServer


def _interrupt(*_: object) -> None:
    """SIGTERM (e.g. from make or a terminal closing) stops the server the same way as Ctrl-C."""
    raise KeyboardInterrupt


def in_foreground(server: ChildServer, name: str, session: Callable[[], int | None], interrupted: int = 0) -> int:
    """Runs `session` (prints how to use the server, or runs a command and returns its exit code); with no code from
    it, waits until the server exits (1) or Ctrl-C (`interrupted`). `name` says which server in the messages."""
    signal.signal(signal.SIGTERM, _interrupt)
    try:
        code = session()
        if code is not None:
            return code
        server.process.wait()
        print(f"{name} exited with {server.process.returncode}")
        return 1
    except KeyboardInterrupt:
        print(f"\nStopping {name} ...")
        return interrupted
    finally:
        server.stop()
