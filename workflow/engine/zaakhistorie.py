"""What a real case's engine state holds about its completed user tasks (for "scenario uit een zaak").

Read-only: the state is loaded as ``runtime`` does, nothing is saved. Callers decide what of the
task data they may keep (workflow/studio/scenarios.py keeps only choices).
"""

from __future__ import annotations

from typing import Any
from uuid import UUID

from models import ProcessInstance
from workflow.engine.runtime import _load


def taakgegevens(instance: ProcessInstance, task_ids: list[str]) -> dict[str, dict[str, Any]]:
    """Engine task UUID -> the data that task held after completion, for the given tasks."""
    run = _load(instance)
    found: dict[str, dict[str, Any]] = {}
    for task_id in task_ids:
        try:
            task = run.wf.tasks.get(UUID(task_id))
        except ValueError:
            task = None
        if task is not None:
            found[task_id] = dict(task.data or {})
    return found
