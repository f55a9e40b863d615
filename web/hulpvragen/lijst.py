"""The hulpvragen list: search while typing, several statuses at once, pagination."""

from __future__ import annotations

import sqlalchemy as sa
from flask import current_app, render_template, request
from flask_login import current_user

from models import Dossier, Hulpvraag, School, db
from models.hulpvraag import STATUSSEN
from web import policy
from web.hulpvragen.views import bp
from workflow.access import hulpvraag_filter


# --- list -------------------------------------------------------------------------------
def _search(query: sa.Select[tuple[Hulpvraag]], text: str) -> sa.Select[tuple[Hulpvraag]]:
    for word in text.split()[:5]:
        pattern = f"%{word.lower()}%"
        query = query.where(
            sa.or_(
                sa.func.lower(Dossier.roepnaam).like(pattern),
                sa.func.lower(Dossier.achternaam).like(pattern),
                sa.func.lower(School.naam).like(pattern),
                sa.func.lower(Hulpvraag.titel).like(pattern),
                sa.func.lower(Hulpvraag.aanvraagnummer).like(pattern),
            )
        )
    return query


def _status_filter(query: sa.Select[tuple[Hulpvraag]], statussen: list[str]) -> sa.Select[tuple[Hulpvraag]]:
    if not statussen:
        return query
    clauses = [Hulpvraag.status == s for s in statussen]
    clauses += [Hulpvraag.status.like(f"{s} %") for s in statussen if STATUSSEN.get(s)]
    return query.where(sa.or_(*clauses))


@bp.get("")
@policy.authenticated
def index() -> str:
    text = request.args.get("q", "").strip()[:100]
    statussen = [s for s in request.args.getlist("status") if s in STATUSSEN]
    page = max(request.args.get("pagina", 1, type=int) or 1, 1)
    query = (
        sa.select(Hulpvraag)
        .join(Dossier, Hulpvraag.dossier_id == Dossier.id)
        .join(School, Hulpvraag.school_id == School.id)
        .where(hulpvraag_filter(current_user))
    )
    query = _status_filter(_search(query, text), statussen)
    size = current_app.config["PAGE_SIZE"]
    total = db.session.scalar(sa.select(sa.func.count()).select_from(query.subquery())) or 0
    rows = db.session.scalars(
        query.order_by(Hulpvraag.updated_at.desc(), Hulpvraag.id.desc()).limit(size).offset((page - 1) * size)
    ).all()
    context = {"rows": rows, "total": total, "page": page, "pages": max((total + size - 1) // size, 1),
               "q": text, "statussen": statussen, "alle_statussen": list(STATUSSEN)}  # fmt: skip
    template = "hulpvragen/_table.html" if request.headers.get("HX-Request") else "hulpvragen/index.html"
    return render_template(template, **context)
