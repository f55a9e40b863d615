"""Varied OSO 2019 SWV-dossiers built from the public example (``../shared/oso/``) with lxml: with and
without parental inzage and consent, PO and VO, overstapdossiers, other pupils (twins), dossiers
without optional sections, and large ones for the bench. Every variant stays valid against the XSD
unless the name says otherwise (``ongeldig``)."""

from __future__ import annotations

import copy
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

from lxml import etree

import config

NS = "http://www.edustandaard.nl/oso_gegevensset/2019/dossier"
VOORBEELD = Path(config.OSO_VOORBEELD_DIR) / "Voorbeelddossier_PaO_POSWV_full.xml"
OPTIONELE_ONDERDELEN = ("inzage", "verzuim", "toetslijst", "onderwijsondersteuning", "verzorger",
                        "overigdocumentlijst", "overstapadvies", "vroegschools", "voorschools", "huisarts",
                        "aansprakelijkeinstelling", "gba", "communicatielijst")  # fmt: skip


def _q(naam: str) -> str:
    return f"{{{NS}}}{naam}"


def _pad(root: etree._Element, pad: str) -> list[etree._Element]:
    return root.findall("/".join(_q(p) for p in pad.split("/")))


@dataclass
class Leerling:
    achternaam: str = "Berg"
    voorvoegsel: str | None = "van de"
    roepnaam: str | None = "Daan"
    voornamen: tuple[str, ...] = ("Björn", "Johannes", "Martinus", "Franciscus")
    geboortedatum: str = "2003-03-17"
    leerlingid: str | None = "LN094837"
    geslacht: str = "2"


@dataclass
class Variant:
    """What to change in the example; every field left at its default keeps the example's value."""

    leerling: Leerling = field(default_factory=Leerling)
    inzage: bool | None = True  # None: no <inzage> element in the <inzage> block
    toestemming: str | None = "Ja"  # Ja, Nee, Onbekend; None leaves it out
    akkoord: str | None = "Nee"
    zonder_inzageblok: bool = False
    overstap: str | None = "POSWV"  # codelijst 16; None leaves it out
    overdrachtsoort: str = "swv-dossier"  # codelijst 29
    sector: str = "PO"  # VO: a VO school (soort VO) and VO school years
    zonder: tuple[str, ...] = ()  # optional sections to leave out (OPTIONELE_ONDERDELEN)
    toetsen_maal: int = 1  # repeat the test results (for size)
    overig_maal: int = 1  # repeat <vroegschools> (a part kept as 'overige gegevens'; for size)
    brincode: str = "00YY"


def dossier(variant: Variant | None = None, **kwargs: object) -> bytes:
    """The example as bytes with ``variant`` (or keyword fields of Variant) applied."""
    v = variant or Variant(**kwargs)  # type: ignore[arg-type]
    root = etree.fromstring(VOORBEELD.read_bytes())
    _metadata(root, v)
    _inzage(root, v)
    _leerling(root, v.leerling)
    if v.sector == "VO":
        _vo(root)
    for onderdeel in v.zonder:
        assert onderdeel in OPTIONELE_ONDERDELEN, onderdeel
        for element in list(root.iter(_q(onderdeel))):
            if onderdeel == "communicatielijst" and element.getparent().tag != _q("leerling"):
                continue
            element.getparent().remove(element)
    if v.toetsen_maal > 1:
        lijst = _pad(root, "huidigeschool/leerling/toetslijst")[0]
        toetsen = list(lijst)
        for _ in range(v.toetsen_maal - 1):
            lijst.extend(copy.deepcopy(t) for t in toetsen)
    if v.overig_maal > 1:
        leerling = _pad(root, "huidigeschool/leerling")[0]
        blokken = leerling.findall(_q("vroegschools"))
        for _ in range(v.overig_maal - 1):
            for blok in blokken:
                blokken[-1].addnext(copy.deepcopy(blok))
    for element in root.iter(_q("brincode")):
        if (element.text or "") == "00YY":
            element.text = v.brincode
    return etree.tostring(root, xml_declaration=True, encoding="UTF-8")


def _zet(parent: etree._Element, naam: str, waarde: str | None, na: Iterable[str] = ()) -> None:
    """Set, add (after the last of ``na`` present) or remove (waarde None) the child ``naam``."""
    element = parent.find(_q(naam))
    if waarde is None:
        if element is not None:
            parent.remove(element)
        return
    if element is None:
        element = etree.Element(_q(naam))
        voorganger = next((parent.find(_q(n)) for n in reversed(list(na)) if parent.find(_q(n)) is not None), None)
        if voorganger is not None:
            voorganger.addnext(element)
        else:
            parent.insert(0, element)
    element.text = waarde


def _metadata(root: etree._Element, v: Variant) -> None:
    meta = root.find(_q("metadata"))
    _zet(meta, "overstap", v.overstap, ("validatieversie", "categorie_uitlevering"))
    root.find(_q("overdrachtsoort")).text = v.overdrachtsoort


def _inzage(root: etree._Element, v: Variant) -> None:
    blok = root.find(_q("inzage"))
    if v.zonder_inzageblok:
        root.remove(blok)
        return
    _zet(blok, "inzage", None if v.inzage is None else str(v.inzage).lower(), ("voorlopigdossier",))
    if not v.inzage:
        _zet(blok, "inzagedatum", None)
    _zet(blok, "akkoord", v.akkoord if v.inzage else None, ("voorlopigdossier", "inzage", "inzagedatum"))
    if not v.inzage or v.akkoord != "Nee":
        _zet(blok, "redennietakkoord", None)
    _zet(blok, "toestemming", v.toestemming, ("voorlopigdossier", "inzage", "inzagedatum", "akkoord",
                                              "redennietakkoord"))  # fmt: skip


def _leerling(root: etree._Element, leerling: Leerling) -> None:
    element = _pad(root, "huidigeschool/leerling")[0]
    for oud in element.findall(_q("voornaam")):
        element.remove(oud)
    for naam in reversed(leerling.voornamen):
        nieuw = etree.Element(_q("voornaam"))
        nieuw.text = naam
        element.insert(0, nieuw)
    voorletters = "".join(f"{n[0]}." for n in leerling.voornamen) or None
    _zet(element, "voorletters-1", voorletters, ("voornaam",))
    _zet(element, "voorvoegsel", leerling.voorvoegsel, ("voornaam", "voorletters-1"))
    element.find(_q("achternaam")).text = leerling.achternaam
    _zet(element, "roepnaam", leerling.roepnaam, ("achternaam",))
    element.find(_q("geboortedatum")).text = leerling.geboortedatum
    element.find(_q("geslacht")).text = leerling.geslacht
    _zet(element, "leerlingid", leerling.leerlingid, ("adresbuitenland", "nationaliteit", "geboorteplaats", "gba",
                                                      "communicatielijst"))  # fmt: skip
    for gba in element.findall(_q("gba")):  # the BRP copy of the name follows the pupil
        element.remove(gba)


def _vo(root: etree._Element) -> None:
    school = root.find(_q("huidigeschool"))
    school.find(_q("soort")).text = "VO"
    school.find(_q("type")).text = "VMBO"
    for i, rij in enumerate(_pad(root, "huidigeschool/leerling/schoolloopbaanlijst/schoolloopbaan")):
        rij.find(_q("groepscode")).text = f"{1 + i % 4}V"
        rij.find(_q("jaargroep")).text = str(1 + i % 4)
        rij.find(_q("schoolsoort")).text = "VO"
        rij.find(_q("schooltype")).text = "VMBO"


def opt_out(**kwargs: object) -> bytes:
    """Parents saw nothing and gave no consent (the OSO 'opt-out' variant)."""
    return dossier(Variant(inzage=False, toestemming="Nee", **kwargs))  # type: ignore[arg-type]


def varianten() -> dict[str, bytes]:
    """Named, XSD-valid SWV-dossiers the link must accept (for a PO SWV: sector PO)."""
    tweeling = Leerling(roepnaam="Noor", voornamen=("Noor", "Maria"), geslacht="1", leerlingid="LN094838")
    return {
        "volledig": dossier(),
        "opt_out": opt_out(),
        "inzage_false": dossier(inzage=False, toestemming="Ja"),
        "inzage_onbekend": dossier(inzage=None, toestemming="Onbekend"),
        "zonder_inzageblok": dossier(zonder_inzageblok=True),
        "akkoord_ja": dossier(akkoord="Ja"),
        "minimaal": dossier(zonder=OPTIONELE_ONDERDELEN[1:]),
        "zonder_leerlingid": dossier(leerling=Leerling(leerlingid=None)),
        "zonder_roepnaam": dossier(leerling=Leerling(roepnaam=None, voorvoegsel=None, achternaam="Yılmaz")),
        "tweeling": dossier(leerling=tweeling),
        "zonder_overstap": dossier(overstap=None),
    }


def van_omvang(doel: int) -> bytes:
    """A valid dossier of about ``doel`` bytes (at most), grown by repeated test results and 'overige' parts."""
    basis = len(dossier(zonder=("overigdocumentlijst",)))
    per_toets = len(dossier(zonder=("overigdocumentlijst",), toetsen_maal=2)) - basis
    per_overig = len(dossier(zonder=("overigdocumentlijst",), overig_maal=2)) - basis
    ruimte = max(doel - basis, 0)
    toetsen = ruimte // 2 // per_toets
    overig = (ruimte - toetsen * per_toets) // per_overig
    return dossier(zonder=("overigdocumentlijst",), toetsen_maal=1 + toetsen, overig_maal=1 + overig)


def stuk(root_xml: bytes, pad: str) -> bytes:
    """``root_xml`` with the element at ``pad`` (below <dossier>) removed: an invalid variant."""
    root = etree.fromstring(root_xml)
    for element in _pad(root, pad):
        element.getparent().remove(element)
    return etree.tostring(root, xml_declaration=True, encoding="UTF-8")
