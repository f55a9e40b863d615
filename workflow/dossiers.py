"""Dossier rules: Dutch name parts, and finding a likely duplicate before creating a pupil."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date

import sqlalchemy as sa

from models import Dossier, School, User, db
from workflow.access import dossier_filter

# Dutch tussenvoegsels (lower case). Particles of other languages (El, da, Al, Mc …) are not
# tussenvoegsels: they stay part of the achternaam ("El-Makrini", "da Silva", "Fortes Monteiro").
TUSSENVOEGSELS = frozenset(
    (
        "van", "de", "der", "den", "het", "'t", "ten", "ter", "te", "in", "op", "aan", "bij", "uit", "voor",
        "onder", "over", "van de", "van der", "van den", "van het", "van 't", "van ter", "van te", "in de",
        "in der", "in den", "in het", "in 't", "op de", "op der", "op den", "op het", "op 't", "uit de",
        "uit den", "uit het", "uit 't", "aan de", "aan den", "aan het", "bij de", "voor de", "voor den",
        "onder de", "over de", "de la", "van de la", "d'", "l'",
    )
)  # fmt: skip


@dataclass(frozen=True)
class Naam:
    roepnaam: str
    tussenvoegsel: str
    achternaam: str


def _longest_particle(words: list[str]) -> int:
    """How many leading words form a Dutch tussenvoegsel (0 if none); the achternaam stays non-empty."""
    for size in range(min(3, len(words) - 1), 0, -1):
        if " ".join(words[:size]).lower() in TUSSENVOEGSELS:
            return size
    return 0


def split_naam(volledig: str) -> Naam:
    """'Jan van Boven' → Jan / van / Boven; 'Fatima El-Makrini' → Fatima / – / El-Makrini."""
    words = volledig.split()
    if not words:
        return Naam("", "", "")
    if len(words) == 1:
        return Naam("", "", words[0])
    rest = words[1:]
    size = _longest_particle(rest)
    return Naam(words[0], " ".join(rest[:size]).lower(), " ".join(rest[size:]))


def normaliseer(roepnaam: str, tussenvoegsel: str, achternaam: str) -> Naam:
    """Tidy the three parts as typed: 'van Boven' typed as achternaam moves 'van' to the tussenvoegsel."""
    roepnaam = " ".join(roepnaam.split())
    tussenvoegsel = " ".join(tussenvoegsel.split()).lower()
    words = achternaam.split()
    if not tussenvoegsel:
        size = _longest_particle(words)
        tussenvoegsel, words = " ".join(words[:size]).lower(), words[size:]
    return Naam(roepnaam, tussenvoegsel, " ".join(words))


def _key(text: str | None) -> str:
    return re.sub(r"[\s\-']+", "", (text or "").lower())


def mogelijke_dubbelen(
    school_id: int, roepnaam: str, achternaam: str, geboortedatum: date | None, tussenvoegsel: str = ""
) -> list[Dossier]:
    """Leerling dossiers at this school with the same name and birth date.

    Both sides are compared normalised: spacing and case ignored, and the tussenvoegsel taken
    together with the achternaam, so 'van Boven' typed as achternaam (or 'Van  Boven', or a dossier
    stored before names were normalised) finds roepnaam Jan, tussenvoegsel van, achternaam Boven.
    """
    if geboortedatum is None:
        return []
    candidates = db.session.scalars(
        sa.select(Dossier).where(
            Dossier.school_id == school_id, Dossier.geboortedatum == geboortedatum, Dossier.niveau == "leerling"
        )
    ).all()
    naam = normaliseer(roepnaam, tussenvoegsel, achternaam)
    gezocht = (_key(naam.roepnaam), _key(naam.tussenvoegsel) + _key(naam.achternaam))
    return [d for d in candidates if (_key(d.roepnaam), _key(d.tussenvoegsel) + _key(d.achternaam)) == gezocht]


# --- leerling zoeken (/dossiers, and the first step of a new hulpvraag) --------------------
MAX_ZOEKWOORDEN = 5
_DATUM = re.compile(r"^(\d{1,2})[-/.](\d{1,2})[-/.](\d{4})$|^(\d{4})-(\d{1,2})-(\d{1,2})$")


def als_datum(woord: str) -> date | None:
    """A typed birth date: 14-03-2016, 14/3/2016, 14.03.2016 or 2016-03-14; None when it is no date."""
    match = _DATUM.match(woord)
    if match is None:
        return None
    d, m, y = match.group(1, 2, 3) if match.group(1) else reversed(match.group(4, 5, 6))
    try:
        return date(int(y), int(m), int(d))
    except ValueError:
        return None


def leerling_zoekvraag(user: User, tekst: str) -> sa.Select[tuple[int]]:
    """The ids of the leerling dossiers ``user`` may see that match every typed word.

    A word that is a date matches the birth date; any other word a part of the name (roepnaam,
    tussenvoegsel or achternaam), so 'van Boven', 'Boven' and 'jan 14-03-2016' all find Jan van
    Boven. Who sees what is ``dossier_filter``: school staff their own schools' pupils, SWV staff
    only pupils with a hulpvraag they may see (never a Voorlopige aanmelding), beheerders all.
    """
    query = sa.select(Dossier.id).where(dossier_filter(user), Dossier.niveau == "leerling")
    for woord in tekst.lower().split()[:MAX_ZOEKWOORDEN]:
        geboren = als_datum(woord)
        if geboren is not None:
            query = query.where(Dossier.geboortedatum == geboren)
            continue
        pattern = "%" + woord.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"
        delen = (Dossier.roepnaam, Dossier.tussenvoegsel, Dossier.achternaam)
        query = query.where(sa.or_(*(sa.func.lower(d).like(pattern, escape="\\") for d in delen)))
    return query


_BRIN6 = re.compile(r"\b(\d{2}[A-Z]{2})(\d{2})\b")


def school_uit_tekst(text: str) -> School | None:
    """The school a user picked by typing: 'OBS De Regenboog (00YY00)', '00YY00' or the exact name."""
    match = _BRIN6.search(text.upper())
    if match:
        return db.session.scalar(sa.select(School).filter_by(brin=match.group(1), vestigingscode=match.group(2)))
    return db.session.scalar(sa.select(School).where(sa.func.lower(School.naam) == text.strip().lower()))


def naam_in_tekst(tekst: str, *namen: str | None) -> bool:
    """Whether one of the pupil's names (3+ letters) appears as a word in ``tekst``."""
    lowered = tekst.lower()
    return any(
        naam and len(naam) >= 3 and re.search(rf"\b{re.escape(naam.lower())}\b", lowered) for naam in namen
    )
