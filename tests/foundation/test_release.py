"""Releases: refused unless verified and recorded; tagged in git; pushed to the Hub up to the network call."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest

from damascus_ie.core.problems import InvalidInput
from damascus_ie.dataset.release import release


def git(repo: Path, *args: str) -> str:
    return subprocess.run(["git", *args], cwd=repo, check=True, capture_output=True, text=True).stdout


@pytest.fixture
def git_repo(repo: Path) -> Path:
    git(repo, "init", "-q", "-b", "main")
    git(repo, "-c", "user.email=t@example.com", "-c", "user.name=t", "add", "-A")
    git(repo, "-c", "user.email=t@example.com", "-c", "user.name=t", "commit", "-qm", "dataset 0.1.0")
    git(repo, "config", "user.email", "t@example.com")
    git(repo, "config", "user.name", "t")
    return repo


class RecordingHub:
    """Stands in for the Hub, which this machine cannot reach; records the calls `push` makes."""

    def __init__(self) -> None:
        self.calls: list[tuple[str, tuple, dict]] = []

    def __getattr__(self, name: str):
        return lambda *args, **kwargs: self.calls.append((name, args, kwargs))


def test_release_tags_verified_version(git_repo: Path):
    release(git_repo, "0.1.0")
    assert git(git_repo, "tag", "--list").split() == ["v0.1.0"]


def test_release_refuses_version_that_is_not_the_golds(git_repo: Path):
    with pytest.raises(InvalidInput, match=r"the gold is version 0\.1\.0, not 0\.2\.0"):
        release(git_repo, "0.2.0")


def test_release_refuses_missing_changelog_entry(git_repo: Path):
    changelog = git_repo / "dataset/CHANGELOG.md"
    changelog.write_text(changelog.read_text(encoding="utf-8").replace("## 0.1.0", "## 0.0.9"), encoding="utf-8")
    with pytest.raises(InvalidInput, match=r"no CHANGELOG entry for 0\.1\.0"):
        release(git_repo, "0.1.0")


def test_release_refuses_uncommitted_or_unverified_data_and_existing_tag(git_repo: Path):
    (git_repo / "dataset/data/ner.jsonl").write_text("", encoding="utf-8")
    with pytest.raises(InvalidInput) as error:
        release(git_repo, "0.1.0")
    reasons = str(error.value)
    assert "differs from a fresh build" in reasons and "uncommitted changes" in reasons
    git(git_repo, "checkout", "--", "dataset")
    release(git_repo, "0.1.0")
    with pytest.raises(InvalidInput, match="tag already exists"):
        release(git_repo, "0.1.0")


def test_push_uploads_dataset_and_tags_on_hub(git_repo: Path):
    hub = RecordingHub()
    release(git_repo, "0.1.0", push_to_hub="org/damascus-ie", api=hub)
    names = [name for name, _, _ in hub.calls]
    assert names == ["create_repo", "upload_folder", "create_tag"]
    _, _, upload = hub.calls[1]
    assert upload["folder_path"] == str(git_repo / "dataset") and upload["repo_type"] == "dataset"
    _, args, tag = hub.calls[2]
    assert args == ("org/damascus-ie",) and tag["tag"] == "v0.1.0"


def test_push_without_token_is_a_clear_error(git_repo: Path, monkeypatch: pytest.MonkeyPatch):
    monkeypatch.delenv("HF_TOKEN", raising=False)
    with pytest.raises(InvalidInput, match="set HF_TOKEN"):
        release(git_repo, "0.1.0", push_to_hub="org/damascus-ie")
