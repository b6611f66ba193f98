"""matching.pack: one sortable int64 key per row, for any column widths (issue 12: it raised on large corpora)."""

from __future__ import annotations

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from damascus_ie.core.taxonomy import load_taxonomy
from damascus_ie.harness.metrics import events
from damascus_ie.harness.metrics.matching import _dense_rank_pairs, pack

COLUMNS = st.integers(1, 5).flatmap(lambda n_columns: st.lists(
    st.tuples(*[st.integers(0, 2**62) | st.integers(0, 3) for _ in range(n_columns)]), min_size=1, max_size=30))


@settings(max_examples=200, deadline=None)
@given(COLUMNS)
def test_packed_keys_sort_and_compare_as_the_rows_do(rows: list[tuple[int, ...]]) -> None:
    columns = [np.array(column, dtype=np.int64) for column in zip(*rows, strict=True)]
    key = pack(*columns)
    table = np.array(rows, dtype=np.int64)
    assert (table[np.argsort(key, kind="stable")] == table[np.lexsort(columns[::-1])]).all()
    same_row = (table[:, None, :] == table[None, :, :]).all(axis=2)
    assert ((key[:, None] == key[None, :]) == same_row).all()
    if len(columns) > 1:  # the last resort for more than 2**31 distinct values on both sides, checked directly
        ranks = _dense_rank_pairs(columns[0], columns[1])
        pairs = table[:, :2]
        assert (pairs[np.argsort(ranks, kind="stable")] == pairs[np.lexsort(columns[1::-1])]).all()
        assert ((ranks[:, None] == ranks[None, :]) == (pairs[:, None, :] == pairs[None, :, :]).all(axis=2)).all()


def test_event_keys_pack_at_the_size_that_failed() -> None:
    """20,000 documents of 20,000 characters, one event with one argument each: seven columns of 15 bits."""
    rng = np.random.default_rng(0)
    taxonomy = load_taxonomy()
    kind = taxonomy.event_types[0]
    docs = []
    for start, arg_start in zip(rng.integers(0, 19_990, 20_000).tolist(), rng.integers(0, 19_990, 20_000).tolist(),
                                strict=True):
        docs.append({"mentions": [{"id": "m", "start": arg_start, "end": arg_start + 5}],
                     "events": [{"type": kind, "trigger": {"start": start, "end": start + 4},
                                 "arguments": [{"role": taxonomy.event_roles[kind][0], "mention": "m"}]}]})
    table = events.event_table(docs, taxonomy)
    units = {f"{side}_{name}": np.zeros(20_000, np.int64) for side in ("gold", "pred")
             for name in ("events", "arguments")}
    tallies = events.event_tallies(table, table, units, 1)
    assert all(tallies[task].scores()["f1"] == 1.0 for task in events.TASKS)
