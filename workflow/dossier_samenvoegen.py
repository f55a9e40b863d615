"""Merging two leerling dossiers of one pupil (issue 16): an LVS aanvraag whose pupil could not be
matched for certain got a new dossier and a ``MogelijkDubbel``; the SCP of the school (or a beheerder)
looks at the preview and merges, or records that they are two pupils. Both are audited.

Merging keeps the older dossier: the other's hulpvragen, addresses, school years and parents' e-mail
addresses move to it, empty basisgegevens are filled from it, and the other dossier is removed.
Nothing is merged across schools.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import sqlalchemy as sa

from models import Dossier, Hulpvraag, Rol, User, db, utcnow
from models.lvs import MogelijkDubbel
from workflow import audit

VELDEN = {"roepnaam": "Roepnaam", "tussenvoegsel": "Tussenvoegsel", "achternaam": "Achternaam",
          "geboortedatum": "Geboortedatum", "geslacht": "Geslacht"}  # fmt: skip


class SamenvoegenGeweigerd(Exception):
    """Why these two dossiers cannot be merged, in Dutch."""


def mag_samenvoegen(user: User, dossier: Dossier) -> bool:
    """The SCP who coordinates the dossier's school, and beheerders."""
    if Rol.BEHEERDER in user.rollen:
        return True
    return Rol.SCP in user.rollen and dossier.school is not None and dossier.school.scp_id == user.id


def open_dubbelen(dossier_id: int) -> list[MogelijkDubbel]:
    """The unresolved possible duplicates this dossier is part of (either side)."""
    query = sa.select(MogelijkDubbel).where(
        sa.or_(MogelijkDubbel.dossier_id == dossier_id, MogelijkDubbel.ander_dossier_id == dossier_id),
        MogelijkDubbel.afgehandeld_op.is_(None),
    )
    return list(db.session.scalars(query.order_by(MogelijkDubbel.id)))


@dataclass
class Voorbeeld:
    """What a merge of ``weg`` into ``behouden`` would do, for the SCP to check first."""

    behouden: Dossier
    weg: Dossier
    hulpvragen: list[Hulpvraag] = field(default_factory=list)
    ingevuld: list[tuple[str, str]] = field(default_factory=list)  # (label, value taken from weg)
    verschillen: list[tuple[str, str, str]] = field(default_factory=list)  # (label, kept, dropped)
    adressen: int = 0
    schoolgegevens: int = 0
    ouder_emails: list[str] = field(default_factory=list)


def _paar(dubbel: MogelijkDubbel) -> tuple[Dossier, Dossier]:
    a, b = db.session.get(Dossier, dubbel.dossier_id), db.session.get(Dossier, dubbel.ander_dossier_id)
    if a is None or b is None:
        raise SamenvoegenGeweigerd("Een van de twee dossiers bestaat niet meer.")
    return (a, b) if a.id < b.id else (b, a)  # keep the older one


def voorbeeld(dubbel: MogelijkDubbel) -> Voorbeeld:
    if dubbel.afgehandeld_op is not None:
        raise SamenvoegenGeweigerd("Deze mogelijke dubbele is al afgehandeld.")
    behouden, weg = _paar(dubbel)
    if behouden.school_id != weg.school_id or behouden.niveau != "leerling" or weg.niveau != "leerling":
        raise SamenvoegenGeweigerd("Alleen twee leerlingdossiers van dezelfde school kunnen worden samengevoegd.")
    result = Voorbeeld(behouden, weg)
    result.hulpvragen = list(db.session.scalars(sa.select(Hulpvraag).where(Hulpvraag.dossier_id == weg.id)))
    for veld, label in VELDEN.items():
        oud, nieuw = getattr(behouden, veld), getattr(weg, veld)
        if not oud and nieuw:
            result.ingevuld.append((label, str(nieuw)))
        elif oud and nieuw and oud != nieuw:
            result.verschillen.append((label, str(oud), str(nieuw)))
    bekend = {("".join((a.postcode or "").split()).upper(), (a.huisnummer or "").lower()) for a in behouden.adressen}
    result.adressen = sum(
        ("".join((a.postcode or "").split()).upper(), (a.huisnummer or "").lower()) not in bekend for a in weg.adressen
    )
    jaren = {(s.school_id, s.van) for s in behouden.schoolgegevens}
    result.schoolgegevens = sum((s.school_id, s.van) not in jaren for s in weg.schoolgegevens)
    result.ouder_emails = [e for e in weg.ouder_emails or [] if e not in (behouden.ouder_emails or [])]
    return result


def voeg_samen(dubbel: MogelijkDubbel, door: User) -> Dossier:
    """Merge as ``voorbeeld`` showed; the kept dossier. Flushes; the caller commits."""
    plan = voorbeeld(dubbel)
    behouden, weg = plan.behouden, plan.weg
    for hulpvraag in plan.hulpvragen:
        hulpvraag.dossier_id = behouden.id
    for veld in VELDEN:
        if not getattr(behouden, veld) and getattr(weg, veld):
            setattr(behouden, veld, getattr(weg, veld))
    bekend = {("".join((a.postcode or "").split()).upper(), (a.huisnummer or "").lower()) for a in behouden.adressen}
    for adres in list(weg.adressen):
        if ("".join((adres.postcode or "").split()).upper(), (adres.huisnummer or "").lower()) not in bekend:
            weg.adressen.remove(adres)
            behouden.adressen.append(adres)
    jaren = {(s.school_id, s.van) for s in behouden.schoolgegevens}
    for rij in list(weg.schoolgegevens):
        if (rij.school_id, rij.van) not in jaren:
            weg.schoolgegevens.remove(rij)
            behouden.schoolgegevens.append(rij)
    behouden.ouder_emails = list(behouden.ouder_emails or []) + plan.ouder_emails
    db.session.flush()
    for ander in open_dubbelen(weg.id):  # the other flags of the removed dossier move to the kept one
        if ander.id != dubbel.id:
            _verplaats(ander, weg.id, behouden.id)
    db.session.delete(dubbel)  # done: the audit trail keeps what happened
    db.session.flush()
    detail = (f"dossier {weg.id} samengevoegd in dossier {behouden.id}: {len(plan.hulpvragen)} hulpvraag/-vragen, "
              f"{plan.adressen} adres(sen), {plan.schoolgegevens} schooljaar/-jaren verplaatst"
              + (f"; ingevuld: {', '.join(label for label, _ in plan.ingevuld)}" if plan.ingevuld else ""))  # fmt: skip
    audit.record(door, "wijzigen", "dossier", behouden.id, dossier_id=behouden.id, detail=detail)
    audit.record(door, "wijzigen", "dossier", weg.id, dossier_id=weg.id, detail=detail)
    db.session.delete(weg)
    db.session.flush()
    return behouden


def _verplaats(dubbel: MogelijkDubbel, van: int, naar: int) -> None:
    nieuw = (naar if dubbel.dossier_id == van else dubbel.dossier_id,
             naar if dubbel.ander_dossier_id == van else dubbel.ander_dossier_id)  # fmt: skip
    if nieuw[0] == nieuw[1]:
        db.session.delete(dubbel)
        return
    dubbel.dossier_id, dubbel.ander_dossier_id = nieuw


def verschillende_leerlingen(dubbel: MogelijkDubbel, door: User) -> None:
    """The SCP looked: two pupils. The flag is closed; both dossiers stay as they are."""
    if dubbel.afgehandeld_op is not None:
        raise SamenvoegenGeweigerd("Deze mogelijke dubbele is al afgehandeld.")
    dubbel.afgehandeld_op, dubbel.afgehandeld_door_id, dubbel.uitkomst = utcnow(), door.id, "verschillend"
    detail = f"dossiers {dubbel.dossier_id} en {dubbel.ander_dossier_id}: verschillende leerlingen (niet samengevoegd)"
    for dossier_id in (dubbel.dossier_id, dubbel.ander_dossier_id):
        audit.record(door, "wijzigen", "dossier", dossier_id, dossier_id=dossier_id, detail=detail)
    db.session.flush()
