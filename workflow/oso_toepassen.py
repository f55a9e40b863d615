"""Write a read OSO dossier into the leerling's Dossier, Adres and Schoolgegevens rows (``pas_toe``).

Idempotent: the same document twice changes nothing the second time. Only rows it made itself
(addresses tagged ``OSO_HERKOMST``) are ever updated or removed; what a user typed stays.
"""

from __future__ import annotations

import re

from models import Adres, Dossier, School, Schoolgegevens, db
from workflow.dossiers import TUSSENVOEGSELS, Naam, normaliseer
from workflow.oso_mapping import (
    GESLACHT_MVX,
    RELATIES,
    OsoAdres,
    OsoDossier,
    OsoFout,
    OsoLeerling,
)

OSO_HERKOMST = "Uit OSO-dossier"  # opmerkingen of the addresses pas_toe manages (and may remove again)
_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")  # as the dossier form checks it (web/dossiers/schemas.py)
_SOORTADRES = {"bezoek": "bezoekadres", "post": "postadres", "gba": "adres volgens de BRP (GBA)"}
_LABELS = {"roepnaam": "Roepnaam", "tussenvoegsel": "Tussenvoegsel", "achternaam": "Achternaam",
           "geboortedatum": "Geboortedatum", "geslacht": "Geslacht"}  # fmt: skip


def pas_toe(oso: OsoDossier, dossier: Dossier, school: School) -> list[str]:
    """Fill or update the leerling ``dossier`` from ``oso``; what changed, in short Dutch lines. Flushes."""
    _controleer_school(oso, dossier, school)
    dossier.swv_id = dossier.swv_id or school.swv_id
    dossier.school_id = dossier.school_id or school.id
    db.session.add(dossier)
    wijzigingen = _basisgegevens(oso.leerling, dossier) + _ouder_emails(oso, dossier)
    wijzigingen += _adressen_toepassen(oso, dossier) + _schoolgegevens_toepassen(oso, dossier, school)
    db.session.flush()
    return wijzigingen


def _controleer_school(oso: OsoDossier, dossier: Dossier, school: School) -> None:
    if oso.brin_vestiging not in school.bekende_brin6:
        raise OsoFout(
            f"Het OSO-dossier is van school {oso.brin_vestiging}, maar de aanvraag is voor school "
            f"{school.brin6} ({school.naam}).", "huidigeschool/brincode",
        )  # fmt: skip
    if dossier.niveau == "school":
        raise OsoFout("Een OSO-dossier hoort bij een leerlingdossier, niet bij een schooldossier.")
    if dossier.school_id not in (None, school.id):
        raise OsoFout(f"Dit leerlingdossier hoort bij een andere school dan {school.brin6}.")


def leerling_naam(leerling: OsoLeerling) -> Naam:
    """Dutch name rule: a foreign voorvoegsel (El, da …) stays part of the achternaam."""
    voorvoegsel, achternaam = leerling.voorvoegsel or "", leerling.achternaam or ""
    if voorvoegsel and " ".join(voorvoegsel.split()).lower() not in TUSSENVOEGSELS:
        voorvoegsel, achternaam = "", f"{voorvoegsel} {achternaam}"
    return normaliseer(leerling.roepnaam or next(iter(leerling.voornamen), ""), voorvoegsel, achternaam)


def _basisgegevens(leerling: OsoLeerling, dossier: Dossier) -> list[str]:
    naam = leerling_naam(leerling)
    nieuw = {
        "roepnaam": naam.roepnaam[:100] or None, "tussenvoegsel": naam.tussenvoegsel[:40] or None,
        "achternaam": naam.achternaam[:150] or None, "geboortedatum": leerling.geboortedatum,
        "geslacht": GESLACHT_MVX.get(leerling.geslacht or ""),
    }  # fmt: skip
    wijzigingen = []
    for veld, waarde in nieuw.items():
        oud = getattr(dossier, veld)
        if oud == waarde or (waarde is None and veld != "tussenvoegsel"):  # what OSO leaves out, we keep
            continue
        wijzigingen.append(f"{_LABELS[veld]} {'gewijzigd' if oud else 'ingevuld'}")
        setattr(dossier, veld, waarde)
    return wijzigingen


def _ouder_emails(oso: OsoDossier, dossier: Dossier) -> list[str]:
    """Adds the e-mail addresses of living wettige vertegenwoordigers (not those marked geheim)."""
    bestaand = list(dossier.ouder_emails or [])
    gevonden = [
        e.lower() for v in oso.oudersverzorgers if v.wettigevertegenwoordiger and not v.overleden
        for e in v.emails if _EMAIL.match(e)
    ]  # fmt: skip
    nieuw = [e for e in dict.fromkeys(gevonden) if e not in bestaand]
    if nieuw:
        dossier.ouder_emails = bestaand + nieuw
    return ["E-mailadres ouder/verzorger toegevoegd" for _ in nieuw]


def _sleutel(postcode: str, huisnummer: str) -> tuple[str, str]:
    return "".join(postcode.split()).upper(), "".join(huisnummer.split()).lower()


def _gewenste_adressen(oso: OsoDossier) -> dict[tuple[str, str], Adres]:
    """The leerling's addresses, then those of living wettige vertegenwoordigers, each address once."""
    heeft_post = any(a.soortadres == "post" for a in oso.leerling.adressen)
    bronnen = [
        (a, "postadres" if a.soortadres == "post" else ("woonadres" if heeft_post else "woon- en postadres"),
         _SOORTADRES.get(a.soortadres or "", a.soortadres or "adres"))
        for a in oso.leerling.adressen
    ] + [
        (a, "woon- en postadres", f"adres van {v.naam} ({RELATIES.get(v.relatietotkind or '', 'ouder/verzorger')})")
        for v in oso.oudersverzorgers if v.wettigevertegenwoordiger and not v.overleden and not v.adresgeheim
        for a in v.adressen
    ]  # fmt: skip
    gewenst: dict[tuple[str, str], Adres] = {}
    for adres, soort, toelichting in bronnen:
        rij = _adres_rij(adres, soort, f"{OSO_HERKOMST}: {toelichting}")
        gewenst.setdefault(_sleutel(rij.postcode, rij.huisnummer), rij)
    return gewenst


def _adres_rij(adres: OsoAdres, soort: str, opmerkingen: str) -> Adres:
    return Adres(
        soort=soort, straat=(adres.straat or "")[:200], huisnummer=adres.huisnummer[:20],
        postcode="".join((adres.postcode or "").split()).upper()[:10], plaats=(adres.plaats or "")[:100],
        opmerkingen=opmerkingen,
    )  # fmt: skip


def _adressen_toepassen(oso: OsoDossier, dossier: Dossier) -> list[str]:
    gewenst, wijzigingen = _gewenste_adressen(oso), []
    for adres in list(dossier.adressen):
        nieuw = gewenst.pop(_sleutel(adres.postcode or "", adres.huisnummer or ""), None)
        if not (adres.opmerkingen or "").startswith(OSO_HERKOMST):
            continue  # typed in by a user: never touched
        if nieuw is None:
            dossier.adressen.remove(adres)
            wijzigingen.append(f"Adres verwijderd ({adres.soort})")
        elif _adres_verschilt(adres, nieuw):
            adres.soort, adres.straat, adres.plaats, adres.opmerkingen = (
                nieuw.soort,
                nieuw.straat,
                nieuw.plaats,
                nieuw.opmerkingen,
            )
            wijzigingen.append(f"Adres gewijzigd ({adres.soort})")
    for nieuw in gewenst.values():
        dossier.adressen.append(nieuw)
        wijzigingen.append(f"Adres toegevoegd ({nieuw.soort})")
    return wijzigingen


def _adres_verschilt(adres: Adres, nieuw: Adres) -> bool:
    return (adres.soort, adres.straat, adres.plaats, adres.opmerkingen) != (
        nieuw.soort, nieuw.straat, nieuw.plaats, nieuw.opmerkingen,
    )  # fmt: skip


def _schoolgegevens_toepassen(oso: OsoDossier, dossier: Dossier, school: School) -> list[str]:
    """One Schoolgegevens row per schoolloopbaan row at this school, found again by its start date."""
    bestaand = {s.van: s for s in dossier.schoolgegevens if s.school_id == school.id}
    wijzigingen = []
    for rij in (r for r in oso.schoolloopbaan if r.brin_vestiging in school.bekende_brin6):
        groep = (rij.jaargroep or rij.groepsnaam or rij.groepscode or "")[:20]
        jaar = rij.schooljaar or (rij.begindatum.year if rij.begindatum else "")
        huidig = bestaand.get(rij.begindatum)
        if huidig is None:
            dossier.schoolgegevens.append(
                Schoolgegevens(school_id=school.id, groep=groep, van=rij.begindatum, tot=rij.einddatum)
            )
            wijzigingen.append(f"Schoolgegevens toegevoegd (groep {groep}, {jaar})")
        elif (huidig.groep, huidig.tot) != (groep, rij.einddatum):
            huidig.groep, huidig.tot = groep, rij.einddatum
            wijzigingen.append(f"Schoolgegevens gewijzigd ({jaar})")
    return wijzigingen
