"""Seeds + gold source -> the Hugging Face dataset folder `dataset/`, as exact file contents.

`dataset_files` is pure (everything in memory, deterministic bytes), so
`build --check` can compare a fresh build with what is committed, and
versioning can stage a complete new release before touching the disk.
"""

from __future__ import annotations

import hashlib
import shutil
import tempfile
from collections.abc import Iterator
from pathlib import Path

from damascus_ie.core.io import atomic_write_text, dumps_canonical, jsonl_text, load_gold
from damascus_ie.core.paths import repo_root
from damascus_ie.core.problems import InvalidInput, Problem
from damascus_ie.core.records import LAYERS, Document, normalise
from damascus_ie.dataset.card import dataset_card
from damascus_ie.dataset.seeds import SeedRecord, check_seeds
from damascus_ie.core.sentences import first_overlap, sentence_spans, token_spans
from damascus_ie.core.taxonomy import load_taxonomy
from damascus_ie.core.validation import validate_corpus

DATA_DIR = "data"
CHECKSUMS = "checksums.sha256"
GENERATED = ("README.md", CHECKSUMS)  # plus data/*.jsonl




def data_hash(docs: list[Document]) -> str:
    """Content hash of the gold: what a version number promises not to change."""
    return hashlib.sha256(dumps_canonical([normalise(d) for d in docs]).encode("utf-8")).hexdigest()


def config_rows(docs: list[Document], manifest: list[SeedRecord]) -> dict[str, list[dict]]:
    seeds = {record["id"]: record for record in manifest}
    rows: dict[str, list[dict]] = {"documents": [], "mentions": [], "events": [], "attributions": [], "ner": []}
    for doc in sorted((normalise(d) for d in docs), key=lambda d: d["id"]):
        seed = seeds[doc["id"]]
        rows["documents"].append({"id": doc["id"], "title": seed["title"], "date": seed["date"],
                                  "publisher": seed["publisher"], "language": seed["language"], **{
                                      k: doc[k] for k in ("text", "boilerplate", "mentions", "events", "attributions")}})
        for layer in LAYERS:
            rows[layer] += [{"document": doc["id"], **record} for record in doc[layer]]
        rows["ner"] += list(ner_rows(doc))
    return rows


def ner_rows(doc: Document) -> Iterator[dict]:
    """Sentence-level IOB2 over the outermost named (NAM) mentions, outside boilerplate."""
    text = doc["text"]
    named = _outermost([(m["start"], m["end"], m["type"], m["id"]) for m in doc["mentions"] if m["level"] == "NAM"])
    boilerplate = [tuple(p) for p in doc["boilerplate"]]
    for index, (start, end) in enumerate(sentence_spans(text)):
        if first_overlap(start, end, boilerplate) is not None:
            continue
        tokens = token_spans(text, start, end)
        tags = ["O"] * len(tokens)
        for m_start, m_end, m_type, m_id in named:
            if not (start <= m_start and m_end <= end):
                continue
            covered = [i for i, (t_start, t_end) in enumerate(tokens) if m_start <= t_start and t_end <= m_end]
            if not covered or tokens[covered[0]][0] != m_start or tokens[covered[-1]][1] != m_end:
                raise InvalidInput([Problem("annotations/gold.json", doc["id"], m_id, "span",
                                            "mention boundary falls inside a token of the ner config")])
            tags[covered[0]] = f"B-{m_type}"
            for i in covered[1:]:
                tags[i] = f"I-{m_type}"
        yield {"id": f"{doc['id']}-{index}", "document": doc["id"], "sentence": index, "start": start, "end": end,
               "tokens": [text[s:e] for s, e in tokens], "ner_tags": tags}


def _outermost(spans: list[tuple[int, int, str, str]]) -> list[tuple[int, int, str, str]]:
    kept: list[tuple[int, int, str, str]] = []
    for span in sorted(spans, key=lambda s: (s[0], -s[1])):
        if not kept or span[0] >= kept[-1][1]:
            kept.append(span)
    return kept


def dataset_files(root: Path | None = None) -> dict[str, str]:
    """Relative path inside dataset/ -> exact file content, for every generated file."""
    root = root or repo_root()
    manifest = check_seeds(root)
    version, docs = load_gold(root)
    problems = validate_corpus(docs, str(root / "annotations" / "gold.json"), load_taxonomy())
    if problems:
        raise InvalidInput(problems)
    rows = config_rows(docs, manifest)
    files = {f"{DATA_DIR}/{config}.jsonl": jsonl_text(config_rows_) for config, config_rows_ in rows.items()}
    files["README.md"] = dataset_card(root, version, docs, rows, data_hash(docs))
    files[CHECKSUMS] = "".join(f"{hashlib.sha256(text.encode('utf-8')).hexdigest()}  {path}\n"
                               for path, text in sorted(files.items()))
    return files


def stale_dataset_files(root: Path | None = None) -> list[str]:
    root = root or repo_root()
    dataset = root / "dataset"
    fresh = dataset_files(root)
    stale = [p for p, text in fresh.items() if not (dataset / p).exists()
             or (dataset / p).read_bytes() != text.encode("utf-8")]  # bytes: a garbage file is stale, not a crash
    extra = [str(p.relative_to(dataset)) for p in (dataset / DATA_DIR).glob("*") if
             str(p.relative_to(dataset)) not in fresh] if (dataset / DATA_DIR).exists() else []
    return sorted(stale + extra)


def write_dataset(root: Path | None = None, files: dict[str, str] | None = None) -> list[str]:
    """Writes the generated files that changed; each write is atomic."""
    root = root or repo_root()
    files = files if files is not None else dataset_files(root)
    written = []
    for relative, text in files.items():
        path = root / "dataset" / relative
        if not path.exists() or path.read_text(encoding="utf-8") != text:
            atomic_write_text(path, text)
            written.append(relative)
    return written


def staged_copy(root: Path) -> Path:
    """A scratch copy of the inputs and dataset folder, for building or verifying without touching `root`."""
    scratch = Path(tempfile.mkdtemp(prefix="damascus-ie-stage-"))
    for name in ("seeds", "schemas", "annotations", "dataset"):
        if (root / name).exists():
            shutil.copytree(root / name, scratch / name)
    return scratch
