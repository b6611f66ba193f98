"""The dataset card (dataset/README.md): YAML metadata and prose, generated from code.

Features come from features.py and statistics from the records, so the card
cannot disagree with the data it describes.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from pathlib import Path

from datasets.info import DatasetInfo, DatasetInfosDict
from datasets.utils.metadata import MetadataConfigs
from huggingface_hub import DatasetCard, DatasetCardData

from damascus_ie.dataset.features import CONFIG_NAMES, DEFAULT_CONFIG, config_features
from damascus_ie.core.paths import AGREEMENT_FILE
from damascus_ie.core.records import AnyRecord, Document
from damascus_ie.core.tables import markdown_table

LABELS_LICENSE = "cc-by-4.0"
HUB_ID = "damascus-ie/damascus-ie"


def card_metadata(version: str) -> DatasetCardData:
    card_data = DatasetCardData(
        language="en", license=LABELS_LICENSE, pretty_name="Damascus-IE",
        annotations_creators=["expert-generated"], language_creators=["found"], multilinguality=["monolingual"],
        size_categories=["n<1K"], source_datasets=["original"],
        task_categories=["token-classification"],
        task_ids=["named-entity-recognition", "coreference-resolution"],
        tags=["information-extraction", "event-extraction", "quotation-attribution", "coreference", "news"],
    )
    configs = {name: {"data_files": [{"split": "test", "path": f"data/{name}.jsonl"}], "version": version,
                      **({"default": True} if name == DEFAULT_CONFIG else {})} for name in CONFIG_NAMES}
    MetadataConfigs(configs).to_dataset_card_data(card_data)
    infos = {name: DatasetInfo(features=config_features(name), config_name=name) for name in CONFIG_NAMES}
    DatasetInfosDict(infos).to_dataset_card_data(card_data)
    return card_data


def statistics(docs: list[Document], rows: dict[str, list[dict]]) -> str:
    mentions = [m for d in docs for m in d["mentions"]]
    events = [e for d in docs for e in d["events"]]
    attributions = [a for d in docs for a in d["attributions"]]
    arguments = [a for e in events for a in e["arguments"]]
    per_doc = [(d["id"], len(d["text"]), len(d["mentions"]), len(d["events"]),
                sum(len(e["arguments"]) for e in d["events"]), len(d["attributions"])) for d in docs]
    totals = ("total", sum(r[1] for r in per_doc), len(mentions), len(events), len(arguments), len(attributions))
    entity_docs: dict[str, set[str]] = {}
    for doc in docs:
        for m in doc["mentions"]:
            if entity := m.get("entity"):
                entity_docs.setdefault(entity, set()).add(doc["id"])
    event_ids = {e["event"] for e in events}
    statement_ids = {a["statement"] for a in attributions}
    sections = [
        "### Per document\n\n" + markdown_table(("document", "characters", "mentions", "events", "arguments", "attributions"),
                                         [*per_doc, totals]),
        "### Entity mentions by type and level\n\n" + _crosstab(mentions, "type", "level"),
        "### Events by type\n\n" + _counts(Counter(e["type"] for e in events), "event type"),
        "### Arguments by role\n\n" + _counts(Counter(a["role"] for a in arguments), "role"),
        "### Attributions by type\n\n" + _counts(Counter(a["type"] for a in attributions), "type"),
        "### Identity\n\n" + markdown_table(("what", "count"), [
            ("entities (clusters, excluding TIME)", len(entity_docs)),
            ("entities mentioned in both documents", sum(len(v) > 1 for v in entity_docs.values())),
            ("events (clusters)", len(event_ids)),
            ("statements (clusters)", len(statement_ids)),
            ("attributions with a parent (relayed)", sum(a.get("parent") is not None for a in attributions)),
            ("ner sentences", len(rows["ner"])),
        ]),
    ]
    return "\n\n".join(sections)


def _counts(counter: Counter, label: str) -> str:
    if not counter:
        return "(none yet)"
    return markdown_table((label, "count"), sorted(counter.items(), key=lambda kv: (-kv[1], kv[0])))


def _crosstab(records: Sequence[AnyRecord], row_key: str, column_key: str) -> str:
    if not records:
        return "(none yet)"
    columns = sorted({r[column_key] for r in records})
    counts = Counter((r[row_key], r[column_key]) for r in records)
    row_names = sorted({r[row_key] for r in records})
    rows = [(name, *(counts[(name, c)] for c in columns), sum(counts[(name, c)] for c in columns)) for name in row_names]
    return markdown_table((row_key, *columns, "total"), rows)


def agreement_text(root: Path) -> str:
    """The agreement section, measured by the harness and committed by `damascus-ie generate` (the card only reads it)."""
    path = root / AGREEMENT_FILE
    if not path.exists():
        return "Agreement: not measured (run `damascus-ie generate` with two kept annotation passes)."
    return path.read_text(encoding="utf-8").rstrip("\n")


def dataset_card(root: Path, version: str, docs: list[Document], rows: dict[str, list[dict]], data_sha256: str) -> str:
    metadata = card_metadata(version).to_yaml()
    loading = "\n".join(
        f'{name} = load_dataset("{HUB_ID}", "{name}", split="test", revision="v{version}")' for name in CONFIG_NAMES)
    body = f"""
# Damascus-IE {version}

Gold labels for information extraction on two English news articles about Syrian rebels entering Damascus
on 8 December 2024, in three layers:

- **entities**: typed mentions (PER, ORG, GPE, LOC, FAC, NORP, VEH, TIME; names, nominals, pronouns), with
  corpus-level identity (the same real-world entity shares one `entity` id in both documents);
- **events**: ten event types (ACE 2005 with KAIROS/RAMS additions), triggers, arguments with roles, four attributes,
  corpus-level event identity;
- **attributions** (PARC 3.0): cue, source, content, addressee, relay chains (`parent`) and corpus-level statement identity.

It is a test-only benchmark: one `test` split. Score an extractor with the `damascus-ie` harness, which ships with
this dataset's repository (`damascus-ie score predictions.jsonl`).

## Configs

| config | one row per | use |
|---|---|---|
| `documents` (default) | document, with all layers nested | full-fidelity evaluation |
| `mentions` | entity mention | pandas analysis |
| `events` | event mention, arguments nested | pandas analysis |
| `attributions` | attribution | pandas analysis |
| `ner` | sentence: `tokens` + IOB2 `ner_tags` over named (NAM) mentions | token-classification pipelines (like conll2003) |

Offsets are Unicode code points, half-open: `text[start:end] == span text`. Labels are `ClassLabel`s: decode with
`ds.features[...]` (e.g. `ds.features["ner_tags"].feature.int2str`).

```python
from datasets import load_dataset

{loading}
```

From a checkout: `load_dataset("dataset", "documents", split="test")`.

Nested labels: in `documents`, a layer is a `List` of records, so the label of a field sits under `.feature`
(`documents.features["mentions"]["type"]` is a TypeError). One row as JSON: the `date` column loads as a
`datetime.date`, which `json` does not write by itself.

```python
import json

mention_type = documents.features["mentions"].feature["type"]  # ClassLabel(names=['PER', 'ORG', ...])
row = documents[0]
mention_type.int2str(row["mentions"][0]["type"])                # e.g. 'ORG'
json.dumps(row, default=str, ensure_ascii=False)                # date -> "2024-12-08"
```

## Source texts, copyright and licence

The two article texts (`seeds/` in the repository; the `text` field here) are copyrighted news text from online news
sites, reproduced byte for byte as collected (document ids `000_245b1950fae37238`, `003_3ff54efe2cf3befa`), including
their site boilerplate, which is marked and not annotated. They are included **for non-commercial research use
only**, to make the annotations verifiable; copyright remains with their publishers, who are not evident from the
texts themselves. Publication date 2024-12-08 is inferred from their content (see `seeds/manifest.json`).

The **annotations** (all labels, ids and offsets) are released under **CC BY 4.0**. The code of the harness is MIT.

## Statistics

{statistics(docs, rows)}

## Annotation and agreement

Guidelines: `dataset/GUIDELINES.md` (elaborates the project's ANNOTATION_SPEC with worked examples and a decision log).

{agreement_text(root)}

## Versioning

Semantic versions: every change to the labels bumps the version and adds a CHANGELOG entry carrying the data hash;
`damascus-ie verify` refuses data whose hash does not match its version's entry. On the Hub, each release is a git
tag `vX.Y.Z`: pin it with `revision="v{version}"`. `ds.info.version` reports the version loaded.

Data sha256 of this version: `{data_sha256}`

## Citation

```bibtex
@misc{{damascus_ie_{version.replace(".", "_")},
  title  = {{Damascus-IE: entities, events and attributions in two news reports of 8 December 2024}},
  author = {{{{Damascus-IE contributors}}}},
  year   = {{2026}},
  note   = {{Version {version}}},
}}
```
"""
    return str(DatasetCard(f"---\n{metadata}\n---\n{body}"))
