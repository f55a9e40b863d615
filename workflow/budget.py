"""Budgets (domain.md §2, §5): what is left for a bestuur, school or wijk in a school year, the
awards that draw on it, and the lookups the budget diagrams call.

The lookups are registered as expression helpers, so a diagram can write for example
``resterend_budget("schoolbudget", hulpvraag_id, variant, schooljaar)``; scenario files stub
them under ``opzoeken:``. Nothing here commits: the request that completes the task does.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import Any

import sqlalchemy as sa

from models import Budget, Hulpvraag, School, Toekenning, User, db, utcnow
from models.budget import REGELINGEN, SOORTEN, is_schooljaar
from models.user import Rol, gecoordineerde_school_ids
from workflow.engine.expressions import register_lookup_helper

NUL = Decimal("0.00")
BEDRAG_MAX = Decimal("9999999999.99")  # Numeric(12, 2)


def euro(bedrag: Decimal | int | float | str) -> str:
    """Dutch notation: € 12.500,00."""
    text = f"{Decimal(str(bedrag)):,.2f}"
    return "€ " + text.replace(",", "_").replace(".", ",").replace("_", ".")


# --- which budget ----------------------------------------------------------------------------
def _hulpvraag(hulpvraag_id: Any) -> Hulpvraag:
    hulpvraag = db.session.get(Hulpvraag, int(hulpvraag_id))
    if hulpvraag is None:
        raise LookupError(f"hulpvraag {hulpvraag_id} bestaat niet")
    return hulpvraag


def budget_voor(regeling: str, hulpvraag: Hulpvraag, variant: str, schooljaar: str) -> Budget | None:
    """A wijk request draws on the wijk's budget; a leerling or school request on the school's
    own budget when it has one, otherwise on its bestuur's."""
    school: School = hulpvraag.school
    query = sa.select(Budget).where(
        Budget.regeling == regeling, Budget.schooljaar == schooljaar, Budget.swv_id == school.swv_id
    )
    if variant == "wijk":
        return db.session.scalar(query.where(Budget.wijk_id == school.wijk_id)) if school.wijk_id else None
    own = db.session.scalar(query.where(Budget.school_id == school.id))
    return own or db.session.scalar(query.where(Budget.bestuur_id == school.bestuur_id))


def gebruikt(budget: Budget) -> Decimal:
    """Awarded from this budget, counted in the database (withdrawn awards do not count)."""
    total = db.session.scalar(
        sa.select(sa.func.coalesce(sa.func.sum(Toekenning.bedrag), 0)).where(
            Toekenning.budget_id == budget.id, Toekenning.ingetrokken_at.is_(None)
        )
    )
    return Decimal(str(total)).quantize(NUL)


def resterend(budget: Budget | None) -> Decimal:
    return (Decimal(str(budget.bedrag)) - gebruikt(budget)).quantize(NUL) if budget is not None else NUL


# --- lookups for the diagrams ------------------------------------------------------------------
def resterend_budget(regeling: str, hulpvraag_id: int, variant: str, schooljaar: str) -> Decimal:
    """What is left of the budget this request draws on; 0.00 when none is configured."""
    return resterend(budget_voor(regeling, _hulpvraag(hulpvraag_id), variant, schooljaar))


def budget_stand(
    regeling: str, hulpvraag_id: int, variant: str, schooljaar: str, aangevraagd: Any = None
) -> dict[str, str]:
    """The budget as text for a task's instructions: naam, bedrag, gebruikt, rest (and aangevraagd)."""
    budget = budget_voor(regeling, _hulpvraag(hulpvraag_id), variant, schooljaar)
    stand = {"aangevraagd": euro(aangevraagd) if aangevraagd is not None else ""}
    if budget is None:
        geen = euro(NUL)
        naam = f"Geen {REGELINGEN.get(regeling, regeling).lower()} ingesteld voor {schooljaar}"
        return {**stand, "naam": naam, "bedrag": geen, "gebruikt": geen, "rest": geen}
    naam = f"{SOORTEN[budget.soort]} {budget.eigenaar_naam}, schooljaar {budget.schooljaar}"
    used = gebruikt(budget)
    return {
        **stand,
        "naam": naam,
        "bedrag": euro(budget.bedrag),
        "gebruikt": euro(used),
        "rest": euro(resterend(budget)),
    }


def vastgesteld_budget(hulpvraag_id: int, schooljaar: str) -> Decimal:
    """Budget inclusief onderwijs: the amount fixed in advance for this school and year (0.00: none)."""
    budget = budget_voor("budget_inclusief", _hulpvraag(hulpvraag_id), "school", schooljaar)
    return Decimal(str(budget.bedrag)).quantize(NUL) if budget is not None else NUL


def budget_toekennen(regeling: str, hulpvraag_id: int, variant: str, schooljaar: str, bedrag: Any) -> dict[str, Any]:
    """Record the award (flushed) and return {"id", "bedrag" (as text)}; refuses when it no longer
    fits, e.g. after a colleague's award since the check on the form."""
    hulpvraag = _hulpvraag(hulpvraag_id)
    budget = budget_voor(regeling, hulpvraag, variant, schooljaar)
    if budget is None:
        raise ValueError(f"er is geen budget ingesteld voor schooljaar {schooljaar}")
    db.session.execute(sa.select(Budget.id).where(Budget.id == budget.id).with_for_update())  # one award at a time
    amount = Decimal(str(bedrag)).quantize(NUL)
    if amount > resterend(budget):
        raise ValueError(f"het bedrag is hoger dan het resterende budget ({euro(resterend(budget))})")
    award = Toekenning(
        budget_id=budget.id, hulpvraag_id=hulpvraag.id, aanvraagnummer=hulpvraag.aanvraagnummer or str(hulpvraag.id),
        bedrag=amount, besluitdatum=utcnow().date(),
    )  # fmt: skip
    db.session.add(award)
    db.session.flush()
    return {"id": award.id, "bedrag": euro(amount)}


def toekenning_intrekken(toekenning_id: int) -> bool:
    """Niet ontvankelijk financiën: the award no longer counts; the row stays for the history."""
    award = db.session.get(Toekenning, int(toekenning_id))
    if award is None or award.ingetrokken_at is not None:
        return False
    award.ingetrokken_at = utcnow()
    db.session.flush()
    return True


def dossier_niveau(hulpvraag_id: int) -> str:
    """The dossier's niveau, leerling or school (school and wijk budgets go on a school dossier)."""
    return _hulpvraag(hulpvraag_id).dossier.niveau


def is_directeur_van(user_id: Any, hulpvraag_id: int) -> bool:
    """Whether ``user_id`` is an active directeur of the hulpvraag's school."""
    user = db.session.get(User, int(user_id)) if user_id not in (None, "") else None
    school_id = _hulpvraag(hulpvraag_id).school_id
    return bool(user and user.actief and Rol.DIRECTEUR in user.rollen and school_id in user.school_ids)


def is_scp_van(user_id: Any, hulpvraag_id: int) -> bool:
    """Whether ``user_id`` is an active SCP who coordinates this hulpvraag or its school."""
    user = db.session.get(User, int(user_id)) if user_id not in (None, "") else None
    hulpvraag = _hulpvraag(hulpvraag_id)
    if not (user and user.actief and Rol.SCP in user.rollen):
        return False
    return hulpvraag.coordinator_id == user.id or hulpvraag.school_id in gecoordineerde_school_ids(user)


LOOKUPS: dict[str, Callable[..., Any]] = {
    "resterend_budget": resterend_budget,
    "budget_stand": budget_stand,
    "vastgesteld_budget": vastgesteld_budget,
    "budget_toekennen": budget_toekennen,
    "toekenning_intrekken": toekenning_intrekken,
    "dossier_niveau": dossier_niveau,
    "is_directeur_van": is_directeur_van,
    "is_scp_van": is_scp_van,
}
for _name, _function in LOOKUPS.items():
    register_lookup_helper(_name, _function)
# heeft_bijlage(hulpvraag_id, "OPP"), which the diagram also calls, is registered by workflow/tlv.py.


# --- beheer: maintaining budgets -----------------------------------------------------------------
class BudgetFout(ValueError):
    """The beheerder's input is wrong; ``errors`` holds a Dutch message per field."""

    def __init__(self, errors: dict[str, str]) -> None:
        super().__init__("; ".join(errors.values()))
        self.errors = errors


@dataclass
class BudgetInvoer:
    """What the beheer form posts, as text."""

    regeling: str = ""
    soort: str = ""
    eigenaar_id: str = ""
    schooljaar: str = ""
    bedrag: str = ""


def parse_bedrag(text: str) -> Decimal:
    """A Dutch amount (12.500,00 or 12500,5 or 12500.50, with or without €) as Decimal."""
    cleaned = text.replace("€", "").replace(" ", "").replace("\u00a0", "")
    if "," in cleaned:
        cleaned = cleaned.replace(".", "").replace(",", ".")
    try:
        value = Decimal(cleaned)
    except InvalidOperation as exc:
        raise ValueError(text) from exc
    if not value.is_finite() or value != value.quantize(NUL):
        raise ValueError(text)
    return value.quantize(NUL)


def _eigenaar_ok(swv_id: int, soort: str, eigenaar_id: int) -> bool:
    from models import Bestuur, Wijk

    models: dict[str, Any] = {"bestuur": Bestuur, "school": School, "wijk": Wijk}
    owner = db.session.get(models[soort], eigenaar_id)
    return owner is not None and bool(owner.swv_id == swv_id)


def _validate(invoer: BudgetInvoer, swv_id: int) -> tuple[dict[str, str], Decimal, int]:
    errors: dict[str, str] = {}
    if invoer.regeling not in REGELINGEN:
        errors["regeling"] = "Kies de regeling."
    if invoer.soort not in SOORTEN:
        errors["soort"] = "Kies bestuur, school of wijk."
    eigenaar_id = int(invoer.eigenaar_id) if invoer.eigenaar_id.isdigit() else 0
    if "soort" not in errors and not (eigenaar_id and _eigenaar_ok(swv_id, invoer.soort, eigenaar_id)):
        errors["eigenaar_id"] = f"Kies een {SOORTEN[invoer.soort].lower()} uit de lijst."
    if not is_schooljaar(invoer.schooljaar.strip()):
        errors["schooljaar"] = "Vul een schooljaar in als 2026-2027 (twee opeenvolgende jaren)."
    amount = NUL
    try:
        amount = parse_bedrag(invoer.bedrag)
        if amount < 0 or amount > BEDRAG_MAX:
            errors["bedrag"] = "Het bedrag moet 0 of meer zijn."
    except ValueError:
        errors["bedrag"] = "Vul een bedrag in, bijvoorbeeld 12.500,00."
    return errors, amount, eigenaar_id


def budget_opslaan(invoer: BudgetInvoer, swv_id: int, budget: Budget | None = None) -> Budget:
    """Create or change a budget (flushed); BudgetFout with Dutch messages when the input is wrong."""
    errors, amount, eigenaar_id = _validate(invoer, swv_id)
    if budget is not None and not errors and amount < gebruikt(budget):
        errors["bedrag"] = f"Er is al {euro(gebruikt(budget))} toegekend uit dit budget; het kan niet lager."
    if not errors and _bestaat_al(invoer, swv_id, eigenaar_id, budget):
        errors["schooljaar"] = "Voor deze regeling, eigenaar en dit schooljaar bestaat al een budget."
    if errors:
        raise BudgetFout(errors)
    budget = budget or Budget(swv_id=swv_id)
    budget.regeling, budget.soort, budget.schooljaar, budget.bedrag = (
        invoer.regeling, invoer.soort, invoer.schooljaar.strip(), amount,
    )  # fmt: skip
    budget.bestuur_id, budget.school_id, budget.wijk_id = (
        eigenaar_id if invoer.soort == s else None for s in ("bestuur", "school", "wijk")
    )
    db.session.add(budget)
    db.session.flush()
    return budget


def _bestaat_al(invoer: BudgetInvoer, swv_id: int, eigenaar_id: int, budget: Budget | None) -> bool:
    column = {"bestuur": Budget.bestuur_id, "school": Budget.school_id, "wijk": Budget.wijk_id}[invoer.soort]
    query = sa.select(Budget.id).where(
        Budget.swv_id == swv_id, Budget.regeling == invoer.regeling,
        Budget.schooljaar == invoer.schooljaar.strip(), column == eigenaar_id,
    )  # fmt: skip
    if budget is not None:
        query = query.where(Budget.id != budget.id)
    return db.session.scalar(query) is not None


def budgetten(swv_id: int, schooljaar: str = "") -> list[tuple[Budget, Decimal, Decimal]]:
    """(budget, gebruikt, resterend) for the beheer list, newest school year first."""
    query = sa.select(Budget).where(Budget.swv_id == swv_id)
    if schooljaar:
        query = query.where(Budget.schooljaar == schooljaar)
    rows = db.session.scalars(query.order_by(Budget.schooljaar.desc(), Budget.regeling, Budget.soort, Budget.id))
    return [(b, gebruikt(b), resterend(b)) for b in rows]
