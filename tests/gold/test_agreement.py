"""The published agreement comes from the kept passes through the harness, and its alpha is the textbook one."""

from __future__ import annotations

from pathlib import Path

import pytest

from damascus_ie.core.io import load_gold
from damascus_ie.harness.agreement import agreement_section, measure, nominal_alpha


def test_nominal_alpha_matches_worked_values():
    assert nominal_alpha(["a", "b", "a", "b"], ["a", "b", "a", "b"]) == 1.0
    # coincidence matrix by hand: o_ab = o_ba = 1, n_a = 3, n_b = 5, n = 8 -> alpha = 1 - 7 * 2 / (2 * 3 * 5) = 8/15
    assert nominal_alpha(["a", "a", "b", "b"], ["a", "b", "b", "b"]) == pytest.approx(8 / 15)
    with pytest.raises(ValueError):
        nominal_alpha([], [])


def test_gold_against_itself_agrees_perfectly():
    _, docs = load_gold()
    figures = measure(docs, docs)
    assert set(figures["headline"].values()) == {1.0}
    assert figures["attribution_token_alpha"] == 1.0 and figures["entity_type_kappa"] == 1.0


def test_card_section_is_generated_from_passes(repo_root: Path):
    section = agreement_section(repo_root)
    card = (repo_root / "dataset/README.md").read_text(encoding="utf-8")
    assert section in card
    assert "| entity mentions | strict F1 / partial F1 |" in section and "PolNeAR" in section
