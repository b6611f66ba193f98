"""Where the project's files live, whether run from a checkout or an installed wheel."""

from __future__ import annotations

import os
import re
from pathlib import Path

PACKAGE_DIR = Path(__file__).resolve().parents[1]  # the damascus_ie package, one above core/


def repo_root() -> Path:
    """The checkout the commands act on: $DAMASCUS_IE_ROOT, else the checkout holding this package."""
    env = os.environ.get("DAMASCUS_IE_ROOT")
    if env:
        return Path(env).resolve()
    candidate = PACKAGE_DIR.parents[1]
    if (candidate / "schemas" / "taxonomy.json").exists():
        return candidate
    return Path.cwd()


def schemas_dir() -> Path:
    bundled = PACKAGE_DIR / "_schemas"
    if (bundled / "taxonomy.json").exists():
        return bundled
    return repo_root() / "schemas"


# the kept blind annotation passes, and the agreement table measured from them (a generated file the card includes)
PASSES_DIR = Path("dataset") / "annotator_passes"
AGREEMENT_FILE = PASSES_DIR / "AGREEMENT.md"
# where `damascus-ie labelstudio pull` writes the validated annotations (outside the dataset until reviewed)
PULL_DIR = Path("out") / "labelstudio"


def pull_file(project: str) -> Path:
    """A project's pull file (relative to the checkout): one per project, so pulling a second project never
    overwrites the first."""
    slug = re.sub(r"[^a-z0-9]+", "-", project.lower()).strip("-") or "project"
    return PULL_DIR / f"pull-{slug}.json"
