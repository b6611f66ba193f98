"""Build, verify and versioning: the traps `datasets` sets, and the rule that gold never changes silently."""

from __future__ import annotations

import json
import re
import shutil
from pathlib import Path

import pytest
from datasets import ClassLabel, load_dataset

from damascus_ie.cli import main
from damascus_ie.core.io import GOLD_SOURCE, load_gold
from damascus_ie.core.problems import InvalidInput
from damascus_ie.core.taxonomy import load_taxonomy
from damascus_ie.dataset.build import stale_dataset_files, write_dataset
from damascus_ie.dataset.changelog import read_changelog
from damascus_ie.dataset.features import CONFIG_NAMES, config_features
from damascus_ie.dataset.seeds import seed_problems
from damascus_ie.dataset.verify import load_problems, verify
from damascus_ie.dataset.versioning import publish_new_version


def rewrite_jsonl(path: Path, edit) -> None:
    rows = [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]
    edit(rows)
    path.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows), encoding="utf-8")


def test_fresh_build_verifies(repo: Path):
    assert verify(repo) == []


def test_every_config_loads_with_declared_features(repo: Path, tmp_path: Path):
    for config in CONFIG_NAMES:
        ds = load_dataset(str(repo / "dataset"), config, split="test", cache_dir=str(tmp_path / "cache"))
        assert ds.features == config_features(config)
        assert str(ds.info.version) == "0.1.0"
    ner = load_dataset(str(repo / "dataset"), "ner", split="test", cache_dir=str(tmp_path / "cache"))
    assert ner.features["ner_tags"].feature.names == list(load_taxonomy().ner_labels)
    first = ner[0]
    tags = [ner.features["ner_tags"].feature.int2str(t) for t in first["ner_tags"]]
    assert first["tokens"][:3] == ["Syrian", "rebel", "forces"] and tags[:3] == ["B-NORP", "O", "O"]


def test_date_fields_round_trip_as_strings_and_dates(repo: Path, tmp_path: Path):
    docs = load_dataset(str(repo / "dataset"), "documents", split="test", cache_dir=str(tmp_path / "c"))
    assert docs[0]["date"].isoformat() == "2024-12-08"
    mentions = load_dataset(str(repo / "dataset"), "mentions", split="test", cache_dir=str(tmp_path / "c"))
    assert "2024-12-08" in mentions["value"]  # the TIME value stays a plain string, not a timestamp


def test_verify_catches_stale_cache_after_edited_data_file(repo: Path, tmp_path: Path):
    cache = tmp_path / "shared-cache"
    assert load_problems(repo, "0.1.0", cache_dir=cache) == []
    rewrite_jsonl(repo / "dataset/data/mentions.jsonl", lambda rows: rows[0].update(text="Syrians"))
    problems = load_problems(repo, "0.1.0", cache_dir=cache)
    assert any("mentions.jsonl" in p.file and "text" in p.reason for p in problems), problems
    assert any("differs from a fresh build" in p.reason for p in verify(repo))


def test_verify_catches_missing_nested_key(repo: Path):
    def drop_value(rows):
        del rows[0]["mentions"][0]["value"]

    rewrite_jsonl(repo / "dataset/data/documents.jsonl", drop_value)
    problems = load_problems(repo, "0.1.0")
    assert any("value" in p.reason and "key the source lacks" in p.reason for p in problems), problems


def test_verify_catches_inferred_features(repo: Path):
    card = repo / "dataset/README.md"
    card.write_text(card.read_text(encoding="utf-8").replace("- config_name: mentions\n  features:",
                                                             "- config_name: mentionz\n  features:"), encoding="utf-8")
    problems = load_problems(repo, "0.1.0")
    assert any("features differ" in p.reason for p in problems), problems


def test_verify_catches_date_like_strings_parsed_as_timestamps(repo: Path):
    """pyarrow reads a string column whose values all look like dates as timestamps, whatever the features say."""
    raw = json.loads((repo / GOLD_SOURCE).read_text(encoding="utf-8"))
    raw["documents"][1]["mentions"][-1]["value"] = None  # now the only TIME value is "2024-12-08"
    (repo / GOLD_SOURCE).write_text(json.dumps(raw), encoding="utf-8")
    write_dataset(repo)
    problems = load_problems(repo, "0.1.0")
    assert any("'2024-12-08 00:00:00' != source '2024-12-08'" in p.reason for p in problems), problems


def test_verify_catches_date_string_rewritten(repo: Path):
    rewrite_jsonl(repo / "dataset/data/documents.jsonl", lambda rows: rows[0].update(date="2024-12-08 00:00:00"))
    problems = load_problems(repo, "0.1.0")
    assert any("date" in p.reason for p in problems), problems


def test_verify_catches_span_mismatch_unknown_type_dangling_reference_and_role(repo: Path):
    raw = json.loads((repo / GOLD_SOURCE).read_text(encoding="utf-8"))
    doc = raw["documents"][0]
    doc["mentions"][2]["start"] += 1
    doc["mentions"][3]["type"] = "DATE"
    doc["events"][0]["arguments"][0]["role"] = "Victor"
    doc["attributions"][0]["source"] = "m404"
    (repo / GOLD_SOURCE).write_text(json.dumps(raw), encoding="utf-8")
    reasons = " / ".join(p.reason for p in verify(repo))
    for expected in ("!= text[", "unknown value 'DATE'", "not allowed for Movement:Transport", "dangling reference 'm404'"):
        assert expected in reasons


def test_seed_byte_change_is_caught(repo: Path):
    seed = repo / "seeds/000_245b1950fae37238.txt"
    seed.write_bytes(seed.read_bytes().replace("’".encode(), b"'", 1))
    [problem] = seed_problems(repo)
    assert problem.field == "sha256" and "seed bytes changed" in problem.reason


def test_shipped_seeds_are_byte_exact(repo_root: Path):
    assert seed_problems(repo_root) == []
    shared = repo_root.parent / "shared" / "seeds"
    if shared.exists():
        for path in shared.glob("*.txt"):
            assert (repo_root / "seeds" / path.name).read_bytes() == path.read_bytes()


def test_data_change_without_version_bump_fails(repo: Path):
    raw = json.loads((repo / GOLD_SOURCE).read_text(encoding="utf-8"))
    raw["documents"][0]["mentions"][0]["level"] = "NOM"
    (repo / GOLD_SOURCE).write_text(json.dumps(raw), encoding="utf-8")
    write_dataset(repo)
    [problem] = verify(repo, load=False)
    assert problem.field == "data sha256" and "bump the version" in problem.reason


def test_publish_new_version_bumps_records_and_rebuilds(repo: Path):
    _, docs = load_gold(repo)
    docs[0]["mentions"][0]["level"] = "NOM"
    version = publish_new_version(repo, docs, ["000: m1 level NAM -> NOM"], "minor")
    assert version == "0.2.0"
    entry = read_changelog(repo)["0.2.0"]
    assert "000: m1 level NAM -> NOM" in entry.body
    assert load_gold(repo)[0] == "0.2.0"
    assert verify(repo) == []
    assert "version: 0.2.0" in (repo / "dataset/README.md").read_text(encoding="utf-8")


def test_publish_refuses_invalid_gold_and_leaves_files_untouched(repo: Path):
    before = {p: p.read_bytes() for p in repo.rglob("*") if p.is_file()}
    _, docs = load_gold(repo)
    docs[0]["mentions"][0]["type"] = "NOPE"
    with pytest.raises(InvalidInput):
        publish_new_version(repo, docs, ["broken"], "patch")
    assert {p: p.read_bytes() for p in repo.rglob("*") if p.is_file()} == before


def test_publish_interrupted_mid_swap_restores_previous_dataset(repo: Path, monkeypatch: pytest.MonkeyPatch):
    before = {p: p.read_bytes() for p in repo.rglob("*") if p.is_file()}
    _, docs = load_gold(repo)
    docs[0]["mentions"][0]["level"] = "NOM"

    def interrupted(path, text):
        raise KeyboardInterrupt

    import damascus_ie.dataset.versioning as versioning

    real_write = versioning.atomic_write_text
    calls = {"n": 0}

    def write_then_fail_on_gold(path, text):
        if Path(path) == repo / GOLD_SOURCE:
            calls["n"] += 1
            interrupted(path, text)
        real_write(path, text)

    monkeypatch.setattr(versioning, "atomic_write_text", write_then_fail_on_gold)
    with pytest.raises(KeyboardInterrupt):
        publish_new_version(repo, docs, ["x"], "patch")
    assert calls["n"] == 1
    assert {p: p.read_bytes() for p in repo.rglob("*") if p.is_file()} == before


def test_build_check_and_generate_check_detect_staleness(repo: Path, capsys):
    assert main(["build", "--check", "--root", str(repo)]) == 0
    (repo / "dataset/data/ner.jsonl").write_text("", encoding="utf-8")
    assert main(["build", "--check", "--root", str(repo)]) == 1
    assert "data/ner.jsonl" in capsys.readouterr().err
    assert main(["generate", "--check", "--root", str(repo)]) == 0
    schema = repo / "schemas/document.schema.json"
    schema.write_text(schema.read_text(encoding="utf-8").replace("PER", "PERSON", 1), encoding="utf-8")
    assert main(["generate", "--check", "--root", str(repo)]) == 1


def test_committed_dataset_is_fresh(repo_root: Path):
    assert stale_dataset_files(repo_root) == []


def test_card_states_origin_licence_and_features(repo: Path):
    card = (repo / "dataset/README.md").read_text(encoding="utf-8")
    assert "license: cc-by-4.0" in card
    assert "research use" in card and "copyright" in card.lower()
    assert re.search(r"config_name: documents\n  data_files:\n  - split: test\n    path: data/documents.jsonl", card)
    names = ClassLabel(names=list(load_taxonomy().entity_types)).names
    assert all(f"': {name}" in card for name in names)


def test_working_directory_copy_is_independent(repo: Path):
    shutil.rmtree(repo / "dataset" / "data")
    assert any("differs from a fresh build" in p.reason for p in verify(repo))


def test_readme_and_card_agree_on_the_hub_id_and_the_revision(repo_root: Path) -> None:
    """A newcomer copying either gets the same dataset at the same pinned version."""
    import re

    from damascus_ie.core.io import load_gold
    from damascus_ie.dataset.card import HUB_ID

    version = load_gold(repo_root)[0]
    readme = (repo_root / "README.md").read_text(encoding="utf-8")
    card = (repo_root / "dataset" / "README.md").read_text(encoding="utf-8")
    for text in (readme, card):
        pins = set(re.findall(r'load_dataset\("([^"]+/[^"]+)", "\w+"(?:, split="test")?, revision="(v[\d.]+)"\)', text))
        assert pins == {(HUB_ID, f"v{version}")}, pins


def test_the_cards_python_blocks_run_in_order(repo_root: Path) -> None:
    """The card's snippets, run as a reader pastes them (Hub id and revision pointed at the checkout): a nested
    label decodes through `.feature`, a row turns into JSON with default=str, and no block uses an undefined name."""
    import json
    import re

    from damascus_ie.dataset.card import HUB_ID

    card = (repo_root / "dataset" / "README.md").read_text(encoding="utf-8")
    blocks = re.findall(r"```python\n(.*?)```", card, flags=re.S)
    assert len(blocks) >= 2
    source = "\n".join(blocks).replace(f'"{HUB_ID}"', repr(str(repo_root / "dataset")))
    source = re.sub(r', revision="v[\d.]+"', "", source)
    namespace: dict = {}
    exec(compile(source, "dataset/README.md", "exec"), namespace)  # the card's own text
    mention_type, row = namespace["mention_type"], namespace["row"]
    assert mention_type.int2str(row["mentions"][0]["type"]) in mention_type.names
    assert json.loads(json.dumps(row, default=str, ensure_ascii=False))["date"] == str(row["date"])
