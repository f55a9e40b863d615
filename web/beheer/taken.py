"""Beheer: open tasks nobody can do, tasks past their deadline, and reassigning any open task
(workflow/taken_toewijzing.py)."""

from __future__ import annotations

from flask import abort, flash, redirect, render_template, request, url_for
from flask_login import current_user
from werkzeug.wrappers import Response

from models import HumanTask, db
from web import policy
from web.beheer import bp
from workflow import taken_toewijzing as use_cases
from workflow.taken_toewijzing import ToewijzingOngeldig

MAX_NUMMER = 40


@bp.get("/taken")
@policy.roles("beheerder")
def taken() -> str:
    nummer = request.args.get("aanvraagnummer", "").strip()[:MAX_NUMMER]
    gevonden = use_cases.open_taken_van_hulpvraag(nummer) if nummer else []
    return render_template(
        "beheer/taken.html", zonder=use_cases.zonder_eigenaar(), te_laat=use_cases.te_laat(), nummer=nummer,
        gevonden=gevonden, max_nummer=MAX_NUMMER,
    )  # fmt: skip


def _open_taak(task_id: int) -> HumanTask:
    task = db.session.get(HumanTask, task_id)
    if task is None:
        abort(404)
    return task


def _toewijzen(task: HumanTask, fout: str = "", status: int = 200) -> tuple[str, int]:
    html = render_template(
        "beheer/taak_toewijzen.html", task=task, kandidaten=use_cases.kandidaten(task), fout=fout,
        wie=use_cases.wie_ontbreekt(task) if not use_cases.task_candidates(task) else "",
        gekozen=request.form.get("user_id", "") if fout else "",
    )  # fmt: skip
    return html, status


@bp.get("/taken/<int:task_id>")
@policy.roles("beheerder")
def taak_toewijzen(task_id: int) -> tuple[str, int]:
    return _toewijzen(_open_taak(task_id))


@bp.post("/taken/<int:task_id>")
@policy.roles("beheerder")
def taak_toewijzen_opslaan(task_id: int) -> Response | tuple[str, int]:
    task = _open_taak(task_id)
    try:
        nieuw = use_cases.wijs_toe(task, request.form.get("user_id"), current_user)
    except ToewijzingOngeldig as fout:
        db.session.rollback()
        return _toewijzen(_open_taak(task_id), str(fout), 422)
    db.session.commit()
    flash(f"De taak ‘{task.titel}’ is toegewezen aan {nieuw.naam}; die krijgt een e-mail.", "success")
    return redirect(url_for("beheer.taken"))
