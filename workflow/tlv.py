"""The TLV aanpak's database side: lookups bpmn/tlv.bpmn calls, the TLV record, the TLV tab.

The lookups are registered as expression helpers on import; scenario files stub them with
``opzoeken:``, so ``flask bpmn test`` never touches the database. Writes are flushed, never
committed: the request or job that completes the task commits once.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, datetime
from typing import Any

import sqlalchemy as sa

from models import TLV, Bijlage, HumanTask, Rol, User, db, utcnow
from models.tlv import BESLUITEN, tlv_nummer
from workflow.engine.expressions import datum, register_lookup_helper
from workflow.engine.runtime import TaskAlreadyDone, complete_task


# --- lookups for the diagram ----------------------------------------------------------------
def heeft_bijlage(hulpvraag_id: int, soort: str) -> bool:
    """Whether the hulpvraag has a bijlage (not removed) of this soort ("OPP", "onderzoeksverslag" …), any
    case. The soort is what the uploader picked (or the LVS sent as its OPP), never a guess from the name."""
    query = sa.select(Bijlage.id).where(
        Bijlage.hulpvraag_id == int(hulpvraag_id),
        Bijlage.verwijderd_at.is_(None),
        sa.func.lower(Bijlage.soort) == str(soort).lower(),
    )
    return db.session.scalar(query.limit(1)) is not None


def heeft_functie(user_id: Any, functie: str) -> bool:
    """Whether ``user_id`` is an active functionaris with this functie (the user picker lists all)."""
    try:
        user = db.session.get(User, int(user_id))
    except (TypeError, ValueError):
        return False
    return user is not None and user.actief and functie in user.functie_namen and user.heeft_rol(Rol.FUNCTIONARIS)


def registreer_tlv(
    *,
    hulpvraag_id: int,
    besluit: str,
    motivering: str,
    adviezen: Iterable[dict[str, Any]],
    soort: str | None = None,
    categorie: str | None = None,
    ingangsdatum: date | str | None = None,
    einddatum: date | str | None = None,
) -> str:
    """Store the besluit; returns the new TLV-nummer ("" for an afwijzing). Flushed, not committed."""
    if besluit not in BESLUITEN:
        raise ValueError(f"onbekend TLV-besluit {besluit!r}")
    tlv = TLV(
        hulpvraag_id=int(hulpvraag_id), besluit=besluit, motivering=str(motivering or ""),
        soort=soort, categorie=categorie, afgiftedatum=utcnow().date(),
        ingangsdatum=datum(ingangsdatum) if ingangsdatum else None,
        einddatum=datum(einddatum) if einddatum else None,
        adviezen=[_advies(a) for a in adviezen if a],
    )  # fmt: skip
    db.session.add(tlv)
    db.session.flush()
    if tlv.toegekend:
        tlv.nummer = tlv_nummer(tlv.afgiftedatum, tlv.id)
        db.session.flush()
    return tlv.nummer or ""


def _advies(advies: dict[str, Any]) -> dict[str, Any]:
    """One advies as JSON: who gave it (id and name, as the name was then), what and when."""
    user = db.session.get(User, int(advies["deskundige"])) if advies.get("deskundige") else None
    gegeven_op = advies.get("gegeven_op")
    return {
        "deskundige_id": user.id if user else None,
        "naam": user.naam if user else "",
        "functie": advies.get("functie") or "",
        "advies": advies.get("advies") or "",
        "bijlage": advies.get("bijlage") or "",
        "gegeven_op": gegeven_op.isoformat() if isinstance(gegeven_op, datetime) else str(gegeven_op or ""),
    }


register_lookup_helper("heeft_bijlage", heeft_bijlage)
register_lookup_helper("heeft_functie", heeft_functie)
register_lookup_helper("registreer_tlv", registreer_tlv)


# --- the TLV tab ----------------------------------------------------------------------------
def tlvs_van(hulpvraag_id: int) -> list[TLV]:
    """The TLV besluiten of a hulpvraag, newest first."""
    query = sa.select(TLV).where(TLV.hulpvraag_id == hulpvraag_id).order_by(TLV.id.desc())
    return list(db.session.scalars(query))


# --- parallel adviezen: the loser of a version race retries (R2) ------------------------------
def complete_parallel_task(task_pk: int, user_id: int, raw: dict[str, Any]) -> HumanTask:
    """Complete one task and commit; a conflict with a parallel branch is retried once.

    Two deskundigen finishing at the same moment both load version n of the instance; the
    second save fails the version check (TaskAlreadyDone) although its own task is still
    READY. It then reloads the instance (with the first advies in it) and completes again, so
    both adviezen are kept and the join fires exactly once.
    """
    for attempt in (1, 2):
        try:
            task = complete_task(task_pk, db.session.get(User, user_id), raw)  # type: ignore[arg-type]
            db.session.commit()
            return task
        except TaskAlreadyDone:
            db.session.rollback()
            if attempt == 2 or not _still_open(task_pk):
                raise
    raise AssertionError("unreachable")


def _still_open(task_pk: int) -> bool:
    query = sa.select(HumanTask.id).where(HumanTask.id == task_pk, HumanTask.completed_at.is_(None))
    return db.session.scalar(query) is not None
