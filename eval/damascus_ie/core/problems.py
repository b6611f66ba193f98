"""One way to say what is wrong with input: file, line, document, record, field, reason, and a hint.

A problem is an `error` (the input cannot be interpreted: refused, exit 2) or a
`warning` (wrong but interpretable: scored, and counted in the report). Lists
of problems are bounded (`ProblemLog`): the first few per kind are kept, the
rest only counted, so 20,000 crossing spans cost a counter, not gigabytes.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from typing import Literal

Severity = Literal["error", "warning"]
SHOWN_PER_KIND = 20


@dataclass(frozen=True)
class Problem:
    file: str
    document: str | None
    record: str | None
    field: str | None
    reason: str
    line: int | None = None
    severity: Severity = "error"
    hint: str | None = None
    kind: str | None = None

    @property
    def key(self) -> str:
        """What problems are counted by: the explicit kind, else the reason."""
        return self.kind or self.reason

    def __str__(self) -> str:
        where = self.file + (f":{self.line}" if self.line is not None else "")
        parts = [where]
        if self.document is not None:
            parts.append(f"document {self.document}")
        if self.record is not None:
            parts.append(f"record {self.record}")
        if self.field is not None:
            parts.append(f"field {self.field}")
        hint = f" (hint: {self.hint})" if self.hint else ""
        return ", ".join(parts) + f": {self.reason}{hint}"


class ProblemLog:
    """Problems in bounded memory: the first `shown` per kind are kept, every one is counted."""

    def __init__(self, problems: Iterable[Problem] = (), shown: int = SHOWN_PER_KIND) -> None:
        self.shown = shown
        self.kept: list[Problem] = []
        self.counts: Counter[str] = Counter()
        self.extend(problems)

    def add(self, problem: Problem) -> None:
        self.counts[problem.key] += 1
        if self.counts[problem.key] <= self.shown:
            self.kept.append(problem)

    def extend(self, problems: Iterable[Problem]) -> None:
        for problem in problems:
            self.add(problem)

    def merge(self, other: ProblemLog) -> None:
        """Adds another log's kept problems and all its counts."""
        for problem in other.kept:
            self.add(problem)
        for kind, n in other.counts.items():
            self.counts[kind] += n - min(n, other.shown)

    def __len__(self) -> int:
        return sum(self.counts.values())

    def __bool__(self) -> bool:
        return bool(self.counts)

    def __iter__(self) -> Iterator[Problem]:
        return iter(self.kept)

    def left_out(self) -> dict[str, int]:
        """Kind -> how many of it were counted but not kept."""
        return {kind: n - self.shown for kind, n in self.counts.items() if n > self.shown}


class InvalidInput(Exception):
    """Raised with every problem found (bounded per kind), so one run reports them all."""

    def __init__(self, problems: Iterable[Problem] | ProblemLog):
        log = problems if isinstance(problems, ProblemLog) else ProblemLog(problems)
        self.log = log
        self.problems = list(log.kept)
        shown = "\n".join(f"  - {p}" for p in self.problems)
        more = "".join(f"\n  ... and {n} more like {kind!r}" for kind, n in sorted(log.left_out().items()))
        super().__init__(f"{len(log)} problem(s):\n{shown}{more}")
