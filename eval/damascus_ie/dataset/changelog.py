"""dataset/CHANGELOG.md: one entry per version, each carrying the data hash it promises."""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path
from typing import Literal, get_args

# Semantic versioning of the dataset: which part of X.Y.Z a release increments.
BumpLevel = Literal["major", "minor", "patch"]
BUMP_LEVELS: tuple[BumpLevel, ...] = get_args(BumpLevel)

CHANGELOG = Path("dataset") / "CHANGELOG.md"
_HEADER = "# Changelog\n\nEvery change to the labels gets a new version and an entry here; `damascus-ie verify` checks the hash.\n"
_ENTRY = re.compile(r"^## (?P<version>\d+\.\d+\.\d+)(?: - (?P<date>\S+))?\n(?P<body>.*?)(?=^## |\Z)", re.M | re.S)
_HASH = re.compile(r"Data sha256: `(?P<hash>[0-9a-f]{64})`")


@dataclass(frozen=True)
class Entry:
    version: str
    date: str | None
    data_sha256: str | None
    body: str


def parse_changelog(text: str) -> dict[str, Entry]:
    entries = {}
    for match in _ENTRY.finditer(text):
        found = _HASH.search(match["body"])
        entries[match["version"]] = Entry(match["version"], match["date"], found["hash"] if found else None,
                                          match["body"].strip())
    return entries


def read_changelog(root: Path) -> dict[str, Entry]:
    path = root / CHANGELOG
    return parse_changelog(path.read_text(encoding="utf-8")) if path.exists() else {}


def entry_text(version: str, date: str, data_sha256: str, changes: list[str]) -> str:
    lines = "\n".join(f"- {change}" for change in changes)
    return f"## {version} - {date}\n\nData sha256: `{data_sha256}`\n\n{lines}\n\n"


def with_entry(existing: str, entry: str) -> str:
    """The changelog with `entry` placed above the newest existing entry."""
    if not existing.strip():
        return f"{_HEADER}\n{entry}"
    first = re.search(r"^## ", existing, re.M)
    if first is None:
        return existing.rstrip("\n") + "\n\n" + entry
    return existing[: first.start()] + entry + existing[first.start():]


def bump(version: str, level: BumpLevel) -> str:
    major, minor, patch = (int(x) for x in version.split("."))
    if level == "major":
        return f"{major + 1}.0.0"
    if level == "minor":
        return f"{major}.{minor + 1}.0"
    if level == "patch":
        return f"{major}.{minor}.{patch + 1}"
    raise ValueError(f"unknown bump level {level!r}; expected {', '.join(BUMP_LEVELS)}")  # untyped callers
