"""Which leerling dossier an LVS aanvraag belongs to (issue 16: "the right pupil").

In order: the LVS's own leerling id (an earlier aanvraag from this school with the same id); then the
dossiers of this school with the same achternaam (with tussenvoegsel) and birth date, where another
known leerling id or another roepnaam means another child (twins). One certain match is used; when
the match is uncertain (no roepnaam to compare, or more than one fits) the aanvraag gets a new dossier
and a ``MogelijkDubbel`` for the SCP to merge (``workflow/dossier_samenvoegen.py``): another pupil's
dossier is never overwritten.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

import sqlalchemy as sa

from models import Dossier, Hulpvraag, Koppeling, LvsAanvraag, School, db
from models.lvs import MogelijkDubbel
from workflow.koppelingen import LvsFout
from workflow.oso_mapping import OsoLeerling
from workflow.oso_toepassen import leerling_naam

ANDERE_LEERLING = ("Deze aanvraag is eerder met dit kenmerk ({referentie}) verstuurd voor een andere leerling dan bij "
                   "de eerste verzending. Er is niets gewijzigd. Verstuur een aanvraag voor een andere leerling met "
                   "een eigen kenmerk.")  # fmt: skip


def _key(text: str | None) -> str:
    return re.sub(r"[\s\-'.]+", "", (text or "").lower())


@dataclass
class Keuze:
    dossier: Dossier | None  # None: make a new one
    twijfel: list[tuple[Dossier, str]] = field(default_factory=list)  # flag the new one against these


def kies_dossier(leerling: OsoLeerling, school: School) -> Keuze:
    if leerling.leerlingid:
        query = (
            sa.select(Dossier).join(Hulpvraag, Hulpvraag.dossier_id == Dossier.id)
            .join(LvsAanvraag, LvsAanvraag.hulpvraag_id == Hulpvraag.id)
            .join(Koppeling, Koppeling.id == LvsAanvraag.koppeling_id)
            .where(Koppeling.school_id == school.id, LvsAanvraag.leerlingid == leerling.leerlingid,
                   Dossier.school_id == school.id)
        )  # fmt: skip
        bekend = db.session.scalars(query.order_by(LvsAanvraag.id)).first()
        if bekend is not None:
            return Keuze(bekend)
    if not leerling.achternaam or not leerling.geboortedatum:
        return Keuze(None)
    naam = leerling_naam(leerling)
    achternaam, roepnaam = _key(naam.tussenvoegsel) + _key(naam.achternaam), _key(naam.roepnaam)
    kandidaten = db.session.scalars(sa.select(Dossier).where(
        Dossier.school_id == school.id, Dossier.niveau == "leerling", Dossier.geboortedatum == leerling.geboortedatum,
    ).order_by(Dossier.id)).all()  # fmt: skip
    zeker: list[Dossier] = []
    twijfel: list[tuple[Dossier, str]] = []
    for dossier in kandidaten:
        if _key(dossier.tussenvoegsel) + _key(dossier.achternaam) != achternaam:
            continue
        ids = _leerlingids(dossier.id)
        if leerling.leerlingid and ids and leerling.leerlingid not in ids:
            continue  # the LVS knows this dossier's child under another id: a twin or namesake
        if roepnaam and _key(dossier.roepnaam):
            if _key(dossier.roepnaam) == roepnaam:
                zeker.append(dossier)
            continue  # another roepnaam: another child
        twijfel.append((dossier, "zelfde achternaam en geboortedatum; de roepnaam is niet te vergelijken"))
    if len(zeker) == 1:
        return Keuze(zeker[0])
    if len(zeker) > 1:
        return Keuze(None, [(d, "meer dan één dossier met dezelfde naam en geboortedatum") for d in zeker])
    return Keuze(None, twijfel)


def _leerlingids(dossier_id: int) -> set[str]:
    query = (
        sa.select(LvsAanvraag.leerlingid).join(Hulpvraag, Hulpvraag.id == LvsAanvraag.hulpvraag_id)
        .where(Hulpvraag.dossier_id == dossier_id, LvsAanvraag.leerlingid.is_not(None))
    )  # fmt: skip
    return {i for i in db.session.scalars(query) if i}


def markeer_twijfel(nieuw: Dossier, twijfel: list[tuple[Dossier, str]]) -> None:
    for ander, reden in twijfel:
        db.session.add(MogelijkDubbel(dossier_id=nieuw.id, ander_dossier_id=ander.id, reden=reden[:300]))


def controleer_zelfde_leerling(eerder: dict[str, Any], leerling: OsoLeerling, referentie: str) -> None:
    """A re-send must be about the pupil of the first send (its stored OSO data): else 422, nothing changed."""
    vorige = eerder.get("leerling") or {}
    if not vorige:
        return
    if vorige.get("leerlingid") and leerling.leerlingid:
        if vorige["leerlingid"] != leerling.leerlingid:
            raise LvsFout(422, ANDERE_LEERLING.format(referentie=referentie), "oso.leerling")
        return
    naam = leerling_naam(leerling)
    nu = (_key(naam.tussenvoegsel) + _key(naam.achternaam), str(leerling.geboortedatum or ""), _key(naam.roepnaam))
    oud = OsoLeerling(achternaam=vorige.get("achternaam"), voorvoegsel=vorige.get("voorvoegsel"),
                      roepnaam=vorige.get("roepnaam"), voornamen=list(vorige.get("voornamen") or []))  # fmt: skip
    oude_naam = leerling_naam(oud)
    toen = (_key(oude_naam.tussenvoegsel) + _key(oude_naam.achternaam), str(vorige.get("geboortedatum") or ""),
            _key(oude_naam.roepnaam))  # fmt: skip
    if nu[:2] != toen[:2] or (nu[2] and toen[2] and nu[2] != toen[2]):
        raise LvsFout(422, ANDERE_LEERLING.format(referentie=referentie), "oso.leerling")
