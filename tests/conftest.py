"""Suite-wide settings (no network, no shared Hugging Face cache) and the helpers every test folder uses.

Sub-folder conftests import the helpers with `from ..conftest import locate, mention, copy_checkout`.
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any

import pytest

os.environ["HF_HUB_OFFLINE"] = "1"
os.environ["HF_DATASETS_OFFLINE"] = "1"
os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")

REPO_ROOT = Path(__file__).resolve().parents[1]
CHECKOUT_INPUTS = ("seeds", "schemas", "annotations", "dataset")


def locate(text: str, needle: str, nth: int = 0) -> dict[str, Any]:
    """The span of the nth occurrence of `needle`, so a fixture reads as words, not offsets."""
    start = -1
    for _ in range(nth + 1):
        start = text.index(needle, start + 1)
    return {"start": start, "end": start + len(needle), "text": needle}


def mention(text: str, mid: str, needle: str, kind: str, level: str, entity: str | None, nth: int = 0,
            value: str | None = None) -> dict[str, Any]:
    """A mention record on the nth occurrence of `needle`."""
    return {"id": mid, **locate(text, needle, nth), "type": kind, "level": level, "entity": entity, "value": value}


def copy_checkout(target: Path, names: Iterable[str] = CHECKOUT_INPUTS,
                  ignore: Callable[[str, list[str]], Iterable[str]] | None = None) -> Path:
    """A scratch repository: these top-level folders of the checkout copied into `target`, so a test that
    writes (build, bump, review) never touches the checkout."""
    for name in names:
        shutil.copytree(REPO_ROOT / name, target / name, ignore=ignore)
    return target


@pytest.fixture(autouse=True)
def _fresh_hf_home(tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch) -> None:
    """Each test gets its own Hugging Face cache, so no test reads another's stale entry."""
    monkeypatch.setenv("HF_HOME", str(tmp_path_factory.mktemp("hf_home")))


@pytest.fixture(scope="session")
def repo_root() -> Path:
    return REPO_ROOT
