"""The dependency direction is web → workflow → models, and only workflow/engine/ imports SpiffWorkflow."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent


def sources(*places: str) -> list[Path]:
    files: list[Path] = []
    for place in places:
        path = ROOT / place
        files += [path] if path.is_file() else sorted(path.rglob("*.py"))
    return files


def imported_modules(path: Path) -> set[str]:
    """Every module a file imports, at the top or inside a function."""
    modules: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text("utf-8"), filename=str(path))):
        if isinstance(node, ast.Import):
            modules.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            modules.add(node.module)
    return modules


def offenders(files: list[Path], forbidden: tuple[str, ...]) -> list[str]:
    found = []
    for path in files:
        for module in sorted(imported_modules(path)):
            if module.split(".")[0] in forbidden:
                found.append(f"{path.relative_to(ROOT)} imports {module}")
    return found


def test_the_walk_sees_imports_inside_functions(tmp_path: Path) -> None:
    sample = tmp_path / "sample.py"
    sample.write_text("def f():\n    from SpiffWorkflow.bpmn import BpmnWorkflow\n    import web.cli\n", "utf-8")

    assert imported_modules(sample) == {"SpiffWorkflow.bpmn", "web.cli"}


@pytest.mark.parametrize("place", ["web", "models", "app.py", "config.py"])
def test_only_workflow_imports_spiffworkflow(place: str) -> None:
    assert sources(place), place
    assert offenders(sources(place), ("SpiffWorkflow",)) == []


def test_only_the_engine_package_imports_spiffworkflow() -> None:
    outside = [p for p in sources("workflow") if "engine" not in p.relative_to(ROOT / "workflow").parts[:1]]

    assert outside, "workflow/ has modules outside the engine package"
    assert offenders(outside, ("SpiffWorkflow",)) == []


def test_models_import_neither_workflow_nor_web() -> None:
    assert offenders(sources("models"), ("workflow", "web", "app")) == []


def test_workflow_never_imports_web() -> None:
    assert offenders(sources("workflow"), ("web",)) == []


def test_only_the_worker_entry_module_imports_the_app() -> None:
    others = [p for p in sources("workflow") if p.name != "worker.py"]

    assert offenders(others, ("app",)) == []
