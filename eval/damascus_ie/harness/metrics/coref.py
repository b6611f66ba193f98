"""Identity: MUC, B-cubed, CEAF-e, LEA and CoNLL F1 over clusters of mentions.

Input is two partitions given as arrays: for each key (gold) mention its cluster
id, and for each response (predicted) mention its cluster id plus the key
mention it is aligned to (-1 when it has none). Definitions follow the
reference scorer v8.01 (Pradhan et al. 2014) with singletons kept: the
Damascus-IE gold annotates singleton entities, so they count.

Mention alignment (the convention for predicted mentions): a predicted mention
is the same mention as a gold mention when both have exactly the same
boundaries in the same document (type ignored), paired one-to-one; any other
predicted mention is a distinct, "twinless" mention that can only hurt
precision. Mentions without an identity id (TIME mentions, predictions with
`entity: null`) take no part in coreference. A predicted mention repeated with
the same boundaries and aligned to no gold mention is removed, as the reference
scorer removes repeats (see `repeated`).

Each metric also returns per-mention shares of its sums (a cluster's
contribution divided evenly over its mentions), so the bootstrap can resample
sentences: a linearisation that holds the clusters fixed.
"""

from __future__ import annotations

from collections.abc import Hashable, Sequence
from dataclasses import dataclass
from itertools import permutations
from math import perm
from typing import Any

import numpy as np
import numpy.typing as npt
import pyarrow as pa
import pyarrow.compute as pc
from scipy.sparse import coo_matrix
from scipy.sparse.csgraph import connected_components

from damascus_ie.harness.metrics.counts import FloatArray, Tally, tally
from damascus_ie.harness.metrics.matching import IntArray, best_assignment

METRICS: tuple[str, ...] = ("muc", "b3", "ceafe", "lea")


@dataclass(frozen=True)
class Partitions:
    """Key mentions 0..n_key-1 with cluster ids; response mentions with cluster ids and aligned key mention."""

    key_cluster: IntArray
    response_cluster: IntArray
    response_key: IntArray


@dataclass(frozen=True)
class _Overlap:
    key_sizes: IntArray
    response_sizes: IntArray
    pair_key: IntArray  # one row per (key cluster, response cluster) sharing mentions
    pair_response: IntArray
    pair_size: IntArray
    key_of_mention: IntArray  # dense key cluster per key mention
    response_of_mention: IntArray  # dense response cluster per response mention
    key_pair: IntArray  # per key mention: its pair row, -1 when twinless
    response_pair: IntArray  # per response mention: its pair row, -1 when twinless


def _dense(ids: IntArray) -> tuple[IntArray, IntArray]:
    if ids.size == 0:
        return np.zeros(0, np.int64), np.zeros(0, np.int64)
    _, inverse, counts = np.unique(ids, return_inverse=True, return_counts=True)
    return inverse.astype(np.int64), counts.astype(np.int64)


def _overlap(parts: Partitions) -> _Overlap:
    key_of, key_sizes = _dense(parts.key_cluster)
    response_of, response_sizes = _dense(parts.response_cluster)
    aligned = parts.response_key >= 0
    pair_codes = key_of[parts.response_key[aligned]] * max(response_sizes.size, 1) + response_of[aligned]
    codes, pair_of_aligned, pair_size = np.unique(pair_codes, return_inverse=True, return_counts=True)
    width = max(response_sizes.size, 1)
    key_pair = np.full(key_of.size, -1, np.int64)
    key_pair[parts.response_key[aligned]] = pair_of_aligned
    response_pair = np.full(response_of.size, -1, np.int64)
    response_pair[aligned] = pair_of_aligned
    return _Overlap(key_sizes, response_sizes, codes // width, codes % width, pair_size.astype(np.int64),
                    key_of, response_of, key_pair, response_pair)


def _share(per_cluster: npt.NDArray[np.number[Any]], cluster_of_mention: IntArray, sizes: IntArray) -> FloatArray:
    """A cluster's value spread evenly over its mentions."""
    if cluster_of_mention.size == 0:
        return np.zeros(0)
    return np.asarray(per_cluster[cluster_of_mention] / sizes[cluster_of_mention], dtype=np.float64)


def _side(o: _Overlap, key_side: bool) -> tuple[IntArray, IntArray, IntArray, IntArray, IntArray]:
    """(sizes, cluster per mention, pair row per mention, pair cluster of this side, other side's sizes)."""
    if key_side:
        return o.key_sizes, o.key_of_mention, o.key_pair, o.pair_key, o.response_sizes
    return o.response_sizes, o.response_of_mention, o.response_pair, o.pair_response, o.key_sizes


def _muc(o: _Overlap, key_side: bool) -> tuple[FloatArray, FloatArray]:
    """Per mention shares of |K| - |p(K)| and |K| - 1 (twinless mentions are parts of their own)."""
    sizes, cluster, pair, pair_cluster, _ = _side(o, key_side)
    parts = np.bincount(pair_cluster, minlength=sizes.size) + np.bincount(cluster[pair < 0], minlength=sizes.size)
    return _share((sizes - parts).astype(float), cluster, sizes), _share((sizes - 1).astype(float), cluster, sizes)


def _b3(o: _Overlap, key_side: bool) -> tuple[FloatArray, FloatArray]:
    sizes, cluster, pair, _, _ = _side(o, key_side)
    shared = np.zeros(pair.size) if o.pair_size.size == 0 else np.where(pair >= 0, o.pair_size[np.maximum(pair, 0)], 0)
    credit = shared / np.maximum(sizes[cluster], 1)
    return credit.astype(float), np.ones(cluster.size)


def _links(n: IntArray) -> FloatArray:
    links: FloatArray = n * (n - 1) / 2.0
    return links


def _lea(o: _Overlap, key_side: bool) -> tuple[FloatArray, FloatArray]:
    """Importance |K| times the fraction of K's links kept; a singleton's self-link is kept when it stays alone."""
    sizes, cluster, _, pair_cluster, other_sizes = _side(o, key_side)
    other_cluster = o.pair_response if key_side else o.pair_key
    kept = np.bincount(pair_cluster, weights=_links(o.pair_size), minlength=sizes.size)
    alone = (sizes[pair_cluster] == 1) & (o.pair_size == 1) & (other_sizes[other_cluster] == 1)
    kept_singletons = np.bincount(pair_cluster[alone], minlength=sizes.size)
    links = np.where(sizes > 1, _links(sizes), 1.0)
    resolved = np.where(sizes > 1, kept, kept_singletons) / links
    return _share(sizes * resolved, cluster, sizes), np.ones(cluster.size)


def _ceafe(o: _Overlap) -> tuple[FloatArray, FloatArray]:
    """Best one-to-one alignment of clusters under phi4 = 2|K∩R| / (|K| + |R|), per connected component.

    Returns the aligned similarity per key cluster and per response cluster.
    """
    phi = 2.0 * o.pair_size / (o.key_sizes[o.pair_key] + o.response_sizes[o.pair_response])
    n_key, n_resp = o.key_sizes.size, o.response_sizes.size
    key_sim, resp_sim = np.zeros(n_key), np.zeros(n_resp)
    if phi.size == 0:
        return key_sim, resp_sim
    graph = coo_matrix((np.ones(phi.size), (o.pair_key, n_key + o.pair_response)), shape=(n_key + n_resp,) * 2)
    _, component = connected_components(graph, directed=False)
    pair_component = component[o.pair_key]
    single = np.bincount(pair_component, minlength=component.max() + 1)[pair_component] == 1
    key_sim[o.pair_key[single]] = phi[single]
    resp_sim[o.pair_response[single]] = phi[single]
    rest = np.flatnonzero(~single)
    if rest.size:
        _assign_components(o.pair_key[rest], o.pair_response[rest], phi[rest], pair_component[rest], key_sim,
                           resp_sim)
    return key_sim, resp_sim


_BRUTE_FORCE_ASSIGNMENTS = 720  # components with at most this many one-to-one assignments are solved in batches


def _rank_within(group: IntArray, node: IntArray) -> tuple[IntArray, IntArray]:
    """Dense rank of each entry's node among the distinct nodes of its group, and the group's node count."""
    order = np.lexsort((node, group))
    g, n = group[order], node[order]
    new_group = np.r_[True, g[1:] != g[:-1]]
    distinct = np.cumsum(new_group | np.r_[True, n[1:] != n[:-1]]) - 1
    rank = np.empty_like(order)
    rank[order] = distinct - distinct[new_group][np.cumsum(new_group) - 1]
    return rank, _max_per_group(group, rank) + 1


def _max_per_group(group: IntArray, values: IntArray) -> IntArray:
    out = np.zeros(int(group.max()) + 1, dtype=np.int64)
    np.maximum.at(out, group, values)
    return out


def _assign_components(pair_key: IntArray, pair_response: IntArray, phi: FloatArray, component: IntArray,
                       key_sim: FloatArray, resp_sim: FloatArray) -> None:
    """The optimal assignment within every component: small ones by trying every assignment at once, per shape.

    A 100,000-document corpus has ~10^5 small components, and a `linear_sum_assignment` call each costs
    more than the rest of scoring. Any optimum gives the same sums; ties go to the first assignment tried.
    """
    _, component = np.unique(component, return_inverse=True)
    key_rank, n_keys = _rank_within(component, pair_key)
    resp_rank, n_resps = _rank_within(component, pair_response)
    shape = n_keys * (int(n_resps.max()) + 1) + n_resps
    for code in np.unique(shape).tolist():
        members = np.flatnonzero(shape == code)  # components of this shape
        k, r = int(n_keys[members[0]]), int(n_resps[members[0]])
        slot = np.full(shape.size, -1, dtype=np.int64)
        slot[members] = np.arange(members.size)
        entries = np.flatnonzero(slot[component] >= 0)
        where = slot[component[entries]]
        weights = np.zeros((members.size, k, r))
        weights[where, key_rank[entries], resp_rank[entries]] = phi[entries]
        key_node = np.zeros((members.size, k), dtype=np.int64)
        key_node[where, key_rank[entries]] = pair_key[entries]
        resp_node = np.zeros((members.size, r), dtype=np.int64)
        resp_node[where, resp_rank[entries]] = pair_response[entries]
        small, large = min(k, r), max(k, r)
        if perm(large, small) > _BRUTE_FORCE_ASSIGNMENTS:
            for index in range(members.size):
                picked_rows, picked_cols = best_assignment(weights[index])
                key_sim[key_node[index, picked_rows]] = weights[index, picked_rows, picked_cols]
                resp_sim[resp_node[index, picked_cols]] = weights[index, picked_rows, picked_cols]
            continue
        flipped = weights.transpose(0, 2, 1) if k > r else weights  # rows: the smaller side
        chosen = np.array(list(permutations(range(large), small)), dtype=np.int64)
        rows = np.arange(small)
        best = chosen[np.argmax(flipped[:, rows, chosen].sum(axis=2), axis=1)]  # (components, small)
        sims = np.take_along_axis(flipped, best[:, :, None], axis=2)[:, :, 0]
        row_index = np.broadcast_to(rows, best.shape)
        key_rows, resp_cols = (row_index, best) if k <= r else (best, row_index)
        kept = sims > 0
        member = np.broadcast_to(np.arange(members.size)[:, None], best.shape)
        key_sim[key_node[member[kept], key_rows[kept]]] = sims[kept]
        resp_sim[resp_node[member[kept], resp_cols[kept]]] = sims[kept]


def coref_tallies(parts: Partitions, key_units: IntArray, response_units: IntArray,
                  n_units: int) -> dict[str, Tally]:
    """MUC, B3, CEAF-e and LEA as tallies; units give each mention's sentence."""
    o = _overlap(parts)
    out: dict[str, Tally] = {}
    for name, metric in (("muc", _muc), ("b3", _b3), ("lea", _lea)):
        r_num, r_den = metric(o, True)
        p_num, p_den = metric(o, False)
        out[name] = tally(n_units, (response_units, p_num), (response_units, p_den),
                          (key_units, r_num), (key_units, r_den), kind="links" if name == "muc" else "prf")
    key_sim, resp_sim = _ceafe(o)
    out["ceafe"] = tally(
        n_units,
        (response_units, _share(resp_sim, o.response_of_mention, o.response_sizes)),
        (response_units, _share(np.ones(o.response_sizes.size), o.response_of_mention, o.response_sizes)),
        (key_units, _share(key_sim, o.key_of_mention, o.key_sizes)),
        (key_units, _share(np.ones(o.key_sizes.size), o.key_of_mention, o.key_sizes)),
    )
    return out


def coref_scores(tallies: dict[str, Tally]) -> dict[str, dict[str, float] | float]:
    """P/R/F1 per metric plus CoNLL F1 (mean of MUC, B3 and CEAF-e F1)."""
    out: dict[str, dict[str, float] | float] = {name: tallies[name].scores() for name in METRICS}
    out["conll_f1"] = conll_f1(tallies)
    return out


def conll_f1(tallies: dict[str, Tally]) -> float:
    return float(np.mean([tallies[name].value() for name in ("muc", "b3", "ceafe")]))


def clusters_score(key: list[list[Hashable]], response: list[list[Hashable]]) -> dict[str, dict[str, float] | float]:
    """Scores for partitions written as lists of clusters of hashable mentions (tests, worked examples).

    A mention given twice in the response is a repeat (same boundaries): the later cluster's copy is removed.
    """
    key_ids = {m: i for i, cluster in enumerate(key) for m in cluster}
    mentions = list(key_ids)
    index = {m: i for i, m in enumerate(mentions)}
    response_mentions = [m for cluster in response for m in cluster]
    codes: dict[object, int] = {}
    spans = np.array([codes.setdefault(m, len(codes)) for m in response_mentions], dtype=np.int64)
    first = {m: position for position, m in reversed(list(enumerate(response_mentions)))}
    response_key = np.array([index.get(m, -1) if first[m] == position else -1  # one-to-one: the first copy aligns
                             for position, m in enumerate(response_mentions)], dtype=np.int64)
    response_cluster = np.array([i for i, cluster in enumerate(response) for _ in cluster], dtype=np.int64)
    kept = ~repeated(spans, response_key, response_cluster)
    parts = Partitions(np.array([key_ids[m] for m in mentions], dtype=np.int64), response_cluster[kept],
                       response_key[kept])
    zeros_key, zeros_resp = np.zeros(len(mentions), np.int64), np.zeros(int(kept.sum()), np.int64)
    return coref_scores(coref_tallies(parts, zeros_key, zeros_resp, 1))


def repeated(span: IntArray, aligned: IntArray, rank: IntArray) -> IntArray:
    """Rows to remove: a row repeating another row's span key (same document and boundaries) and aligned to no
    key mention.

    The reference scorer removes repeated response mentions (they inflate B3 precision). A copy aligned to
    a key mention is kept (the gold may hold two mentions with the same boundaries, such as two events on
    one trigger); of unaligned repeats with no aligned copy, the smallest `rank` (the identity id's rank, so
    the choice does not depend on record order) stays.
    """
    if span.size == 0:
        return np.zeros(0, dtype=bool)
    order = np.lexsort((np.arange(span.size), rank, aligned < 0, span))
    ordered = span[order]
    out = np.zeros(span.size, dtype=bool)
    out[order[1:]] = (ordered[1:] == ordered[:-1]) & (aligned[order[1:]] < 0)
    return out


def identity_codes(ids: Sequence[str | None] | IntArray) -> IntArray:
    """Identity ids as integer codes in the ids' sorted order (-1 for none); arrays of codes pass through.

    Sorted, not first-seen, so a code's rank does not depend on record order; one C++ pass (Arrow).
    """
    if isinstance(ids, np.ndarray):
        return ids
    return sorted_codes(pa.array(list(ids), type=pa.string()))


def sorted_codes(values: pa.Array) -> IntArray:
    """A code per distinct string, numbered in sorted order; -1 for null.

    Arrow's dense rank: one sort of the values, faster than hashing them into a dictionary and sorting that.
    """
    if not len(values) or pa.types.is_null(values.type):  # nothing, or nothing but nulls
        return np.full(len(values), -1, dtype=np.int64)
    codes: IntArray = pc.rank(values, sort_keys="ascending", tiebreaker="dense").to_numpy().astype(np.int64) - 1
    if values.null_count:
        codes[values.is_null().to_numpy(zero_copy_only=False)] = -1
    return codes


def identity_partitions(gold_ids: Sequence[str | None] | IntArray, gold_doc: IntArray,
                        pred_ids: Sequence[str | None] | IntArray, pred_doc: IntArray, pred_to_gold: IntArray,
                        corpus: bool, pred_span: IntArray | None = None) -> tuple[Partitions, IntArray, IntArray]:
    """Partitions of the records that carry an identity id, and which rows they are (key rows, response rows).

    Ids come as strings (None: no id) or as codes of `identity_codes` (-1: no id). Within documents a
    cluster is (document, id); across the corpus the id alone, as the spec's identity ids are corpus-level
    for gold and predictions alike. `pred_span` (one key per predicted row for its document and
    boundaries) removes repeated predicted mentions; see `repeated`.
    """
    gold_codes, pred_codes = identity_codes(gold_ids), identity_codes(pred_ids)
    key_rows, response_rows = np.flatnonzero(gold_codes >= 0), np.flatnonzero(pred_codes >= 0)
    if pred_span is not None and response_rows.size:
        response_rows = response_rows[~repeated(pred_span[response_rows], pred_to_gold[response_rows],
                                                pred_codes[response_rows])]

    def clusters(codes: IntArray, docs: IntArray, rows: IntArray) -> IntArray:
        if corpus or rows.size == 0:
            return codes[rows]
        dense: IntArray = np.unique(np.asarray(docs, dtype=np.int64)[rows] * (int(codes.max()) + 1) + codes[rows],
                                    return_inverse=True)[1].ravel()
        return dense

    key_position = np.full(gold_codes.size, -1, dtype=np.int64)
    key_position[key_rows] = np.arange(key_rows.size)
    aligned = pred_to_gold[response_rows] if response_rows.size else np.zeros(0, np.int64)
    response_key = np.where(aligned >= 0, key_position[np.maximum(aligned, 0)] if key_position.size else -1, -1)
    parts = Partitions(clusters(gold_codes, gold_doc, key_rows), clusters(pred_codes, pred_doc, response_rows),
                       response_key.astype(np.int64))
    return parts, key_rows, response_rows
