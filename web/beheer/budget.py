"""Beheer: budgets per bestuur, school or wijk and school year, with what is used and left."""

from __future__ import annotations

import logging

import sqlalchemy as sa
from flask import abort, flash, redirect, render_template, request, url_for
from flask_login import current_user
from werkzeug.wrappers import Response

from models import Bestuur, Budget, School, Wijk, db
from models.budget import REGELINGEN, SOORTEN, is_schooljaar
from web import policy
from web.beheer import bp
from workflow.budget import BudgetFout, BudgetInvoer, budget_opslaan, budgetten, euro, gebruikt, resterend

log = logging.getLogger(__name__)


def _eigenaren() -> dict[str, list[tuple[int, str]]]:
    """The besturen, scholen and wijken of this SWV, for the owner choice."""
    swv = current_user.swv_id
    scholen = db.session.scalars(sa.select(School).where(School.swv_id == swv).order_by(School.naam))
    besturen = db.session.scalars(sa.select(Bestuur).where(Bestuur.swv_id == swv).order_by(Bestuur.naam))
    wijken = db.session.scalars(sa.select(Wijk).where(Wijk.swv_id == swv).order_by(Wijk.naam))
    return {
        "bestuur": [(b.id, b.naam) for b in besturen],
        "school": [(s.id, f"{s.naam} ({s.brin6})") for s in scholen],
        "wijk": [(w.id, w.naam) for w in wijken],
    }


def _invoer() -> BudgetInvoer:
    form = request.form
    soort = form.get("soort", "")
    return BudgetInvoer(
        regeling=form.get("regeling", ""), soort=soort, eigenaar_id=form.get(f"eigenaar_{soort}", "").strip(),
        schooljaar=form.get("schooljaar", "").strip(), bedrag=form.get("bedrag", "").strip(),
    )  # fmt: skip


def _lijst(errors: dict[str, str], status: int = 200) -> tuple[str, int]:
    schooljaar = request.args.get("schooljaar", "").strip()
    rows = budgetten(current_user.swv_id, schooljaar if is_schooljaar(schooljaar) else "")
    html = render_template(
        "beheer/budgetten.html", rows=rows, schooljaar=schooljaar, errors=errors, invoer=_invoer(),
        eigenaren=_eigenaren(), regelingen=REGELINGEN, soorten=SOORTEN, euro=euro,
    )  # fmt: skip
    return html, status


@bp.get("/budgetten")
@policy.roles("beheerder")
def budgetten_lijst() -> tuple[str, int]:
    return _lijst({})


@bp.post("/budgetten")
@policy.roles("beheerder")
def budget_nieuw() -> Response | tuple[str, int]:
    try:
        budget = budget_opslaan(_invoer(), current_user.swv_id)
        db.session.commit()
    except BudgetFout as exc:
        db.session.rollback()
        return _lijst(exc.errors, 422)
    log.info("budget created: budget_id=%s user_id=%s", budget.id, current_user.id)
    flash(f"Budget voor {budget.eigenaar_naam} ({budget.schooljaar}) opgeslagen: {euro(budget.bedrag)}.", "success")
    return redirect(url_for("beheer.budgetten_lijst", schooljaar=budget.schooljaar))


def _budget_or_404(budget_id: int) -> Budget:
    budget = db.session.scalar(sa.select(Budget).where(Budget.id == budget_id, Budget.swv_id == current_user.swv_id))
    if budget is None:
        abort(404)
    return budget


def _toon(budget: Budget, invoer: BudgetInvoer, errors: dict[str, str], status: int = 200) -> tuple[str, int]:
    html = render_template(
        "beheer/budget.html", budget=budget, invoer=invoer, errors=errors, eigenaren=_eigenaren(),
        regelingen=REGELINGEN, soorten=SOORTEN, euro=euro, gebruikt=gebruikt(budget), resterend=resterend(budget),
    )  # fmt: skip
    return html, status


@bp.get("/budgetten/<int:budget_id>")
@policy.roles("beheerder")
def budget_tonen(budget_id: int) -> tuple[str, int]:
    budget = _budget_or_404(budget_id)
    owner = budget.bestuur_id or budget.school_id or budget.wijk_id
    invoer = BudgetInvoer(
        budget.regeling, budget.soort, str(owner), budget.schooljaar, f"{budget.bedrag:.2f}".replace(".", ",")
    )
    return _toon(budget, invoer, {})


@bp.post("/budgetten/<int:budget_id>")
@policy.roles("beheerder")
def budget_wijzigen(budget_id: int) -> Response | tuple[str, int]:
    budget = _budget_or_404(budget_id)
    invoer = _invoer()
    try:
        budget_opslaan(invoer, current_user.swv_id, budget)
        db.session.commit()
    except BudgetFout as exc:
        db.session.rollback()
        return _toon(_budget_or_404(budget_id), invoer, exc.errors, 422)
    log.info("budget changed: budget_id=%s user_id=%s", budget.id, current_user.id)
    flash(f"Budget voor {budget.eigenaar_naam} ({budget.schooljaar}) gewijzigd: {euro(budget.bedrag)}.", "success")
    return redirect(url_for("beheer.budgetten_lijst", schooljaar=budget.schooljaar))
