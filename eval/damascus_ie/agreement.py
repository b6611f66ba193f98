"""Inter-annotator agreement between the kept blind passes, measured with the harness's own scorer."""

from __future__ import annotations

from pathlib import Path

PASSES_DIR = Path("dataset") / "annotator_passes"


def pass_files(root: Path) -> list[Path]:
    return sorted((root / PASSES_DIR).glob("*.json"))


def agreement_section(root: Path) -> str:
    passes = pass_files(root)
    if len(passes) < 2:
        return "Agreement: not measured yet (fewer than two kept annotation passes)."
    return "Agreement: pending (the harness that measures it is being landed)."
