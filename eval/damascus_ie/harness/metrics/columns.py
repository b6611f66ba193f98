"""Record fields of many documents read in one Arrow pass, and id references resolved within documents at once.

Scoring reads a few fields of millions of JSON records. `pyarrow.array` with a struct type reads only
the named fields, in C++, with no Python object per record (entities.mention_table reads mentions
so); what the metrics need are then whole columns (`Columns`). A reference (an event argument's
mention, an attribution's source or parent) names a record of the same document by its id:
`Columns.rows_of` resolves all of them with one sorted search instead of a dict per document.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from functools import cached_property
from itertools import chain
from typing import Any

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from damascus_ie.harness.metrics.matching import IntArray

NONE = -1


@dataclass
class Columns:
    """One layer's records (or the items of a list field of them) as Arrow columns.

    `owner` is the index of what holds each row: its document for records, its record for list
    items (`items`); `doc` its document either way.
    """

    rows: pa.StructArray
    owner: IntArray
    doc: IntArray

    def __len__(self) -> int:
        return len(self.rows)

    def field(self, path: str) -> pa.Array:
        """A field's column; nested fields by dotted path ("trigger.start"). Null where a record lacks it."""
        return pc.struct_field(self.rows, path.split("."))

    def ints(self, path: str) -> IntArray:
        """A required integer field as int64; KeyError naming the field when a record lacks it."""
        values = self.field(path)
        if values.null_count:
            raise KeyError(path)
        out: IntArray = values.to_numpy().astype(np.int64, copy=False)
        return out

    def codes(self, path: str, names: Sequence[str], *, required: bool) -> IntArray:
        """Each row's value as its index in `names`; -1 where missing or unknown, unless `required` (KeyError)."""
        values = self.field(path)
        found = pc.index_in(values, value_set=pa.array(list(names), pa.string()))
        if required and found.null_count:
            missing = values.null_count
            raise KeyError(path if missing else values.filter(found.is_null())[0].as_py())
        out: IntArray = found.fill_null(NONE).to_numpy().astype(np.int64, copy=False)
        return out

    def items(self, path: str) -> Columns:
        """The items of a list field, in record order, each owned by its record (a null list has none)."""
        lists = self.field(path)
        owner = _parents(lists)
        return Columns(pc.list_flatten(lists), owner, self.doc[owner])

    @cached_property
    def _ids(self) -> tuple[pa.Array, IntArray, IntArray, int]:
        """Distinct ids, and the (document, id code) key and row of each record with an id, sorted by key.

        Records come in document order, so the keys are nearly sorted already (a stable sort is then
        close to one pass); a hash lookup against millions of keys costs ten times more.
        """
        encoded = self.field("id").dictionary_encode()
        code = encoded.indices.fill_null(NONE).to_numpy().astype(np.int64)
        width = len(encoded.dictionary)
        rows = np.flatnonzero(code >= 0)
        keys = self.doc[rows] * width + code[rows]
        order = np.argsort(keys, kind="stable")  # equal keys keep record order: the last is found, as a dict keeps
        return encoded.dictionary, keys[order], rows[order], width

    def rows_of(self, doc: IntArray, ids: pa.Array) -> IntArray:
        """Row of the record with each id within document `doc`; -1 where the id is null or no record has it.

        Ids are unique within a document in valid input; of two records sharing one, the last is found.
        """
        distinct, keys, rows, width = self._ids
        code = pc.index_in(ids, value_set=distinct).fill_null(NONE).to_numpy().astype(np.int64)
        query = doc * width + code
        at = np.searchsorted(keys, query, side="right") - 1
        hit = (code >= 0) & (at >= 0)
        hit[hit] = keys[at[hit]] == query[hit]
        found: IntArray = np.full(query.size, NONE, dtype=np.int64)
        found[hit] = rows[at[hit]]
        return found


def read(per_doc: Sequence[Sequence[Any]], fields: pa.StructType) -> Columns:
    """The `fields` of each document's records (`per_doc[d]`: document d's list), read by Arrow in one pass."""
    return from_lists(pa.array(per_doc, type=pa.list_(fields)))


def from_lists(lists: pa.ListArray) -> Columns:
    """Columns of records already read by Arrow, one list per document (null: none)."""
    owner = _parents(lists)
    return Columns(pc.list_flatten(lists), owner, owner)


def layer(docs: Sequence[Any], name: str, fields: pa.StructType) -> tuple[Columns, list[Any]]:
    """`read` of one layer of each document (a missing or null layer is empty), and its records in row order."""
    per_doc = [d.get(name) or () for d in docs]
    return read(per_doc, fields), list(chain.from_iterable(per_doc))


SPAN = pa.struct([("start", pa.int64()), ("end", pa.int64())])
_MENTION_IDS = pa.struct([("id", pa.string()), ("start", pa.int64()), ("end", pa.int64())])


def mention_ids(docs: Sequence[Any], lists: pa.ListArray | None = None) -> Columns:
    """The documents' mentions by id, with their offsets: what events and attributions refer to.

    Rows are those of entities.mention_table (document order, then record order). `lists`: the
    documents' mention lists already read by Arrow, used when they hold the id and offsets.
    """
    if lists is not None and {"id", "start", "end"} <= set(getattr(lists.type.value_type, "names", ())):
        return from_lists(lists)
    return read([d.get("mentions") or () for d in docs], _MENTION_IDS)


def _parents(lists: pa.Array) -> IntArray:
    out: IntArray = pc.list_parent_indices(lists).to_numpy().astype(np.int64)
    return out
