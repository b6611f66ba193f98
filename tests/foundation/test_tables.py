"""The one Markdown table writer and the one span-trimming helper, shared across layers."""

from __future__ import annotations

import numpy as np
from hypothesis import given
from hypothesis import strategies as st

from damascus_ie.core.sentences import strip_span
from damascus_ie.core.tables import markdown_table


def test_pipe_table_formats_floats_and_leaves_the_rest_to_str():
    table = markdown_table(("name", "f1", "n"), [("rules", 0.4554, 3), ("oracle", np.float64(1.0), np.int64(7))])
    assert table == ("| name | f1 | n |\n|---|---|---|\n| rules | 0.455 | 3 |\n| oracle | 1.000 | 7 |")


def test_float_format_is_an_option_and_an_empty_body_keeps_the_header():
    assert markdown_table(["x"], [(0.5,)], float_format="{:.1%}") == "| x |\n|---|\n| 50.0% |"
    assert markdown_table(["a", "b"], []) == "| a | b |\n|---|---|"


@given(st.text(alphabet=st.sampled_from(" a\u00a0\n\tb\u2009"), max_size=12), st.data())
def test_strip_span_drops_white_space_at_both_edges_only(text: str, data: st.DataObject):
    start = data.draw(st.integers(0, len(text)))
    end = data.draw(st.integers(start, len(text)))
    new_start, new_end = strip_span(text, start, end)
    assert start <= new_start <= new_end <= end
    assert text[new_start:new_end] == text[start:end].strip()
