"""The LVS link (domain.md §6): receiving an aanvraag with its OSO dossier idempotently, and
reading it back. Koppelingen and their codes: ``workflow/koppelingen.py``; status mapping and
pushes: ``workflow/lvs_push.py``.

Receiving an aanvraag is the one use case here that commits itself: the unique
(koppeling, lvs_referentie) pair decides which of two simultaneous sends creates the hulpvraag,
and the loser must roll back and continue as a re-send in a fresh transaction.
"""

from __future__ import annotations

import hashlib
import io
import logging
import random
import re
import time
from dataclasses import dataclass, field

import sqlalchemy as sa
from flask import current_app
from sqlalchemy.exc import IntegrityError, OperationalError

from models import Bijlage, Dossier, Hulpvraag, HumanTask, Koppeling, LvsAanvraag, Rol, School, User, db, utcnow
from models.hulpvraag import TITELS
from models.samenwerkingsverband import Samenwerkingsverband
from models.user import user_school
from workflow import audit, incidenten, lvs_wijzigingen
from workflow.bijlagen import BijlageGeweigerd, te_groot_melding, voeg_toe
from workflow.engine.run import EngineError
from workflow.engine.runtime import FormInvalid, ProcessFailed, complete_task
from workflow.hulpvragen import create_hulpvraag
from workflow.koppelingen import LvsFout
from workflow.lvs_leerling import controleer_zelfde_leerling, kies_dossier, markeer_twijfel
from workflow.oso import OsoDossier, OsoFout, lees_oso
from workflow.oso_soort import controleer_soort, ouderinzage_meldingen

log = logging.getLogger(__name__)
POGINGEN = 8  # attempts of one aanvraag transaction (a lost insert race, a busy SQLite)
HERKOMST = {"esis": "esis", "parnassys": "parnassys"}  # lvs_type -> Hulpvraag.bron ("anders" stays "lvs")
# The answer when the engine cannot take the aanvraag: 503 with Retry-After (the process is stuck until a
# procesbeheerder repairs it; the LVS's sender status becomes Fout and it sends again later), plus an incident.
VASTGELOPEN = ("De aanvraag kon niet worden verwerkt: het proces van het samenwerkingsverband liep vast. Er is niets "
               "opgeslagen; de procesbeheerder is ingelicht. Verstuur de aanvraag later opnieuw.")  # fmt: skip


# --- receiving an aanvraag ---------------------------------------------------------------------
@dataclass
class Bestand:
    bestandsnaam: str
    inhoud: bytes
    veld: str = "bijlagen"


@dataclass
class Aanvraag:
    """What an LVS sends, checked for shape by the API schema."""

    lvs_referentie: str
    swv_code: str
    titel: str
    beschrijving: str
    contactpersoon_naam: str
    contactpersoon_email: str
    contactpersoon_telefoon: str
    oso: bytes
    opp: Bestand | None = None
    bijlagen: list[Bestand] = field(default_factory=list)


def ontvang_aanvraag(koppeling_id: int, aanvraag: Aanvraag) -> LvsAanvraag:
    """Create the hulpvraag, or update the one this reference already made; committed. LvsFout when refused."""
    oso = _lees(aanvraag.oso)
    _controleer(db.session.get(Koppeling, koppeling_id), aanvraag, oso)
    for poging in range(POGINGEN):
        try:
            row = _verwerk(koppeling_id, aanvraag, oso)
            db.session.commit()
            return row
        except ProcessFailed as exc:  # nothing saved; the procesbeheerder gets an incident
            db.session.rollback()
            _meld_incident(koppeling_id, aanvraag.lvs_referentie, exc)
            raise LvsFout(503, VASTGELOPEN) from None
        except _Dubbel:  # the same reference won the insert race: continue as a re-send
            db.session.rollback()
            log.info("lvs aanvraag sent twice at once: koppeling_id=%s; continuing as a re-send", koppeling_id)
        except OperationalError as exc:
            db.session.rollback()
            if not _bezet(exc):
                raise
            time.sleep(random.uniform(0.05, 0.2) * (poging + 1))
        except BaseException:
            db.session.rollback()
            raise
    raise LvsFout(409, "Deze aanvraag wordt op dit moment al verwerkt. Verstuur hem over een minuut opnieuw.")


class _Dubbel(Exception):
    pass


def _meld_incident(koppeling_id: int, referentie: str, exc: ProcessFailed) -> None:
    """The incident of a failed aanvraag: a re-send names its hulpvraag and the task it completes."""
    koppeling = db.session.get(Koppeling, koppeling_id)
    assert koppeling is not None
    row = db.session.scalar(sa.select(LvsAanvraag).filter_by(koppeling_id=koppeling_id, lvs_referentie=referentie))
    hulpvraag = row.hulpvraag if row is not None else None
    if hulpvraag is None:
        incidenten.bij_lvs(koppeling_id, referentie, exc, koppeling.systeemgebruiker)
        return
    taak = _open_taak(hulpvraag, "aanvullen")
    incidenten.bij_lvs(koppeling_id, referentie, exc, _werker(hulpvraag, koppeling), taak, hulpvraag.id)


def _bezet(exc: OperationalError) -> bool:
    return "database is locked" in str(exc.orig) or "deadlock" in str(exc.orig).lower()


def _lees(data: bytes) -> OsoDossier:
    config = current_app.config
    try:
        return lees_oso(data, xsd_pad=config.get("OSO_XSD_PATH"), max_bytes=config["OSO_MAX_BYTES"])
    except OsoFout as exc:
        raise LvsFout(422, exc.message, f"oso{'.' + exc.veld if exc.veld else ''}") from None


def _controleer(koppeling: Koppeling | None, aanvraag: Aanvraag, oso: OsoDossier) -> None:
    if koppeling is None or not koppeling.actief:
        raise LvsFout(401, "Deze koppeling bestaat niet of is uitgezet.")
    if not koppeling.is_geactiveerd:
        raise LvsFout(403, "Deze koppeling is nog niet geactiveerd in het LVS.")
    school = koppeling.school
    if oso.brin_vestiging.upper() not in school.bekende_brin6:  # also a former BRIN, or a merged school's
        raise LvsFout(403, f"Het OSO-dossier is van een andere school ({oso.brin_vestiging}) dan deze koppeling "
                      f"({school.brin6}).", "oso.huidigeschool")  # fmt: skip
    swv = db.session.get(Samenwerkingsverband, school.swv_id)
    if swv is None or aanvraag.swv_code.upper() != swv.code:
        raise LvsFout(422, f"Deze aanvraag is niet voor dit samenwerkingsverband ({swv.code if swv else '?'}).",
                      "swv_code")  # fmt: skip
    controleer_soort(oso, swv.code)
    limiet = current_app.config["BIJLAGE_MAX_BYTES"]
    for bestand in _bestanden(aanvraag):
        if len(bestand.inhoud) > limiet:
            raise LvsFout(413, te_groot_melding(), bestand.veld)


def _bestanden(aanvraag: Aanvraag) -> list[Bestand]:
    """The files the LVS attached itself: the OPP and the bijlagen. A refused one refuses the aanvraag."""
    return ([aanvraag.opp] if aanvraag.opp else []) + aanvraag.bijlagen


def _oso_bestanden(oso: OsoDossier) -> tuple[list[Bestand], list[str]]:
    """The documents inside the OSO dossier, unzipped; one that cannot be read is left out and named."""
    limiet = current_app.config["BIJLAGE_MAX_BYTES"]
    bestanden, overgeslagen = [], []
    for i, bijlage in enumerate(oso.bijlagen):
        try:
            bestanden.append(Bestand(bijlage.bestandsnaam, bijlage.uitpakken(limiet), f"oso.bijlagen[{i}]"))
        except OsoFout as exc:
            overgeslagen.append(exc.message)
    return bestanden, overgeslagen


def _verwerk(koppeling_id: int, aanvraag: Aanvraag, oso: OsoDossier) -> LvsAanvraag:
    koppeling = db.session.get(Koppeling, koppeling_id)
    assert koppeling is not None
    query = sa.select(LvsAanvraag).filter_by(koppeling_id=koppeling_id, lvs_referentie=aanvraag.lvs_referentie)
    row = db.session.scalar(query)
    if row is None:
        row = _claim(koppeling, aanvraag.lvs_referentie)
        _maak_hulpvraag(row, koppeling, aanvraag, oso)
    else:
        _werk_bij(row, koppeling, aanvraag, oso)
    koppeling.laatst_gebruikt_op = utcnow()
    incidenten.na_succes(incidenten.sleutel_lvs(koppeling_id, aanvraag.lvs_referentie), koppeling.systeemgebruiker)
    return row


def _claim(koppeling: Koppeling, referentie: str) -> LvsAanvraag:
    """Insert first: of two simultaneous sends only one gets past this flush."""
    row = LvsAanvraag(koppeling_id=koppeling.id, lvs_referentie=referentie, oso_gegevens={})
    db.session.add(row)
    try:
        db.session.flush()
    except IntegrityError:
        raise _Dubbel() from None
    return row


def _maak_hulpvraag(row: LvsAanvraag, koppeling: Koppeling, aanvraag: Aanvraag, oso: OsoDossier) -> None:
    school = koppeling.school
    if school.is_gesloten:  # a re-send of an earlier aanvraag still updates its hulpvraag
        raise LvsFout(403, f"{school.naam} ({school.brin6}) is gesloten: er kunnen geen nieuwe aanvragen meer "
                      "voor deze school worden ingediend.")  # fmt: skip
    keuze = kies_dossier(oso.leerling, school)
    dossier = keuze.dossier or _nieuw_dossier(school)
    _pas_oso_toe(oso, dossier, school)
    markeer_twijfel(dossier, keuze.twijfel)
    aanvrager = _aanvrager(koppeling, aanvraag.contactpersoon_email)
    hulpvraag = create_hulpvraag(
        dossier, aanvrager, titel=aanvraag.titel, omschrijving=aanvraag.beschrijving,
        contactpersoon_naam=aanvraag.contactpersoon_naam, contactpersoon_email=aanvraag.contactpersoon_email,
        contactpersoon_telefoon=aanvraag.contactpersoon_telefoon, bron=HERKOMST.get(koppeling.lvs_type, "lvs"),
    )  # fmt: skip
    _, overgeslagen = _voeg_bestanden_toe(hulpvraag, aanvraag, oso, aanvrager)
    _dien_in(hulpvraag, aanvrager, oso)
    row.hulpvraag_id = hulpvraag.id  # linked last: the creation's statuses are in the answer, not pushed
    row.oso_gegevens = {**oso.gegevens(), "niet_overgenomen": overgeslagen}
    row.leerlingid = (oso.leerling.leerlingid or "")[:100] or None
    laatste = hulpvraag.statuswijzigingen[-1] if hulpvraag.statuswijzigingen else None
    lvs_wijzigingen.noteer(koppeling.id, hulpvraag.id, hulpvraag.status, laatste.reden if laatste else "")
    detail = f"api.aanvraag via {koppeling.lvs_naam}" + _niet_leesbaar(overgeslagen)
    if keuze.twijfel:
        detail += f"; mogelijk dezelfde leerling als dossier {', '.join(str(d.id) for d, _ in keuze.twijfel)}"
    audit.record(koppeling.systeemgebruiker, "aanmaken", "hulpvraag", hulpvraag.id, dossier_id=dossier.id,
                 detail=detail)
    log.info("lvs aanvraag created: koppeling_id=%s hulpvraag_id=%s", koppeling.id, hulpvraag.id)


def _werk_bij(row: LvsAanvraag, koppeling: Koppeling, aanvraag: Aanvraag, oso: OsoDossier) -> None:
    """A re-send: same hulpvraag, text and dossier updated, new bijlagen added, an open
    'Dossier aanvullen' task completed on the aanvrager's behalf."""
    db.session.execute(sa.update(LvsAanvraag).where(LvsAanvraag.id == row.id)
                       .values(ontvangen=LvsAanvraag.ontvangen + 1))  # fmt: skip  # takes the row lock first
    db.session.refresh(row)
    hulpvraag = row.hulpvraag
    assert hulpvraag is not None
    controleer_zelfde_leerling(row.oso_gegevens or {}, oso.leerling, aanvraag.lvs_referentie)
    user = _werker(hulpvraag, koppeling)
    wijzigingen = _pas_oso_toe(oso, hulpvraag.dossier, koppeling.school)
    wijzigingen += _werk_tekst_bij(hulpvraag, aanvraag)
    nieuw, overgeslagen = _voeg_bestanden_toe(hulpvraag, aanvraag, oso, user)
    if nieuw:
        wijzigingen.append(f"{nieuw} nieuwe bijlage(n)")
    row.oso_gegevens = {**oso.gegevens(), "niet_overgenomen": overgeslagen}
    row.leerlingid = row.leerlingid or (oso.leerling.leerlingid or "")[:100] or None
    if wijzigingen or _open_taak(hulpvraag, "aanvullen"):
        _vul_aan(hulpvraag, user, wijzigingen, koppeling)
    detail = f"api.aanvraag opnieuw via {koppeling.lvs_naam}: " + (", ".join(wijzigingen) or "ongewijzigd")
    detail += _niet_leesbaar(overgeslagen)
    audit.record(koppeling.systeemgebruiker, "wijzigen", "hulpvraag", hulpvraag.id,
                 dossier_id=hulpvraag.dossier_id, detail=detail)  # fmt: skip


def _werk_tekst_bij(hulpvraag: Hulpvraag, aanvraag: Aanvraag) -> list[str]:
    wijzigingen = []
    if hulpvraag.titel != aanvraag.titel:
        wijzigingen.append(f"titel gewijzigd van '{hulpvraag.titel}' in '{aanvraag.titel}'")
        hulpvraag.titel, hulpvraag.titel_onbekend = aanvraag.titel, aanvraag.titel not in TITELS
    if hulpvraag.omschrijving != aanvraag.beschrijving:
        hulpvraag.omschrijving = aanvraag.beschrijving
        wijzigingen.append("beschrijving bijgewerkt")
    contact = (aanvraag.contactpersoon_naam, aanvraag.contactpersoon_email, aanvraag.contactpersoon_telefoon)
    if (hulpvraag.contactpersoon_naam, hulpvraag.contactpersoon_email, hulpvraag.contactpersoon_telefoon) != contact:
        hulpvraag.contactpersoon_naam, hulpvraag.contactpersoon_email, hulpvraag.contactpersoon_telefoon = contact
        wijzigingen.append("contactpersoon bijgewerkt")
    return wijzigingen


def _pas_oso_toe(oso: OsoDossier, dossier: Dossier, school: School) -> list[str]:
    from workflow.oso import pas_toe

    try:
        wijzigingen = pas_toe(oso, dossier, school)
    except OsoFout as exc:
        raise LvsFout(403 if exc.veld and "school" in exc.veld else 422, exc.message, "oso") from None
    return [f"{len(wijzigingen)} dossiergegeven(s) uit het OSO-dossier"] if wijzigingen else []


def _nieuw_dossier(school: School) -> Dossier:
    dossier = Dossier(swv_id=school.swv_id, school_id=school.id, niveau="leerling")  # pas_toe fills it
    db.session.add(dossier)
    db.session.flush()
    return dossier


def vaste_titel(titel: str) -> str:
    """The title from the fixed list that ``titel`` is, ignoring case and spaces ('tlv -nieuw'); else as sent."""
    sleutel = "".join(titel.split()).casefold()
    return next((t for t in TITELS if "".join(t.split()).casefold() == sleutel), " ".join(titel.split()))


def _aanvrager(koppeling: Koppeling, email: str) -> User:
    """The contactpersoon's own account in the school when there is one, else the koppeling's account."""
    query = (
        sa.select(User)
        .join(user_school, user_school.c.user_id == User.id)
        .where(user_school.c.school_id == koppeling.school_id, sa.func.lower(User.email) == email.lower(),
               User.actief.is_(True), User.username != f"lvs-koppeling-{koppeling.id}")
    )  # fmt: skip
    for user in db.session.scalars(query.order_by(User.id)):
        if user.heeft_rol(Rol.AANVRAGER):
            return user
    assert koppeling.systeemgebruiker is not None
    return koppeling.systeemgebruiker


def _werker(hulpvraag: Hulpvraag, koppeling: Koppeling) -> User:
    """Who completes the school's task on a re-send: the aanvrager while still of this school, else the koppeling."""
    aanvrager = hulpvraag.aanvrager
    if aanvrager is not None and aanvrager.actief and hulpvraag.school_id in aanvrager.school_ids:
        return aanvrager
    assert koppeling.systeemgebruiker is not None
    return koppeling.systeemgebruiker


def _voeg_bestanden_toe(hulpvraag: Hulpvraag, aanvraag: Aanvraag, oso: OsoDossier, user: User) -> tuple[int, list[str]]:
    """Store every file not yet on the hulpvraag (same SHA-256): how many were new, and which OSO
    documents were left out. A refused OPP or bijlage refuses the aanvraag; a refused OSO document
    is left out (the LVS cannot repair it) and named in the history."""
    bekend = set(db.session.scalars(sa.select(Bijlage.sha256).where(
        Bijlage.hulpvraag_id == hulpvraag.id, Bijlage.verwijderd_at.is_(None))))  # fmt: skip
    oso_bestanden, overgeslagen = _oso_bestanden(oso)
    nieuw = 0
    for bestand in _bestanden(aanvraag) + oso_bestanden:
        sha = hashlib.sha256(bestand.inhoud).hexdigest()
        if sha in bekend:
            continue
        try:
            voeg_toe(hulpvraag, io.BytesIO(bestand.inhoud), _naam(bestand, aanvraag), user,
                     soort="OPP" if bestand is aanvraag.opp else "overig")  # the API's OPP field is the soort OPP
        except BijlageGeweigerd as exc:
            if not bestand.veld.startswith("oso."):
                raise LvsFout(422, f"{bestand.bestandsnaam}: {exc}", bestand.veld) from None
            overgeslagen.append(f"{bestand.bestandsnaam}: {exc}")
            continue
        bekend.add(sha)
        nieuw += 1
    return nieuw, overgeslagen


def _naam(bestand: Bestand, aanvraag: Aanvraag) -> str:
    """The OPP's name says it is the OPP (TLV checks look for it)."""
    if bestand is aanvraag.opp and "opp" not in bestand.bestandsnaam.lower():
        return f"OPP {bestand.bestandsnaam}"
    return bestand.bestandsnaam


def _niet_leesbaar(overgeslagen: list[str]) -> str:
    return f"; {len(overgeslagen)} document(en) uit het OSO-dossier niet overgenomen" if overgeslagen else ""


def _open_taak(hulpvraag: Hulpvraag, bpmn_id: str) -> HumanTask | None:
    query = sa.select(HumanTask).where(
        HumanTask.hulpvraag_id == hulpvraag.id, HumanTask.bpmn_id == bpmn_id, HumanTask.completed_at.is_(None)
    )
    return db.session.scalars(query.order_by(HumanTask.id)).first()


def _dien_in(hulpvraag: Hulpvraag, aanvrager: User, oso: OsoDossier) -> None:
    """An LVS aanvraag skips Voorlopige aanmelding: the intake's 'Hulpvraag indienen' is done on the
    aanvrager's behalf, so the SCP gets 'Aanmelding beoordelen' exactly as for a web submission."""
    taak = _open_taak(hulpvraag, "indienen")
    if taak is None:
        return
    inzage = oso.inzage
    geinformeerd = bool(inzage and (inzage.inzage or (inzage.toestemming or "").lower() == "ja"))
    toelichting = " ".join(["Ingediend vanuit het leerlingvolgsysteem (LVS).", *ouderinzage_meldingen(oso.gegevens())])
    # The form parser reads what a browser posts: text, so "ja"/"nee" (a Python False would read as empty).
    _voltooi(taak, aanvrager, {"ouders_geinformeerd": "ja" if geinformeerd else "nee", "toelichting": toelichting})


def _voltooi(taak: HumanTask, user: User, invoer: dict[str, str]) -> None:
    """Complete the school's task; a form the procesbeheerder changed so that the LVS's answer no
    longer fits is an incident (nothing saved, 503), never a 500."""
    try:
        complete_task(taak.id, user, invoer)
    except FormInvalid as exc:
        velden = ", ".join(f"{k}: {v}" for k, v in sorted(exc.errors.items()))
        raise ProcessFailed(EngineError(f"Het formulier van deze taak past niet bij een LVS-aanvraag ({velden}).",
                                        taak.bpmn_id)) from None  # fmt: skip


def _vul_aan(hulpvraag: Hulpvraag, user: User, wijzigingen: list[str], koppeling: Koppeling) -> None:
    """After Dossier incompleet the re-send is the school's answer: complete 'Dossier aanvullen'."""
    taak = _open_taak(hulpvraag, "aanvullen")
    if taak is None:
        return
    wat = ", ".join(wijzigingen) or "opnieuw verzonden zonder wijzigingen"
    _voltooi(taak, user, {"aangevuld": f"Opnieuw verzonden vanuit {koppeling.lvs_naam}: {wat}."})


# --- reading back ------------------------------------------------------------------------------
def aanvraag_van(koppeling_id: int, aanvraagnummer: str) -> LvsAanvraag | None:
    """The aanvraag with this number if this koppeling sent it; another koppeling's is 'not found'."""
    query = (
        sa.select(LvsAanvraag)
        .join(Hulpvraag, LvsAanvraag.hulpvraag_id == Hulpvraag.id)
        .where(LvsAanvraag.koppeling_id == koppeling_id, Hulpvraag.aanvraagnummer == aanvraagnummer)
    )
    return db.session.scalar(query)


_NUMMER = re.compile(r"^\d{4}-\d{6,}$")


def is_aanvraagnummer(text: str) -> bool:
    return bool(_NUMMER.match(text))
