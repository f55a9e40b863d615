"""Beheer: the audit trail. Search by person, dossier and period; the inzage list of one dossier.

Looking at the trail is itself recorded (object_type ``audit``), with the dossier when one is named.
"""

from __future__ import annotations

from datetime import date

import sqlalchemy as sa
from flask import abort, current_app, render_template, request
from flask_login import current_user

from models import Dossier, Samenwerkingsverband, User, db
from models.user import Rol
from web import policy
from web.beheer import bp
from web.tabel import DatumBuitenBereik, filterdatum
from web.ui import rol_label
from workflow import audit
from workflow.engine.forms import FormField

ACTIE_LABELS = {
    "bekijken": "bekeken",
    "aanmaken": "aangemaakt",
    "wijzigen": "gewijzigd",
    "downloaden": "gedownload",
    "exporteren": "geëxporteerd",
    "taak_afronden": "afgerond",
}
OBJECT_LABELS = {
    "dossier": "Dossier",
    "hulpvraag": "Hulpvraag",
    "bijlage": "Bijlage",
    "taak": "Taak",
    "export": "Export",
    "audit": "Auditlog",
}


def _date(value: str) -> date | None:
    return filterdatum(value)  # ValueError for no date or one outside 1900–2999 (9999-12-31 gave a 500)


def _terms(args: dict[str, str]) -> tuple[audit.AuditFilter, dict[str, str]]:
    """The search terms from the query string, with a Dutch message per field that is wrong."""
    errors: dict[str, str] = {}
    dates: dict[str, date | None] = {}
    for name in ("van", "tot"):
        try:
            dates[name] = _date(args[name].strip()) if args.get(name, "").strip() else None
        except DatumBuitenBereik:
            errors[name] = "Vul een geldige datum in tussen 1900 en 2999, bijvoorbeeld 31-01-2026."
        except ValueError:
            errors[name] = "Vul een geldige datum in, bijvoorbeeld 31-01-2026."
    van, tot = dates.get("van"), dates.get("tot")
    if van and tot and van > tot:
        errors["tot"] = "De einddatum ligt vóór de begindatum."
    dossier_id = None
    if args.get("dossier", "").strip():
        dossier_id = audit.dossier_id_for(args["dossier"])
        if dossier_id is None:
            errors["dossier"] = "Geen dossier of hulpvraag met dit nummer gevonden."
    terms = audit.AuditFilter(
        gebruiker=args.get("gebruiker", "").strip()[:100], dossier_id=dossier_id, van=van, tot=tot
    )
    return terms, errors


def _fields(args: dict[str, str], errors: dict[str, str]) -> list[FormField]:
    def f(name: str, label: str, widget: str = "text", **kw: object) -> FormField:
        return FormField(name=name, label=label, widget=widget, value=args.get(name, ""),
                         error=errors.get(name, ""), **kw)  # type: ignore[arg-type]  # fmt: skip

    return [
        f("gebruiker", "Gebruiker", help="Deel van de naam of gebruikersnaam.", attrs={"maxlength": 100}),
        f("dossier", "Dossier", help="Dossiernummer of aanvraagnummer.", attrs={"maxlength": 20}),
        f("van", "Van", "date"),
        f("tot", "Tot en met", "date"),
    ]


def _search_note(terms: audit.AuditFilter) -> str:
    """What the beheerder searched for, for the trail: no free text that could name a pupil."""
    parts = ["gebruiker"] if terms.gebruiker else []
    if terms.dossier_id is not None:
        parts.append(f"dossier {terms.dossier_id}")
    if terms.van or terms.tot:
        parts.append(f"periode {terms.van or '…'} t/m {terms.tot or '…'}")
    return "zoeken: " + (", ".join(parts) if parts else "alles")


@bp.get("/audit")
@policy.roles("beheerder")
def audit_log() -> str:
    args = {k: request.args.get(k, "") for k in ("gebruiker", "dossier", "van", "tot")}
    terms, errors = _terms(args)
    number = max(request.args.get("pagina", 1, type=int) or 1, 1)
    size = current_app.config["PAGE_SIZE"]
    rows, total = ([], 0) if errors else audit.page(audit.search(terms), number, size)
    html = render_template(
        "beheer/audit.html", fields=_fields(args, errors), errors=errors, rows=rows, total=total, page=number,
        pages=max((total + size - 1) // size, 1), args={k: v for k, v in args.items() if v},
        dossier_id=terms.dossier_id, actie_labels=ACTIE_LABELS, object_labels=OBJECT_LABELS,
    )  # fmt: skip
    audit.record(current_user, "bekijken", "audit", None, dossier_id=terms.dossier_id, detail=_search_note(terms))
    db.session.commit()  # a read is only shown once its audit entry is stored (workflow/audit.py)
    return html


def _organisaties(users: list[User]) -> dict[int, str]:
    """Per user: their schools, or the samenwerkingsverband for SWV staff."""
    swv_ids = {u.swv_id for u in users if u.swv_id is not None}
    swvs = {s.id: s.naam for s in db.session.scalars(sa.select(Samenwerkingsverband).where(
        Samenwerkingsverband.id.in_(swv_ids)))}  # fmt: skip
    result = {}
    for user in users:
        if user.scholen:
            result[user.id] = ", ".join(sorted(s.naam for s in user.scholen))
        elif Rol.EXTERN in user.rollen:
            result[user.id] = "Extern"
        else:
            result[user.id] = swvs.get(user.swv_id, "") if user.swv_id is not None else ""
    return result


def _rollen(user: User) -> str:
    labels = [rol_label(r) for r in sorted(user.rollen)]
    functies = ", ".join(sorted(user.functie_namen))
    return ", ".join(labels) + (f" ({functies})" if functies else "")


@bp.get("/audit/inzage/<int:dossier_id>")
@policy.roles("beheerder")
def audit_inzage(dossier_id: int) -> str:
    dossier = db.session.get(Dossier, dossier_id)
    if dossier is None:
        abort(404)
    entries = audit.inzage(dossier_id)
    users = list({e.user.id: e.user for e in entries if e.user is not None}.values())
    html = render_template(
        "beheer/inzage.html", dossier=dossier, entries=entries, organisaties=_organisaties(users),
        rollen={u.id: _rollen(u) for u in users}, actie_labels=ACTIE_LABELS, object_labels=OBJECT_LABELS,
    )  # fmt: skip
    audit.record(current_user, "bekijken", "audit", None, dossier_id=dossier_id, detail="inzageoverzicht")
    db.session.commit()  # a read is only shown once its audit entry is stored (workflow/audit.py)
    return html
