"""CLI start-up: building the parser imports no heavy library; only the command that runs pays for its own.

Checked by what is imported (`sys.modules` in a fresh interpreter), not by a timing, so the test
says the same on a busy machine as on an idle one. README "Command line" gives the measured times.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

PACKAGE_PARENT = Path(__file__).resolve().parents[1] / "eval"

# Each of these costs from tens of milliseconds (rich, jsonschema) to over a second (label_studio_sdk).
HEAVY = ("label_studio_sdk", "datasets", "huggingface_hub", "pandas", "numpy", "scipy", "sklearn", "spacy",
         "textacy", "matplotlib", "rich", "pyarrow", "jsonschema", "tqdm", "httpx", "pydantic")

PROBE = """
import json, sys
from damascus_ie.cli import main
try:
    main(sys.argv[1:])
except SystemExit:
    pass
print(json.dumps(sorted({name.split(".")[0] for name in sys.modules})), file=sys.stderr)
"""


def run_probe(*argv: str) -> tuple[str, set[str]]:
    """`damascus-ie *argv` run to its exit in a fresh interpreter: its output and the top-level packages it imported."""
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(PACKAGE_PARENT), os.environ.get("PYTHONPATH", "")])}
    done = subprocess.run([sys.executable, "-c", PROBE, *argv], capture_output=True, text=True, env=env, timeout=120,
                          check=True)
    return done.stdout, set(json.loads(done.stderr.strip().splitlines()[-1]))


@pytest.mark.parametrize("argv", [("--help",), ("score", "--help"), ("--version",)], ids=" ".join)
def test_help_imports_no_heavy_library(argv: tuple[str, ...]) -> None:
    output, imported = run_probe(*argv)
    assert output.startswith(("usage: damascus-ie", "damascus-ie "))
    assert sorted(imported & set(HEAVY)) == []


def test_the_probe_sees_what_a_command_imports() -> None:
    """The check can fail: `score` (here on an empty predictions file) imports the scorer and numpy with it."""
    _, imported = run_probe("score", os.devnull, "--bootstrap", "0")
    assert "numpy" in imported
