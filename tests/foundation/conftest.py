"""A scratch copy of the repository with a small hand-made gold (never shipped), built and recorded."""

from __future__ import annotations

import datetime
import shutil
from pathlib import Path

import pytest

from damascus_ie.core.io import GOLD_SOURCE, load_gold
from damascus_ie.dataset.build import data_hash, write_dataset
from damascus_ie.dataset.changelog import CHANGELOG, entry_text, with_entry

from ..conftest import copy_checkout

FIXTURE_GOLD = Path(__file__).parent / "fixture_gold.json"


def make_repo_copy(target: Path) -> Path:
    """Seeds and schemas of the checkout, the fixture gold, a CHANGELOG entry for it, and the built dataset."""
    copy_checkout(target, ("seeds", "schemas"))
    (target / "annotations").mkdir()
    shutil.copy(FIXTURE_GOLD, target / GOLD_SOURCE)
    version, docs = load_gold(target)
    changelog = target / CHANGELOG
    changelog.parent.mkdir(parents=True)
    changelog.write_text(with_entry("", entry_text(version, datetime.date(2026, 1, 1).isoformat(), data_hash(docs),
                                                   ["Fixture gold for tests."])), encoding="utf-8")
    write_dataset(target)
    return target


@pytest.fixture
def repo(tmp_path: Path) -> Path:
    return make_repo_copy(tmp_path / "repo")
