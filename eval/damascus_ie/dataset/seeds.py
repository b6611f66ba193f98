"""The seed manifest: which articles the corpus is made of, and proof their bytes never change."""

from __future__ import annotations

import hashlib
from pathlib import Path
from typing import TypedDict

from damascus_ie.core.io import MANIFEST, read_json
from damascus_ie.core.paths import repo_root
from damascus_ie.core.problems import InvalidInput, Problem


class SeedRecord(TypedDict):
    id: str
    file: str
    sha256: str
    title: str | None
    language: str
    date: str
    date_inferred_from: str
    publisher: str | None
    boilerplate: list[list[int]]


def load_manifest(root: Path | None = None) -> list[SeedRecord]:
    return read_json((root or repo_root()) / MANIFEST)


def seed_problems(root: Path | None = None) -> list[Problem]:
    """Every seed whose bytes differ from the manifest's sha256, and every seed file the manifest lacks."""
    root = root or repo_root()
    manifest = load_manifest(root)
    problems = []
    for record in manifest:
        path = root / "seeds" / record["file"]
        if not path.exists():
            problems.append(Problem(str(path), record["id"], None, "file", "seed file missing"))
            continue
        digest = hashlib.sha256(path.read_bytes()).hexdigest()
        if digest != record["sha256"]:
            problems.append(Problem(str(path), record["id"], None, "sha256",
                                    f"seed bytes changed: sha256 {digest} != manifest {record['sha256']}"))
    listed = {r["file"] for r in manifest}
    for path in sorted((root / "seeds").glob("*.txt")):
        if path.name not in listed:
            problems.append(Problem(str(path), path.stem, None, "file", "seed file not in seeds/manifest.json"))
    return problems


def check_seeds(root: Path | None = None) -> list[SeedRecord]:
    problems = seed_problems(root)
    if problems:
        raise InvalidInput(problems)
    return load_manifest(root)
