"""Diagram checks (placeholder: the bpmn-tooling work fills this in)."""

from __future__ import annotations

from pathlib import Path


def check_file(path: Path) -> list[str]:
    return []
