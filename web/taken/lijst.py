"""Mijn taken: the open tasks for this user, with leerling, school, titel, task and deadline; search
while typing, filters, sorting, pages of 25 or 50 and a column chooser (the table component,
web/tabel.py, as the hulpvragen list). Every query starts from ``task_filter``; the search text
may name a pupil and never goes into a URL the browser keeps.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import sqlalchemy as sa
from flask import make_response, redirect, render_template, request, url_for
from flask_login import current_user
from flask_wtf.csrf import generate_csrf
from markupsafe import Markup
from sqlalchemy.engine import Row
from sqlalchemy.orm import aliased
from werkzeug.datastructures import MultiDict
from werkzeug.wrappers import Response

from models import Dossier, Hulpvraag, HumanTask, School, User, db, utcnow
from web import policy
from web.tabel import Kolom, Tabel, Weergave
from web.taken.views import bp
from web.ui import datum, status_class
from workflow import incidenten
from workflow.access import task_filter

Claimer = aliased(User, name="claimer")
PAGINAGROOTTES = (25, 50)
MAX_ZOEKTEKST = 100
MAX_WOORDEN = 5
GECLAIMD = {"": "Alle taken voor mij", "mij": "Door mij geclaimd", "niemand": "Nog door niemand geclaimd"}


# --- the columns ------------------------------------------------------------------------
def _taak(row: Row[Any]) -> Markup:
    return Markup('<a href="{}">{}</a>').format(url_for("taken.show", task_id=row.id), row.taak)


def _leerling(row: Row[Any]) -> str:
    if row.hulpvraag_id is None:
        return ""
    if row.niveau == "school":
        return f"Schooldossier {row.school or ''}".strip()
    return " ".join(p for p in (row.roepnaam, row.tussenvoegsel, row.leerling) if p)


def _hulpvraag(row: Row[Any]) -> Markup | str:
    if row.hulpvraag_id is None:
        return ""
    href = url_for("hulpvragen.show", hulpvraag_id=row.hulpvraag_id)
    return Markup('<a href="{}">{}</a>').format(href, row.hulpvraag or row.hulpvraag_id)


def _status(row: Row[Any]) -> Markup | str:
    if not row.status:
        return ""
    return Markup('<span class="status {}">{}</span>').format(status_class(row.status), row.status)


def _deadline(row: Row[Any]) -> Markup | str:
    """Overdue in red and in words: colour alone tells a colour-blind user nothing (WCAG 1.4.1)."""
    if row.deadline is None:
        return "—"
    if row.deadline < utcnow():
        return Markup('<span class="overdue">{} <strong>(te laat)</strong></span>').format(datum(row.deadline))
    return datum(row.deadline)


def _actie(row: Row[Any]) -> Markup | str:
    if row.claimed_by_id is None:
        endpoint, label, klasse = "taken.claim_task", "Claimen", "small"
    elif row.claimed_by_id == current_user.id:
        endpoint, label, klasse = "taken.unclaim_task", "Vrijgeven", "small secondary"
    else:
        return ""
    return Markup(
        '<form method="post" action="{}" class="inline"><input type="hidden" name="csrf_token" value="{}">'
        '<input type="hidden" name="terug" value="{}"><button class="{}" aria-label="{}: {}">{}</button></form>'
    ).format(url_for(endpoint, task_id=row.id), generate_csrf(), url_for("taken.inbox"), klasse, label, row.taak,
             label)  # fmt: skip


TABEL = Tabel("taken", [
    Kolom("taak", "Taak", HumanTask.titel, html=_taak, vast=True, breedte=30),
    Kolom("leerling", "Leerling", Dossier.achternaam, html=_leerling, excel=_leerling, breedte=28,
          velden=(Dossier.roepnaam.label("roepnaam"), Dossier.tussenvoegsel.label("tussenvoegsel"),
                  Dossier.niveau.label("niveau"), HumanTask.hulpvraag_id.label("hulpvraag_id"),
                  School.naam.label("school")),
          sorteer=(sa.func.lower(Dossier.achternaam), sa.func.lower(Dossier.roepnaam))),
    Kolom("school", "School", School.naam, sorteer=(sa.func.lower(School.naam),), breedte=30),
    Kolom("titel", "Titel", Hulpvraag.titel, breedte=32),
    Kolom("hulpvraag", "Hulpvraag", Hulpvraag.aanvraagnummer, html=_hulpvraag,
          velden=(HumanTask.hulpvraag_id.label("hulpvraag_id"),), breedte=14),
    Kolom("status", "Status", Hulpvraag.status, html=_status, standaard=False, breedte=26),
    Kolom("deadline", "Deadline", HumanTask.due_at, html=_deadline,
          sorteer=(HumanTask.due_at.is_(None), HumanTask.due_at), breedte=14),
    Kolom("geclaimd", "Geclaimd door", Claimer.naam, breedte=22),
    Kolom("sinds", "Sinds", HumanTask.created_at, standaard=False),
    Kolom("actie", "Actie", HumanTask.claimed_by_id, html=_actie, sorteer=(), vast=True,
          velden=(HumanTask.titel.label("taak"), HumanTask.claimed_by_id.label("claimed_by_id"))),
], bron=sa.outerjoin(HumanTask, Hulpvraag, HumanTask.hulpvraag_id == Hulpvraag.id)
     .outerjoin(Dossier, Hulpvraag.dossier_id == Dossier.id)
     .outerjoin(School, Hulpvraag.school_id == School.id)
     .outerjoin(Claimer, HumanTask.claimed_by_id == Claimer.id),
   id_veld=HumanTask.id, standaard_sortering="deadline")  # fmt: skip


# --- the filters ------------------------------------------------------------------------
@dataclass
class Filters:
    q: str = ""
    taak: str = ""
    school_id: int | None = None
    geclaimd: str = ""
    te_laat: bool = False
    per_pagina: int = PAGINAGROOTTES[0]
    meldingen: list[str] = field(default_factory=list)

    def url_args(self) -> dict[str, Any]:
        args = {"taak": self.taak, "school": self.school_id, "geclaimd": self.geclaimd,
                "te_laat": "1" if self.te_laat else "", "per_pagina": self.per_pagina}  # fmt: skip
        if self.per_pagina == PAGINAGROOTTES[0]:
            del args["per_pagina"]
        return {k: v for k, v in args.items() if v}


def lees_filters(args: MultiDict[str, str]) -> Filters:
    filters = Filters(q=" ".join(args.get("q", "").split())[:MAX_ZOEKTEKST], taak=args.get("taak", "")[:200])
    school = args.get("school", "").strip()
    if school.isdigit() and len(school) < 10:
        filters.school_id = int(school)
    elif school:
        filters.meldingen.append(f"Onbekende school ‘{school[:40]}’: dit filter is niet toegepast.")
    geclaimd = args.get("geclaimd", "")
    if geclaimd in GECLAIMD:
        filters.geclaimd = geclaimd
    elif geclaimd == "geclaimd":  # the old tab's address
        filters.geclaimd = "mij"
    filters.te_laat = args.get("te_laat") == "1"
    per_pagina = args.get("per_pagina", "")
    if per_pagina.isdigit() and int(per_pagina) in PAGINAGROOTTES:
        filters.per_pagina = int(per_pagina)
    elif per_pagina:
        filters.meldingen.append(f"Kies 25 of 50 taken per pagina (niet ‘{per_pagina[:10]}’).")
    if args.get("filter") == "geclaimd":
        filters.geclaimd = "mij"
    return filters


def _basis(user: User, filters: Filters) -> sa.Select[Any]:
    query = sa.select(HumanTask.id).where(task_filter(user))
    for woord in filters.q.lower().split()[:MAX_WOORDEN]:
        query = query.where(_zoek(woord))
    if filters.taak:
        query = query.where(HumanTask.titel == filters.taak)
    if filters.school_id is not None:
        query = query.where(HumanTask.hulpvraag_id.in_(sa.select(Hulpvraag.id).where(
            Hulpvraag.school_id == filters.school_id)))  # fmt: skip
    if filters.geclaimd == "mij":
        query = query.where(HumanTask.claimed_by_id == user.id)
    elif filters.geclaimd == "niemand":
        query = query.where(HumanTask.claimed_by_id.is_(None))
    if filters.te_laat:
        query = query.where(HumanTask.due_at < utcnow())
    return query


def _zoek(woord: str) -> sa.ColumnElement[bool]:
    """One typed word in the task, the pupil's name, the school, the title or the aanvraagnummer."""
    pattern = "%" + woord.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"

    def bevat(*velden: Any) -> sa.ColumnElement[bool]:
        return sa.or_(*(sa.func.lower(v).like(pattern, escape="\\") for v in velden))

    leerlingen = sa.select(Dossier.id).where(bevat(Dossier.roepnaam, Dossier.tussenvoegsel, Dossier.achternaam))
    scholen = sa.select(School.id).where(bevat(School.naam))
    hulpvragen = sa.select(Hulpvraag.id).where(sa.or_(
        bevat(Hulpvraag.titel, Hulpvraag.aanvraagnummer), Hulpvraag.dossier_id.in_(leerlingen),
        Hulpvraag.school_id.in_(scholen)))  # fmt: skip
    return sa.or_(bevat(HumanTask.titel), HumanTask.hulpvraag_id.in_(hulpvragen))


# --- the page ---------------------------------------------------------------------------
def _args() -> MultiDict[str, str]:
    return request.form if request.method == "POST" else request.args


def _weergave(filters: Filters, kolommen: list[Kolom]) -> Weergave:
    stand = TABEL.stand(_args(), kolommen)
    pagina = TABEL.pagina(_basis(current_user, filters), stand, filters.per_pagina)
    return Weergave(
        TABEL, stand, pagina, endpoint="taken.inbox", filter_args=filters.url_args(), zoektekst=filters.q,
        meldingen=filters.meldingen + stand.meldingen, enkelvoud="taak", meervoud="taken",
        kolommen_url=url_for("taken.kolommen"), export_url="",
    )  # fmt: skip


def _resultaten(weergave: Weergave) -> Response:
    response = make_response(render_template("taken/_tabel.html", w=weergave, oob=True))
    response.headers["HX-Replace-Url"] = weergave.url()
    return response


def _htmx() -> bool:
    return bool(request.headers.get("HX-Request")) and not request.headers.get("HX-History-Restore-Request")


def _keuzes() -> dict[str, Any]:
    """The filter options, within the tasks this user may do."""
    mijn = sa.select(HumanTask).where(task_filter(current_user)).subquery()
    taken = db.session.scalars(sa.select(mijn.c.titel).distinct().order_by(mijn.c.titel)).all()
    scholen = db.session.scalars(
        sa.select(School).join(Hulpvraag, Hulpvraag.school_id == School.id)
        .where(Hulpvraag.id.in_(sa.select(mijn.c.hulpvraag_id))).distinct().order_by(School.naam)
    ).all()  # fmt: skip
    return {"taaktitels": taken, "scholen": scholen, "geclaimd_keuzes": GECLAIMD, "paginagroottes": PAGINAGROOTTES}


@bp.get("/taken")
@policy.authenticated
def inbox() -> str | Response:
    filters = lees_filters(request.args)
    weergave = _weergave(filters, TABEL.kolomkeuze(current_user))
    if _htmx():
        return _resultaten(weergave)
    open_incidenten = incidenten.open_incidenten() if current_user.heeft_rol("procesbeheerder") else []
    return render_template("taken/inbox.html", w=weergave, f=filters, incidenten=open_incidenten, **_keuzes())


@bp.post("/taken/kolommen")
@policy.authenticated
def kolommen() -> Response:
    """The column chooser: stored for this user, then the list as it was (filters and search kept)."""
    gekozen = TABEL.bewaar_kolomkeuze(current_user, request.form.getlist("kolom"))
    db.session.commit()
    weergave = _weergave(lees_filters(request.form), gekozen)
    return _resultaten(weergave) if _htmx() else redirect(weergave.url())
