"""The one Markdown table writer: plain rows in, a pipe table out.

The report, the dataset card, the agreement section and the leaderboard all
write tables through it, so they look alike and none needs pandas' optional
`tabulate` dependency (DataFrame.to_markdown).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any


def markdown_table(header: Sequence[Any], rows: Iterable[Sequence[Any]], *, float_format: str = "{:.3f}") -> str:
    """A pipe table; floats (numpy's included) as `float_format`, everything else as `str`."""
    def cell(value: Any) -> str:
        return float_format.format(value) if isinstance(value, float) else str(value)

    lines = ["| " + " | ".join(map(str, header)) + " |", "|" + "---|" * len(header)]
    lines += ["| " + " | ".join(cell(value) for value in row) + " |" for row in rows]
    return "\n".join(lines)
