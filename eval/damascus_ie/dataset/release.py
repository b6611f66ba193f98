"""`damascus-ie release X.Y.Z`: tag a verified version in git and, optionally, on the Hugging Face Hub."""

from __future__ import annotations

import os
import subprocess
from pathlib import Path
from typing import Any

from damascus_ie.dataset.changelog import CHANGELOG, read_changelog
from damascus_ie.core.io import GOLD_SOURCE, load_annotation_source
from damascus_ie.core.problems import InvalidInput, Problem
from damascus_ie.dataset.verify import verify

HUB_IGNORE = ["annotator_passes/*", "annotator_passes/**"]


def release_problems(root: Path, version: str) -> list[Problem]:
    gold_version, _ = load_annotation_source(root / GOLD_SOURCE)
    if gold_version != version:
        return [Problem(str(root / GOLD_SOURCE), None, None, "version",
                        f"the gold is version {gold_version}, not {version}: bump first")]
    if version not in read_changelog(root):
        return [Problem(str(root / CHANGELOG), None, version, None, f"no CHANGELOG entry for {version}")]
    problems = verify(root)
    if _git(root, "tag", "--list", f"v{version}").strip():
        problems.append(Problem(str(root), None, f"v{version}", "tag", "tag already exists: versions are immutable"))
    dirty = _git(root, "status", "--porcelain", "--", "dataset", "annotations", "seeds", "schemas").strip()
    if dirty:
        problems.append(Problem(str(root), None, None, None, "uncommitted changes in dataset/annotations/seeds/schemas:"
                                f" commit them before releasing\n{dirty}"))
    return problems


def release(root: Path, version: str, push_to_hub: str | None = None, api: Any = None) -> None:
    problems = release_problems(root, version)
    if problems:
        raise InvalidInput(problems)
    tag = f"v{version}"
    _git(root, "tag", "-a", tag, "-m", f"Damascus-IE dataset {version}")
    print(f"tagged {tag}")
    if push_to_hub:
        push(root, version, push_to_hub, api)


def push(root: Path, version: str, repo_id: str, api: Any = None) -> None:
    """Upload dataset/ and tag the commit on the Hub, so users can pin revision='vX.Y.Z'."""
    if api is None:
        token = os.environ.get("HF_TOKEN")
        if not token:
            raise InvalidInput([Problem("environment", None, None, "HF_TOKEN", "set HF_TOKEN to push to the Hub")])
        from huggingface_hub import HfApi

        api = HfApi(token=token)
    api.create_repo(repo_id, repo_type="dataset", exist_ok=True)
    api.upload_folder(folder_path=str(root / "dataset"), repo_id=repo_id, repo_type="dataset",
                      commit_message=f"Damascus-IE {version}", ignore_patterns=HUB_IGNORE)
    api.create_tag(repo_id, tag=f"v{version}", repo_type="dataset", tag_message=f"Damascus-IE dataset {version}")
    print(f"pushed {repo_id} and tagged v{version}: load_dataset({repo_id!r}, revision='v{version}')")


def _git(root: Path, *args: str) -> str:
    result = subprocess.run(["git", *args], cwd=root, capture_output=True, text=True)
    if result.returncode != 0:
        raise InvalidInput([Problem(str(root), None, None, "git", f"git {' '.join(args)} failed: {result.stderr.strip()}")])
    return result.stdout
