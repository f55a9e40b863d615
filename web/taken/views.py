"""Mijn taken: the inbox, a task page with its form, claim and unclaim.

When the engine cannot process a completion (ProcessFailed), nothing is saved, an incident is
recorded for the procesbeheerder (workflow/incidenten.py), and the user gets the task page back with
HTTP 409 (Conflict: the request was valid, but the process cannot take it in its present state; 422
stays for the user's own form errors), their input filled in and a notice that it was reported.
"""

from __future__ import annotations

import logging

import sqlalchemy as sa
from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_login import current_user
from werkzeug.wrappers import Response

from models import HumanTask, User, UserRol, db
from web import policy
from web.ui import safe_path
from workflow import audit, incidenten, taken_toewijzing
from workflow.access import may_do_task, may_see_hulpvraag, task_candidates
from workflow.antwoorden import eerdere_stappen
from workflow.engine.forms import FormField, fields
from workflow.engine.runtime import (
    FormInvalid,
    NotAllowed,
    ProcessFailed,
    TaskAlreadyDone,
    TaskClaimed,
    claim,
    complete_task,
    is_open,
    live_instruction,
    task_form,
    unclaim,
)
from workflow.formulieren import van_instance as formulier_van

bp = Blueprint("taken", __name__)
log = logging.getLogger(__name__)


@bp.get("/")
@policy.authenticated
def home() -> Response:
    return redirect(url_for("taken.inbox"))


# The inbox (GET /taken) is in web/taken/lijst.py.


def _task_or_404(task_id: int) -> HumanTask:
    """A task the user may do or whose hulpvraag they may see; otherwise the same 404."""
    task = db.session.get(HumanTask, task_id)
    if task is not None and may_do_task(current_user, task):
        return task
    if task is not None and task.hulpvraag_id is not None and may_see_hulpvraag(current_user, task.hulpvraag_id):
        return task
    log.warning("denied: task_id=%s user_id=%s (%s)", task_id, current_user.id,
                "out of scope" if task is not None else "not found")  # fmt: skip
    abort(404)


def _dossier_id(task: HumanTask) -> int | None:
    return task.hulpvraag.dossier_id if task.hulpvraag is not None else None


@bp.get("/taken/<int:task_id>")
@policy.authenticated
def show(task_id: int) -> str:
    task = _task_or_404(task_id)
    return _render_task(task, values={}, errors={})


def _render_task(task: HumanTask, values: dict[str, str], errors: dict[str, str], status: int = 200,
                 vastgelopen: incidenten.Fout | None = None, gemeld: bool = False) -> str:  # fmt: skip
    form = task_form(task)
    form_fields = [_with_choices(f) for f in fields(form, values, errors)]
    can_do = task.is_open and may_do_task(current_user, task)
    html = render_template(
        "taken/task.html",
        task=task,
        form=form,
        fields=form_fields,
        errors=errors,
        can_do=can_do,
        candidates=task_candidates(task) if task.is_open else [],
        vastgelopen=vastgelopen,
        gemeld=gemeld,
        **_eerder_en_nu(task),
    )
    audit.record(current_user, "bekijken", "taak", task.id, dossier_id=_dossier_id(task), detail=task.titel)
    db.session.commit()  # a read is only shown once its audit entry is stored (workflow/audit.py)
    return html, status  # type: ignore[return-value]


def _eerder_en_nu(task: HumanTask) -> dict[str, object]:
    """What the earlier steps said (newest first), the instruction with today's figures, and the
    Formulier this task is about."""
    return {
        "eerdere_stappen": eerdere_stappen(task, current_user),
        "instructie": live_instruction(task),
        "formulier": formulier_van(task.instance_id),
    }


def _with_choices(field: FormField) -> FormField:
    """The user picker lists the active accounts with the role the form names."""
    if field.widget == "user":
        query = sa.select(User).join(UserRol).where(UserRol.rol == (field.rol or "scp"), User.actief.is_(True))
        field.options = [(str(u.id), u.naam) for u in db.session.scalars(query.order_by(User.naam))]
    return field


@bp.post("/taken/<int:task_id>")
@policy.authenticated
def complete(task_id: int) -> str | Response:
    task = _task_or_404(task_id)
    raw = request.form.to_dict()
    try:
        _complete_with_retry(task, raw)
    except FormInvalid as exc:
        db.session.rollback()
        return _render_task(db.session.get(HumanTask, task_id), raw, exc.errors, 422)  # type: ignore[arg-type]
    except TaskAlreadyDone:
        db.session.rollback()
        abort(409, "Deze taak is al afgehandeld.")
    except TaskClaimed:
        db.session.rollback()
        abort(409, "Deze taak is geclaimd door een collega.")
    except NotAllowed:
        db.session.rollback()
        abort(403, "U mag deze taak niet uitvoeren.")
    except ProcessFailed as exc:
        db.session.rollback()
        log.error("process failed on task %s: %s", task_id, exc.bpmn_id)
        incident = incidenten.bij_taak(task_id, current_user, raw, exc)
        fout = incidenten.Fout(incident.bpmn_id, incident.melding) if incident else incidenten.fout_van(exc)
        return _render_task(db.session.get(HumanTask, task_id), raw, {}, 409,  # type: ignore[arg-type]
                            vastgelopen=fout, gemeld=incident is not None)  # fmt: skip
    flash(f"Taak ‘{task.titel}’ afgehandeld.", "success")
    for melding in taken_toewijzing.waarschuwingen():  # a new task nobody can do (issue 14)
        flash(melding, "warning")
    return redirect(
        url_for("hulpvragen.show", hulpvraag_id=task.hulpvraag_id) if task.hulpvraag_id else url_for("taken.inbox")
    )


def _complete_with_retry(task: HumanTask, raw: dict[str, str]) -> None:
    """Complete and commit. When a parallel branch of the same case saved first (version
    conflict) while this task is still open, reload and complete once more."""
    for attempt in (1, 2):
        try:
            complete_task(task.id, current_user, raw)
            incidenten.na_succes(incidenten.sleutel_taak(task.id), current_user)  # a stuck task that now works
            dossier_id = _dossier_id(task)
            audit.record(current_user, "taak_afronden", "taak", task.id, dossier_id=dossier_id, detail=task.titel)
            db.session.commit()
            return
        except TaskAlreadyDone:
            db.session.rollback()
            if attempt == 2 or not is_open(task.id):
                raise


@bp.post("/taken/<int:task_id>/claim")
@policy.authenticated
def claim_task(task_id: int) -> Response:
    return _claim_action(task_id, claim, "U heeft de taak geclaimd.", "geclaimd")


@bp.post("/taken/<int:task_id>/vrijgeven")
@policy.authenticated
def unclaim_task(task_id: int) -> Response:
    return _claim_action(task_id, unclaim, "De taak is vrijgegeven.", "vrijgegeven")


def _claim_action(task_id: int, action, message: str, detail: str) -> Response:  # type: ignore[no-untyped-def]
    task = _task_or_404(task_id)
    try:
        action(task, current_user)
        audit.record(current_user, "wijzigen", "taak", task.id, dossier_id=_dossier_id(task), detail=detail)
        db.session.commit()
    except TaskAlreadyDone:
        abort(409, "Deze taak is al afgehandeld.")
    except TaskClaimed:
        abort(409, "Deze taak is geclaimd door een collega.")
    except NotAllowed:
        abort(403, "U mag deze taak niet uitvoeren.")
    flash(message, "success")
    return redirect(safe_path(request.form.get("terug"), url_for("taken.show", task_id=task.id)))
