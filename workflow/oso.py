"""The OSO SWV-dossier an LVS sends with an aanvraag: read it safely, then fill a leerling dossier.

``lees_oso`` refuses what can be used against an XML parser (DOCTYPE, entities, huge or deeply
nested documents) before lxml builds a tree, and removes BSN, onderwijsnummer and bank numbers
before anything reads it. ``pas_toe`` (workflow/oso_toepassen.py) writes it into the leerling's
Dossier, Adres and Schoolgegevens rows. The dataclasses and tree helpers are in workflow/oso_mapping.py.
"""

from __future__ import annotations

import functools
import io
import re
from pathlib import Path
from typing import Any

from lxml import etree

from workflow.oso_mapping import (
    NAMESPACE,
    OsoAdres,
    OsoArrangement,
    OsoBijlage,
    OsoCommunicatie,
    OsoDiagnose,
    OsoDossier,
    OsoFout,
    OsoHandelingsplan,
    OsoInzage,
    OsoLeerling,
    OsoMetadata,
    OsoOndersteuning,
    OsoOpp,
    OsoReferentiescore,
    OsoResultaat,
    OsoSchool,
    OsoSchoolloopbaan,
    OsoTlv,
    OsoToets,
    OsoToetsonderdeel,
    OsoVerzorger,
    OsoVerzuim,
    alle,
    documenten,
    kind,
    overig,
    overige,
    pad,
    tekst,
    teksten,
    velden,
    verplicht,
    verwijder_persoonsnummers,
)

__all__ = [
    "OsoAdres", "OsoArrangement", "OsoBijlage", "OsoCommunicatie", "OsoDiagnose", "OsoDossier", "OsoFout",
    "OsoHandelingsplan", "OsoInzage", "OsoLeerling", "OsoMetadata", "OsoOndersteuning", "OsoOpp",
    "OsoReferentiescore", "OsoResultaat", "OsoSchool", "OsoSchoolloopbaan", "OsoTlv", "OsoToets",
    "OsoToetsonderdeel", "OsoVerzorger", "OsoVerzuim", "lees_oso", "pas_toe",
]  # fmt: skip

MAX_DIEPTE = 50  # the 2019.1 schema nests about 12 deep
_VERBODEN = re.compile(rb"<!\s*(DOCTYPE|ENTITY)", re.IGNORECASE)
_XSD = "{http://www.w3.org/2001/XMLSchema}"


def lees_oso(data: bytes, *, xsd_pad: str | None = None, max_bytes: int = 20_000_000) -> OsoDossier:
    """The OSO-dossier in ``data``; strictly checked against the XSD at ``xsd_pad`` when given."""
    _controleer_bytes(data, max_bytes)
    root = _parse(data)
    if xsd_pad:
        _valideer(root, xsd_pad)
    verwijder_persoonsnummers(root)
    return _dossier(root)


def _controleer_bytes(data: bytes, max_bytes: int) -> None:
    if not isinstance(data, bytes | bytearray):
        raise OsoFout("Het OSO-dossier moet als bytes worden aangeleverd.")
    if len(data) > max_bytes:
        raise OsoFout(f"Het OSO-dossier is te groot ({_omvang(len(data))}; hoogstens {_omvang(max_bytes)}).")
    if data[:2] in (b"\xff\xfe", b"\xfe\xff") or b"\x00" in data[:4]:
        raise OsoFout("Het OSO-dossier moet in UTF-8 zijn gecodeerd.")
    if _VERBODEN.search(data):
        raise OsoFout("Het OSO-dossier bevat een DOCTYPE of entiteiten; dat weigeren we.")


def _omvang(n: int) -> str:
    return f"{n / 1_000_000:.1f} MB".replace(".", ",") if n >= 1_000_000 else f"{max(n // 1000, 1)} kB"


def _parse(data: bytes) -> etree._Element:
    """Build the tree with every dangerous libxml2 feature off, refusing deep nesting as it goes."""
    events = etree.iterparse(
        io.BytesIO(data), events=("start", "end"), resolve_entities=False, no_network=True, load_dtd=False,
        dtd_validation=False, huge_tree=False, remove_comments=True, remove_pis=True,
    )  # fmt: skip
    diepte, root = 0, None
    try:
        for event, element in events:
            diepte += 1 if event == "start" else -1
            if diepte > MAX_DIEPTE:
                raise OsoFout(f"Het OSO-dossier is te diep genest (meer dan {MAX_DIEPTE} niveaus).")
            root = element
    except etree.XMLSyntaxError as exc:
        raise OsoFout(f"Het OSO-dossier is geen geldige XML (regel {exc.lineno}).") from None
    if root is None or root.getroottree().docinfo.doctype:
        raise OsoFout("Het OSO-dossier is geen geldige XML.")
    _controleer_root(root)
    return root


def _controleer_root(root: etree._Element) -> None:
    qname = etree.QName(root)
    if qname.namespace != NAMESPACE or qname.localname != "dossier":
        gevonden = f"<{qname.localname}>" + (
            f" in namespace {qname.namespace}" if qname.namespace else " zonder namespace"
        )
        raise OsoFout(
            f"Dit is geen OSO-dossier (2019): verwacht <dossier> in namespace {NAMESPACE}, gevonden {gevonden}."
        )


# --- XSD ---------------------------------------------------------------------------------------


@functools.lru_cache(maxsize=4)
def _schema(xsd_pad: str) -> etree.XMLSchema:
    """The compiled XSD, once per path. It must be self-contained: no import or include is loaded."""
    parser = etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False)
    tree = etree.parse(xsd_pad, parser)  # noqa: S320 - our own configured file, hardened parser
    if next(tree.iter(f"{_XSD}import", f"{_XSD}include", f"{_XSD}redefine"), None) is not None:
        raise ValueError(f"Het OSO-schema {xsd_pad} verwijst naar andere bestanden; gebruik een zelfstandig schema.")
    return etree.XMLSchema(tree)


def _valideer(root: etree._Element, xsd_pad: str) -> None:
    schema = _schema(str(Path(xsd_pad).resolve()))
    if schema.validate(root):
        return
    fouten = list(schema.error_log)
    regels = [f"regel {f.line}: {_nederlands(f.message)}" for f in fouten[:3]]
    meer = f" (en nog {len(fouten) - 3} fouten)" if len(fouten) > 3 else ""
    veld = _veld(root, fouten[0].path)
    raise OsoFout(f"Het OSO-dossier voldoet niet aan het OSO-schema: {'; '.join(regels)}{meer}.", veld)


_VERTALINGEN = [
    (r"Element '([^']+)': '([^']*)' is not a valid value of the \w+ type '([^']+)'\.",
     r"'\2' is geen geldige waarde voor <\1> (\3)"),
    (r"Element '([^']+)': \[facet '\w+'\] The value '([^']*)' .*", r"'\2' is geen geldige waarde voor <\1>"),
    (r"Element '([^']+)': This element is not expected\. Expected is( one of)? \( (.+) \)\.",
     r"<\1> hoort hier niet; verwacht: \3"),
    (r"Element '([^']+)': This element is not expected\.", r"<\1> hoort hier niet"),
    (r"Element '([^']+)': Missing child element\(s\)\. Expected is( one of)? \( (.+) \)\.",
     r"in <\1> ontbreekt een verplicht onderdeel: \3"),
    (r"Element '([^']+)': No matching global declaration available for the validation root\.",
     r"<\1> komt niet voor in het OSO-schema"),
]  # fmt: skip


def _nederlands(message: str) -> str:
    """libxml2's English schema messages in Dutch (namespaces left out); unknown ones as they are."""
    message = re.sub(r"\{[^}]*\}", "", message).strip()
    for patroon, vertaling in _VERTALINGEN:
        if re.fullmatch(patroon, message):
            return re.sub(patroon, vertaling, message)
    return f"schemafout: {message}"


def _veld(root: etree._Element, xpath: str | None) -> str | None:
    try:
        found = root.getroottree().xpath(xpath) if xpath else []
    except etree.XPathError:
        return None
    return pad(found[0]) if isinstance(found, list) and found and isinstance(found[0], etree._Element) else None


# --- sections ----------------------------------------------------------------------------------


def _dossier(root: etree._Element) -> OsoDossier:
    leerling = verplicht(root, "huidigeschool/leerling")
    steun = kind(leerling, "onderwijsondersteuning")
    bijlagen: list[OsoBijlage] = []
    return OsoDossier(
        metadata=_metadata(root),
        inzage=OsoInzage(**velden(kind(root, "inzage"), OsoInzage)) if kind(root, "inzage") is not None else None,
        huidigeschool=_school(verplicht(root, "huidigeschool")),
        leerling=_leerling(leerling, bijlagen),
        oudersverzorgers=[_verzorger(v) for v in alle(leerling, "verzorger")],
        schoolloopbaan=[
            OsoSchoolloopbaan(**velden(s, OsoSchoolloopbaan))
            for s in alle(leerling, "schoolloopbaanlijst/schoolloopbaan")
        ],
        onderwijsondersteuning=_ondersteuning(steun, bijlagen) if steun is not None else None,
        opp=_opp(kind(steun, "opp"), bijlagen),
        verzuim=_verzuim(kind(leerling, "verzuim"), bijlagen),
        toetsresultaten=[_toets(t, bijlagen) for t in alle(leerling, "toetslijst/toets")],
        bijlagen=bijlagen + documenten(leerling, "overigdocumentlijst/document", "Overige documenten", []),
    )


def _metadata(root: etree._Element) -> OsoMetadata:
    meta = verplicht(root, "metadata")
    categorieen = kind(meta, "categorie_uitlevering")
    return OsoMetadata(
        **{**velden(meta, OsoMetadata), "overdrachtsoort": tekst(root, "overdrachtsoort")},
        categorie_uitlevering=overige(categorieen, frozenset(), [], "") if categorieen is not None else {},
    )


def _adressen(element: etree._Element) -> list[OsoAdres]:
    return [OsoAdres(**{**velden(a, OsoAdres), "land": _land(a)}) for a in alle(element, "adreslijst/adres")]


def _land(adres: etree._Element) -> str | None:
    land = kind(adres, "land")
    return overig(land, [], "") or None if land is not None else None


def _communicatie(element: etree._Element) -> list[OsoCommunicatie]:
    return [OsoCommunicatie(**velden(c, OsoCommunicatie)) for c in alle(element, "communicatielijst/communicatie")]


def _school(element: etree._Element) -> OsoSchool:
    school = OsoSchool(**velden(element, OsoSchool), adressen=_adressen(element), communicatie=_communicatie(element))
    if not school.brincode:
        raise OsoFout("Het OSO-dossier mist de BRIN-code van de huidige school.", "huidigeschool/brincode")
    school.brincode = school.brincode.upper()
    return school


def _persoon(element: etree._Element) -> dict[str, Any]:
    return {"voornamen": teksten(element, "voornaam"), "adressen": _adressen(element),
            "communicatie": _communicatie(element)}  # fmt: skip


# Children of <leerling> with a field or a section of their own; the rest go to ``overige``.
_LEERLING_BENOEMD = frozenset((
    "voornaam", "voorletters-1", "voorvoegsel", "achternaam", "roepnaam", "geslacht", "adresgeheim", "adreslijst",
    "communicatielijst", "geboortedatum", "geboortemaand", "geboorteplaats", "nationaliteit", "leerlingid",
    "onderwijssinds", "startdatumhuidigonderwijs", "datuminschrijving", "datumuitschrijving", "verzorger",
    "schoolloopbaanlijst", "onderwijsondersteuning", "verzuim", "toetslijst", "overigdocumentlijst",
))  # fmt: skip


def _leerling(element: etree._Element, bijlagen: list[OsoBijlage]) -> OsoLeerling:
    verplicht(element, "achternaam")
    if not tekst(element, "achternaam"):
        raise OsoFout("De achternaam van de leerling is leeg in het OSO-dossier.", "huidigeschool/leerling/achternaam")
    return OsoLeerling(
        **velden(element, OsoLeerling, voorletters="voorletters-1"),
        **_persoon(element),
        nationaliteiten=[overig(n, [], "") for n in alle(element, "nationaliteit")],
        overige=overige(element, _LEERLING_BENOEMD, bijlagen, "Leerling"),
    )


def _verzorger(element: etree._Element) -> OsoVerzorger:
    return OsoVerzorger(**velden(element, OsoVerzorger, voorletters="voorletters-1"), **_persoon(element))


_STEUN_BENOEMD = frozenset((
    "toelichting_onderwijsbehoeften", "diagnose", "medicijngebruik", "handelingsplan", "opp", "tlv",
    "arrangement_cluster12", "arrangement_pao",
))  # fmt: skip


def _ondersteuning(element: etree._Element, bijlagen: list[OsoBijlage]) -> OsoOndersteuning:
    return OsoOndersteuning(
        toelichting_onderwijsbehoeften=documenten(
            element, "toelichting_onderwijsbehoeften/document", "Toelichting onderwijsbehoeften", bijlagen
        ),
        diagnoses=[
            OsoDiagnose(
                **velden(d, OsoDiagnose),
                codes=teksten(d, "code"),
                documenten=documenten(d, "document", "Diagnose", bijlagen),
            )  # fmt: skip
            for d in alle(element, "diagnose")
        ],
        medicijngebruik=velden(element, OsoOndersteuning)["medicijngebruik"],
        handelingsplannen=[
            OsoHandelingsplan(
                **velden(h, OsoHandelingsplan), documenten=documenten(h, "document", "Handelingsplan", bijlagen)
            )
            for h in alle(element, "handelingsplan")
        ],
        tlvs=[_tlv(t, bijlagen) for t in alle(element, "tlv")],
        arrangementen=_arrangementen(element),
        overige=overige(element, _STEUN_BENOEMD, bijlagen, "Onderwijsondersteuning"),
    )


def _tlv(element: etree._Element, bijlagen: list[OsoBijlage]) -> OsoTlv:
    namen = {f: f"tlv{f}" for f in ("swvnummer", "categorie", "beschikkingsnummer", "einddatum")}
    return OsoTlv(**velden(element, OsoTlv, ingangsdatum="tlvingangdatum", **namen),
                  documenten=documenten(element, "document", "TLV", bijlagen))  # fmt: skip


def _arrangementen(element: etree._Element) -> list[OsoArrangement]:
    namen = {
        f: f"arrangement_{f}" for f in ("datum", "brin", "vestigingscode", "kenmerk", "beschikkingsnr", "einddatum")
    }
    soorten = (("arrangement_cluster12", "cluster 1/2"), ("arrangement_pao", "passend onderwijs"))
    return [
        OsoArrangement(**{**velden(a, OsoArrangement, **namen), "soort": soort})
        for element_naam, soort in soorten
        for a in alle(element, element_naam)
    ]


def _opp(element: etree._Element | None, bijlagen: list[OsoBijlage]) -> OsoOpp | None:
    if element is None:
        return None
    return OsoOpp(**velden(element, OsoOpp, ingangsdatum="opp_ingangdatum", einddatum="opp_einddatum"),
                  documenten=documenten(element, "document", "OPP", bijlagen))  # fmt: skip


def _verzuim(element: etree._Element | None, bijlagen: list[OsoBijlage]) -> OsoVerzuim | None:
    if element is None:
        return None
    return OsoVerzuim(**velden(element, OsoVerzuim),
                      documenten=documenten(element, "documentLijst/document", "Verzuim", bijlagen))  # fmt: skip


def _resultaat(element: etree._Element | None, bijlagen: list[OsoBijlage]) -> OsoResultaat:
    score = kind(element, "toetsscore")
    return OsoResultaat(
        toetsscore=overige(score, frozenset(), [], "") if score is not None else {},
        referentiescores=[
            OsoReferentiescore(**velden(r, OsoReferentiescore)) for r in alle(element, "referentiescore")
        ],
        documenten=documenten(element, "document", "Toets", bijlagen),
    )


def _toets(element: etree._Element, bijlagen: list[OsoBijlage]) -> OsoToets:
    identificatie, afname = kind(element, "toetsidentificatie"), kind(element, "afname")
    door = kind(afname, "afgenomendoor")
    return OsoToets(
        **{
            **velden(identificatie, OsoToets),
            **_gevuld(velden(afname, OsoToets)),
            **_gevuld(velden(element, OsoToets)),
        },
        afgenomendoor=overige(door, frozenset(), [], "") if door is not None else {},
        resultaat=_resultaat(kind(element, "resultaat"), bijlagen),
        onderdelen=[
            OsoToetsonderdeel(**velden(o, OsoToetsonderdeel), resultaat=_resultaat(kind(o, "resultaat"), bijlagen))
            for o in alle(element, "toetsonderdeel")
        ],
    )


def _gevuld(values: dict[str, object]) -> dict[str, object]:
    return {k: v for k, v in values.items() if v is not None}


from workflow.oso_toepassen import pas_toe  # noqa: E402 - re-exported: the public entry point
