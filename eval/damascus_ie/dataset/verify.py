"""`damascus-ie verify`: proves the committed dataset is what users will load.

Loads every config with the real `datasets.load_dataset` (fresh cache, offline)
and compares features and every row with the source records, because
`datasets` silently turns missing keys into nulls, dates into timestamps and
serves stale caches (see shared/notes/hf-datasets.md).
"""

from __future__ import annotations

import datetime
import hashlib
import json
import os
import tempfile
from pathlib import Path
from typing import Any

from damascus_ie.dataset.build import CHECKSUMS, data_hash, stale_dataset_files
from damascus_ie.dataset.changelog import CHANGELOG, read_changelog
from damascus_ie.dataset.features import CONFIG_NAMES, config_features
from damascus_ie.core.io import load_gold, read_jsonl
from damascus_ie.core.problems import InvalidInput, Problem
from damascus_ie.core.records import LAYERS
from damascus_ie.dataset.seeds import seed_problems
from damascus_ie.core.validation import validate_corpus


def decode(value: Any, feature: Any) -> Any:
    """A loaded value back in source form: ClassLabel ints to names, dates to ISO strings."""
    from datasets import ClassLabel, List

    if value is None:
        return None
    if isinstance(feature, ClassLabel):
        return feature.int2str(value)
    if isinstance(feature, List):
        return [decode(v, feature.feature) for v in value]
    if isinstance(feature, dict):
        return {k: decode(value.get(k), f) for k, f in feature.items()}
    if isinstance(value, datetime.date):
        return value.isoformat()
    return value


def _first_difference(loaded: Any, source: Any, path: str = "") -> str | None:
    if isinstance(source, dict) and isinstance(loaded, dict):
        for key in sorted(set(source) | set(loaded)):
            if key not in source:
                return f"{path}.{key}: loaded has a key the source lacks"
            if key not in loaded:
                return f"{path}.{key}: missing after loading"
            found = _first_difference(loaded[key], source[key], f"{path}.{key}")
            if found:
                return found
        return None
    if isinstance(source, list) and isinstance(loaded, list):
        if len(source) != len(loaded):
            return f"{path}: {len(loaded)} items loaded, {len(source)} in source"
        for i, (a, b) in enumerate(zip(loaded, source, strict=True)):
            found = _first_difference(a, b, f"{path}[{i}]")
            if found:
                return found
        return None
    if loaded != source or type(loaded) is not type(source):
        return f"{path}: loaded {loaded!r} != source {source!r}"
    return None


def load_problems(root: Path, version: str, cache_dir: Path | None = None) -> list[Problem]:
    """Load each config as a user would and compare with the JSONL it came from."""
    from datasets import load_dataset
    from datasets.utils.logging import disable_progress_bar

    disable_progress_bar()
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    dataset_dir = root / "dataset"
    problems: list[Problem] = []
    with tempfile.TemporaryDirectory(prefix="damascus-ie-hf-cache-") as fresh:
        for config in CONFIG_NAMES:
            data_file = dataset_dir / "data" / f"{config}.jsonl"
            try:
                loaded = load_dataset(str(dataset_dir), config, split="test", cache_dir=str(cache_dir or fresh))
            except Exception as error:  # report, do not crash: verification lists every problem
                problems.append(Problem(str(data_file), None, None, None, f"load_dataset failed: {error}"))
                continue
            expected = config_features(config)
            if loaded.features != expected:
                problems.append(Problem(str(data_file), None, None, None,
                                        f"loaded features differ from the schema's: {loaded.features} != {expected}"))
                continue
            if str(loaded.info.version) != version:
                problems.append(Problem(str(dataset_dir / "README.md"), None, None, "version",
                                        f"config {config} loads version {loaded.info.version}, expected {version}"))
            try:
                source = [row for _, row in read_jsonl(data_file)]
            except InvalidInput as error:
                problems += error.problems
                continue
            if len(source) != len(loaded):
                problems.append(Problem(str(data_file), None, None, None,
                                        f"{len(loaded)} rows loaded, {len(source)} in the file (stale cache?)"))
            for line, (row, record) in enumerate(zip(loaded, source, strict=False), start=1):
                difference = _first_difference(decode(row, loaded.features), record)
                if difference and not isinstance(record, dict):
                    problems.append(Problem(str(data_file), None, None, None, difference, line))
                elif difference:
                    record_id = str(record.get("id")) if isinstance(record, dict) else None
                    problems.append(Problem(str(data_file), record.get("document", record.get("id")), record_id,
                                            difference.split(":")[0].lstrip("."), difference, line))
    return problems


def checksum_problems(root: Path) -> list[Problem]:
    path = root / "dataset" / CHECKSUMS
    if not path.exists():
        return [Problem(str(path), None, None, None, "checksums file missing")]
    problems = []
    for line in path.read_text(encoding="utf-8").splitlines():
        digest, _, relative = line.partition("  ")
        target = root / "dataset" / relative
        actual = hashlib.sha256(target.read_bytes()).hexdigest() if target.exists() else "missing"
        if actual != digest:
            problems.append(Problem(str(target), None, None, None, f"sha256 {actual} != {CHECKSUMS} {digest}"))
    return problems


def version_problems(root: Path, version: str, data_sha256: str) -> list[Problem]:
    """Data may change only together with a new version and its CHANGELOG entry."""
    entry = read_changelog(root).get(version)
    path = str(root / CHANGELOG)
    if entry is None:
        return [Problem(path, None, version, "version", f"no CHANGELOG entry for the gold's version {version}")]
    if entry.data_sha256 != data_sha256:
        return [Problem(path, None, version, "data sha256",
                        f"the labels changed since {version} was recorded (hash {data_sha256[:12]}… != "
                        f"{(entry.data_sha256 or 'none')[:12]}…): bump the version with `damascus-ie bump` "
                        "and describe the change")]
    return []


def verify(root: Path, load: bool = True) -> list[Problem]:
    problems = seed_problems(root)
    if problems:
        return problems
    version, docs = load_gold(root)
    problems = validate_corpus(docs, str(root / "annotations" / "gold.json"))
    if problems:
        return problems
    stale = stale_dataset_files(root)
    problems += [Problem(str(root / "dataset" / p), None, None, None,
                         "differs from a fresh build (run `damascus-ie build`)") for p in stale]
    problems += checksum_problems(root)
    problems += version_problems(root, version, data_hash(docs))
    if load and not problems:
        problems += load_problems(root, version)
    return problems


def verify_or_raise(root: Path) -> None:
    problems = verify(root)
    if problems:
        raise InvalidInput(problems)


def summary(root: Path) -> str:
    version, docs = load_gold(root)
    counts = {layer: sum(len(d[layer]) for d in docs) for layer in LAYERS}
    return f"dataset {version} verified: {len(docs)} documents, " + json.dumps(counts)
