"""The OSO SWV-dossier as typed dataclasses, read from a parsed (already hardened) XML tree.

Field names follow the OSO element names (XSD 2019.1) unless noted. Persoonsgebonden nummers
(BSN, onderwijsnummer, sofinummer) and bank numbers are removed from the tree by
``verwijder_persoonsnummers`` before anything here reads it (domain.md §9).
"""

from __future__ import annotations

import base64
import binascii
import functools
import io
import typing
import zipfile
import zlib
from collections.abc import Callable
from dataclasses import dataclass, field, fields, is_dataclass
from datetime import date
from typing import Any

from lxml import etree

NAMESPACE = "http://www.edustandaard.nl/oso_gegevensset/2019/dossier"
_NS = f"{{{NAMESPACE}}}"

PERSOONSNUMMERS = frozenset(("bsn", "onderwijsnummer", "sofinummer", "pgn", "iban", "banknummer"))
GESLACHT_MVX = {"1": "v", "2": "m", "0": "x"}  # OSO codelijst 14 → models.dossier.GESLACHTEN
RELATIES = {"1": "Vader", "2": "Moeder", "3": "Voogd"}  # codelijst 41; the XSD names only these three


class OsoFout(ValueError):
    """A problem with an OSO-dossier: a Dutch message for the sender and the element it is about."""

    def __init__(self, message: str, veld: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.veld = veld


@dataclass
class OsoBijlage:
    bestandsnaam: str
    omschrijving: str | None
    inhoud: bytes = field(repr=False)
    onderdeel: str = ""  # where in the dossier it was: "OPP", "Diagnose", "Verzuim" …

    def samenvatting(self) -> dict[str, Any]:
        return {"bestandsnaam": self.bestandsnaam, "omschrijving": self.omschrijving,
                "onderdeel": self.onderdeel, "grootte": len(self.inhoud)}  # fmt: skip

    def uitpakken(self, max_bytes: int = 10_000_000) -> bytes:
        """The file itself: OSO sends each bijlage as a ZIP with one file (``inhoud`` is that ZIP)."""
        try:
            with zipfile.ZipFile(io.BytesIO(self.inhoud)) as archief:
                leden = [i for i in archief.infolist() if not i.is_dir()]
                if len(leden) != 1:
                    raise OsoFout(f"Bijlage '{self.bestandsnaam}' moet precies één bestand bevatten.")
                with archief.open(leden[0]) as bestand:
                    data = bestand.read(max_bytes + 1)  # a lying header cannot make us inflate more
        except (zipfile.BadZipFile, zipfile.LargeZipFile, zlib.error, EOFError, OSError):
            raise OsoFout(f"Bijlage '{self.bestandsnaam}' is geen leesbaar ZIP-bestand.") from None
        if len(data) > max_bytes:
            raise OsoFout(f"Bijlage '{self.bestandsnaam}' is uitgepakt groter dan {max_bytes // 1_000_000} MB.")
        return data


@dataclass
class OsoAdres:
    soortadres: str | None = None  # bezoek, post, gba
    straat: str | None = None
    nummer: str | None = None
    toevoeging: str | None = None
    postcode: str | None = None
    plaats: str | None = None
    gemeente: str | None = None
    land: str | None = None  # "Nederland (6030)"

    @property
    def huisnummer(self) -> str:
        """'136' + 'a' → '136a'; a longer toevoeging keeps a space ('12 bis')."""
        nummer, toevoeging = self.nummer or "", self.toevoeging or ""
        return f"{nummer}{toevoeging}" if len(toevoeging) <= 1 else f"{nummer} {toevoeging}"


@dataclass
class OsoCommunicatie:
    soort: str | None = None  # telefoon, e-mail
    nummer: str | None = None
    aanduiding: str | None = None  # werk, prive, overig
    geheim: bool | None = None
    noodnummer: bool | None = None


@dataclass
class OsoMetadata:
    deeldossier: str | None = None
    pakketnaam: str | None = None
    pakketversie: str | None = None
    datum: date | None = None
    standaardversie: str | None = None
    validatieversie: str | None = None
    overstap: str | None = None
    overdrachtsoort: str | None = None
    categorie_uitlevering: dict[str, Any] = field(default_factory=dict)


@dataclass
class OsoInzage:
    voorlopigdossier: bool | None = None
    inzage: bool | None = None
    inzagedatum: date | None = None
    akkoord: str | None = None  # Ja, Nee, Onbekend
    redennietakkoord: str | None = None
    toestemming: str | None = None  # Ja, Nee, Onbekend


@dataclass
class OsoSchool:
    naam: str | None = None
    brincode: str | None = None
    vestigingscode: str | None = None
    aanleverpunt: str | None = None
    soort: str | None = None
    type: str | None = None
    naamdirecteur: str | None = None
    website: str | None = None
    adressen: list[OsoAdres] = field(default_factory=list)
    communicatie: list[OsoCommunicatie] = field(default_factory=list)


@dataclass
class OsoPersoon:
    """What the leerling and a verzorger share: name parts, addresses, contacts."""

    achternaam: str | None = None
    voornamen: list[str] = field(default_factory=list)
    voorletters: str | None = None  # <voorletters-1>
    voorvoegsel: str | None = None
    roepnaam: str | None = None
    geslacht: str | None = None  # OSO code: 0 onbekend, 1 vrouw, 2 man
    adresgeheim: bool | None = None
    adressen: list[OsoAdres] = field(default_factory=list)
    communicatie: list[OsoCommunicatie] = field(default_factory=list)

    @property
    def naam(self) -> str:
        voornaam = self.roepnaam or (self.voornamen[0] if self.voornamen else self.voorletters)
        return " ".join(p for p in (voornaam, self.voorvoegsel, self.achternaam) if p)

    @property
    def emails(self) -> list[str]:
        """E-mail addresses not marked geheim."""
        return [c.nummer for c in self.communicatie if c.soort == "e-mail" and c.nummer and not c.geheim]


@dataclass
class OsoLeerling(OsoPersoon):
    geboortedatum: date | None = None
    geboortemaand: str | None = None
    geboorteplaats: str | None = None
    nationaliteiten: list[str] = field(default_factory=list)
    leerlingid: str | None = None  # the LVS's own key (LASkey), not a persoonsgebonden nummer
    onderwijssinds: date | None = None
    startdatumhuidigonderwijs: date | None = None
    datuminschrijving: date | None = None
    datumuitschrijving: date | None = None
    overige: dict[str, Any] = field(default_factory=dict)  # gba, huisarts, overstapadvies, vve, cijferlijsten …


@dataclass
class OsoVerzorger(OsoPersoon):
    relatietotkind: str | None = None  # codelijst 41
    wettigevertegenwoordiger: bool | None = None
    overleden: bool | None = None
    overlijdensdatum: date | None = None

    @property
    def relatie(self) -> str | None:
        code = self.relatietotkind
        return RELATIES.get(code, f"code {code}") if code else None


@dataclass
class OsoSchoolloopbaan:
    schooljaar: str | None = None
    groepscode: str | None = None
    groepsnaam: str | None = None
    jaargroep: str | None = None
    begindatum: date | None = None
    einddatum: date | None = None
    brincode: str | None = None
    vestigingscode: str | None = None
    schoolsoort: str | None = None
    schooltype: str | None = None
    schoolsoortomschrijving: str | None = None
    voelementcode: str | None = None
    voelementomschrijving: str | None = None

    @property
    def brin_vestiging(self) -> str:
        return f"{self.brincode or ''}{self.vestigingscode or '00'}"


@dataclass
class OsoDiagnose:
    codes: list[str] = field(default_factory=list)
    naam: str | None = None
    datum: date | None = None
    doorwie: str | None = None
    instantie: str | None = None
    documenten: list[OsoBijlage] = field(default_factory=list)


@dataclass
class OsoHandelingsplan:
    startdatum: date | None = None
    einddatum: date | None = None
    isgerichtop: str | None = None
    documenten: list[OsoBijlage] = field(default_factory=list)


@dataclass
class OsoTlv:
    ingangsdatum: date | None = None  # <tlvingangdatum>, and so on
    swvnummer: str | None = None
    categorie: str | None = None
    beschikkingsnummer: str | None = None
    einddatum: date | None = None
    documenten: list[OsoBijlage] = field(default_factory=list)


@dataclass
class OsoArrangement:
    soort: str = ""  # "cluster 1/2" (<arrangement_cluster12>) or "passend onderwijs" (<arrangement_pao>)
    datum: date | None = None  # <arrangement_datum>, and so on
    brin: str | None = None
    vestigingscode: str | None = None
    kenmerk: str | None = None
    beschikkingsnr: str | None = None
    einddatum: date | None = None


@dataclass
class OsoOndersteuning:
    toelichting_onderwijsbehoeften: list[OsoBijlage] = field(default_factory=list)
    diagnoses: list[OsoDiagnose] = field(default_factory=list)
    medicijngebruik: bool | None = None
    handelingsplannen: list[OsoHandelingsplan] = field(default_factory=list)
    tlvs: list[OsoTlv] = field(default_factory=list)
    arrangementen: list[OsoArrangement] = field(default_factory=list)
    overige: dict[str, Any] = field(default_factory=dict)  # lwoo, rvc


@dataclass
class OsoOpp:
    ingangsdatum: date | None = None  # <opp_ingangdatum>
    einddatum: date | None = None
    documenten: list[OsoBijlage] = field(default_factory=list)


@dataclass
class OsoVerzuim:
    dagdelengeoorloofd: int | None = None
    dagdelenongeoorloofd: int | None = None
    urengeoorloofd: int | None = None
    urenongeoorloofd: int | None = None
    meerdan25percent: bool | None = None
    frequentie: int | None = None
    contactleerplicht: bool | None = None
    rmcmelding: bool | None = None
    documenten: list[OsoBijlage] = field(default_factory=list)


@dataclass
class OsoReferentiescore:
    codereferentiescore: str | None = None
    codevergelijkingsgroep: str | None = None
    waarde: str | None = None
    kwalificatie: str | None = None


@dataclass
class OsoResultaat:
    toetsscore: dict[str, Any] = field(default_factory=dict)  # aantalgoed, vaardigheidsscore …
    referentiescores: list[OsoReferentiescore] = field(default_factory=list)
    documenten: list[OsoBijlage] = field(default_factory=list)


@dataclass
class OsoToetsonderdeel:
    eldonderdeelcode: str | None = None
    onderdeelnaam: str | None = None
    resultaat: OsoResultaat = field(default_factory=OsoResultaat)


@dataclass
class OsoToets:
    eldtoetscode: str | None = None  # from <toetsidentificatie>
    leergebied: str | None = None
    toetsnaam: str | None = None
    toetsversie: str | None = None
    afnamedatum: date | None = None  # from <afname>
    jaargroep: str | None = None
    dl: int | None = None
    afgenomendoor: dict[str, Any] = field(default_factory=dict)
    resultaat: OsoResultaat = field(default_factory=OsoResultaat)
    onderdelen: list[OsoToetsonderdeel] = field(default_factory=list)
    opmerking: str | None = None


@dataclass
class OsoDossier:
    metadata: OsoMetadata
    inzage: OsoInzage | None
    huidigeschool: OsoSchool
    leerling: OsoLeerling
    oudersverzorgers: list[OsoVerzorger]
    schoolloopbaan: list[OsoSchoolloopbaan]
    onderwijsondersteuning: OsoOndersteuning | None
    opp: OsoOpp | None
    verzuim: OsoVerzuim | None
    toetsresultaten: list[OsoToets]
    bijlagen: list[OsoBijlage]  # every document in the dossier, in document order

    @property
    def brin_vestiging(self) -> str:
        """BRIN + vestigingscode of the huidige school ('00YY00'); '00' when a document lacks the code."""
        return (self.huidigeschool.brincode or "") + (self.huidigeschool.vestigingscode or "00")

    def gegevens(self) -> dict[str, Any]:
        """JSON-serialisable: dates as ISO strings, bijlagen as name/omschrijving/size only."""
        data: dict[str, Any] = _json(self)
        data["brin_vestiging"] = self.brin_vestiging
        data["leerling"]["naam"] = self.leerling.naam
        for verzorger, gegevens in zip(self.oudersverzorgers, data["oudersverzorgers"], strict=True):
            gegevens.update(naam=verzorger.naam, relatie=verzorger.relatie)
        return data


def _json(value: Any) -> Any:
    if isinstance(value, OsoBijlage):
        return value.samenvatting()
    if is_dataclass(value) and not isinstance(value, type):
        return {f.name: _json(getattr(value, f.name)) for f in fields(value)}
    if isinstance(value, list):
        return [_json(v) for v in value]
    if isinstance(value, dict):
        return {k: _json(v) for k, v in value.items()}
    return value.isoformat() if isinstance(value, date) else value


# --- reading the tree ------------------------------------------------------------------------


def verwijder_persoonsnummers(root: etree._Element) -> None:
    """Remove BSN, onderwijsnummer, sofinummer and bank numbers before anything reads the tree."""
    for element in [e for e in root.iter() if isinstance(e.tag, str) and naam(e) in PERSOONSNUMMERS]:
        parent = element.getparent()
        if parent is not None:
            parent.remove(element)


def naam(element: etree._Element) -> str:
    tag = element.tag
    return tag.rpartition("}")[2] if isinstance(tag, str) else etree.QName(element).localname


def pad(element: etree._Element) -> str:
    """'huidigeschool/leerling/geboortedatum': where an element is, without namespaces."""
    names = [naam(e) for e in reversed(list(element.iterancestors()))] + [naam(element)]
    return "/".join(names[1:]) or names[0]


def kind(element: etree._Element | None, pad_: str) -> etree._Element | None:
    return None if element is None else element.find("/".join(_NS + p for p in pad_.split("/")))


def alle(element: etree._Element | None, pad_: str) -> list[etree._Element]:
    return [] if element is None else element.findall("/".join(_NS + p for p in pad_.split("/")))


def tekst(element: etree._Element | None, pad_: str) -> str | None:
    found = kind(element, pad_)
    return ((found.text or "").strip() or None) if found is not None else None


def teksten(element: etree._Element | None, pad_: str) -> list[str]:
    return [(e.text or "").strip() for e in alle(element, pad_) if (e.text or "").strip()]


def datum(element: etree._Element | None, pad_: str) -> date | None:
    value = tekst(element, pad_)
    if value is None:
        return None
    try:
        return date.fromisoformat(value[:10])  # an xs:date may carry a time zone: 2016-01-02Z
    except ValueError:
        found = kind(element, pad_)
        veld = pad(found) if found is not None else pad_
        raise OsoFout(f"Ongeldige datum '{value}' in {veld} (verwacht JJJJ-MM-DD).", veld) from None


def waar(element: etree._Element | None, pad_: str) -> bool | None:
    value = tekst(element, pad_)
    return None if value is None else value.lower() in ("true", "1")


def getal(element: etree._Element | None, pad_: str) -> int | None:
    value = tekst(element, pad_)
    try:
        return None if value is None else int(value)
    except ValueError:
        raise OsoFout(f"Ongeldig getal '{value}' in {pad_}.", pad_) from None


_LEZERS: dict[Any, Callable[[etree._Element | None, str], Any]] = {
    str | None: tekst, date | None: datum, bool | None: waar, int | None: getal,
}  # fmt: skip


@functools.cache
def _lezers(soort: type) -> tuple[tuple[str, Callable[[etree._Element | None, str], Any]], ...]:
    hints = typing.get_type_hints(soort)
    return tuple((f.name, _LEZERS[hints[f.name]]) for f in fields(soort) if hints[f.name] in _LEZERS)


def velden(element: etree._Element | None, soort: type, **xml_namen: str) -> dict[str, Any]:
    """The text, date, boolean and number fields of dataclass ``soort``, read from same-named children."""
    return {veld: lees(element, xml_namen.get(veld, veld)) for veld, lees in _lezers(soort)}


def bijlage(document: etree._Element, onderdeel: str) -> OsoBijlage:
    bestandsnaam = tekst(document, "bestandsnaam") or "naamloos"
    try:
        inhoud = base64.b64decode("".join((tekst(document, "bestandsinhoud") or "").split()), validate=True)
    except (binascii.Error, ValueError):
        veld = pad(document) + "/bestandsinhoud"
        raise OsoFout(f"De inhoud van bijlage '{bestandsnaam}' is geen geldige base64.", veld) from None
    return OsoBijlage(bestandsnaam, tekst(document, "omschrijving"), inhoud, onderdeel)


def overig(element: etree._Element, bijlagen: list[OsoBijlage], onderdeel: str) -> Any:
    """Any subtree as plain values: a leaf is its text, repeated children become a list."""
    if naam(element) == "document":
        bijlagen.append(bijlage(element, onderdeel))
        return bijlagen[-1].samenvatting()
    children = [c for c in element if isinstance(c.tag, str)]
    if not children:
        value, omschrijving = (element.text or "").strip(), element.get("omschrijving")
        return f"{omschrijving} ({value})" if omschrijving and value else (omschrijving or value)
    return overige(element, frozenset(), bijlagen, onderdeel)


def overige(
    element: etree._Element, benoemd: frozenset[str], bijlagen: list[OsoBijlage], onderdeel: str
) -> dict[str, Any]:
    """The children not in ``benoemd`` as plain values; repeated children become a list."""
    result: dict[str, Any] = {}
    herhaald: set[str] = set()  # keys whose value is a list this function built (appended to: linear)
    for child in (c for c in element if isinstance(c.tag, str) and naam(c) not in benoemd):
        key, value = naam(child), overig(child, bijlagen, onderdeel)
        if key in herhaald:
            result[key].append(value)
        elif key in result:
            result[key] = [result[key], value]
            herhaald.add(key)
        else:
            result[key] = value
    return result


def documenten(
    element: etree._Element | None, pad_: str, onderdeel: str, bijlagen: list[OsoBijlage]
) -> list[OsoBijlage]:
    found = [bijlage(d, onderdeel) for d in alle(element, pad_)]
    bijlagen.extend(found)
    return found


def verplicht(element: etree._Element, pad_: str) -> etree._Element:
    found = kind(element, pad_)
    if found is None:
        raise OsoFout(f"Het OSO-dossier mist het verplichte onderdeel '{pad_}'.", pad_)
    return found
