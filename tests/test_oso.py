"""The OSO SWV-dossier reader: every field of the example lands in place, hostile XML is refused,
BSN and onderwijsnummer never survive, and pas_toe fills a leerling dossier exactly once."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

import pytest
import sqlalchemy as sa
from flask import Flask

import config
from models import Adres, Dossier, Schoolgegevens, db
from web.seed import DemoWorld
from workflow.oso import OsoDossier, OsoFout, lees_oso, pas_toe

OSO = config.OSO_VOORBEELD_DIR  # ../shared/oso beside the checkout, else tests/data/oso
VOORBEELD = OSO / "Voorbeelddossier_PaO_POSWV_full.xml"
XSD = str(OSO / "OSO_gegevensset_2019.1.xsd")
NS = "http://www.edustandaard.nl/oso_gegevensset/2019/dossier"
BSN = "999990019"
IBAN = "NL51RABO0307495248"


@pytest.fixture(scope="module")
def voorbeeld() -> bytes:
    assert VOORBEELD.is_file(), f"the OSO example dossier is missing: {OSO}"
    return VOORBEELD.read_bytes()


@pytest.fixture(scope="module")
def oso(voorbeeld: bytes) -> OsoDossier:
    return lees_oso(voorbeeld)


def met(data: bytes, oud: str, nieuw: str) -> bytes:
    assert oud.encode() in data, oud
    return data.replace(oud.encode(), nieuw.encode(), 1)


def fout(data: bytes, **kwargs: object) -> OsoFout:
    with pytest.raises(OsoFout) as info:
        lees_oso(data, **kwargs)  # type: ignore[arg-type]
    return info.value


# --- the example, field by field -------------------------------------------------------------


def test_metadata_and_inzage(oso: OsoDossier) -> None:
    assert (oso.metadata.pakketnaam, oso.metadata.datum, oso.metadata.standaardversie) == (
        "LeerlingInZicht", date(2016, 1, 2), "2019.1",
    )  # fmt: skip
    assert oso.metadata.overdrachtsoort == "swv-dossier"
    assert oso.metadata.categorie_uitlevering["cat_vombo"] == "VERBODEN"
    assert oso.inzage is not None
    assert (oso.inzage.voorlopigdossier, oso.inzage.inzage, oso.inzage.inzagedatum) == (False, True, date(2016, 3, 31))
    assert (oso.inzage.akkoord, oso.inzage.toestemming) == ("Nee", "Ja")
    assert oso.inzage.redennietakkoord == "Teveel zorggegevens in het dossier"


def test_huidige_school(oso: OsoDossier) -> None:
    school = oso.huidigeschool
    assert (school.naam, school.brincode, school.vestigingscode, school.soort, school.type) == (
        "Testschool", "00YY", "00", "SO", "REC3",
    )  # fmt: skip
    assert oso.brin_vestiging == "00YY00"
    assert [(a.soortadres, a.straat, a.huisnummer, a.postcode, a.plaats) for a in school.adressen] == [
        ("bezoek", "Langestraat", "66a", "1811JJ", "Alkmaar"),
        ("post", "Postbus", "12b", "7603WG", "Almelo"),
    ]
    assert [c.nummer for c in school.communicatie] == ["0701111111", "testschool@kennisnet.nl", "0107890123"]
    assert school.naamdirecteur == "P. de Haan"


def test_leerling(oso: OsoDossier) -> None:
    leerling = oso.leerling
    assert leerling.voornamen == ["Björn", "Johannes", "Martinus", "Franciscus"]
    assert (leerling.roepnaam, leerling.voorvoegsel, leerling.achternaam, leerling.voorletters) == (
        "Daan", "van de", "Berg", "L.J.M.F.",
    )  # fmt: skip
    assert leerling.naam == "Daan van de Berg"
    assert (leerling.geboortedatum, leerling.geslacht, leerling.adresgeheim) == (date(2003, 3, 17), "2", False)
    assert leerling.leerlingid == "LN094837"
    assert (leerling.datuminschrijving, leerling.datumuitschrijving) == (date(2005, 1, 4), date(2016, 7, 31))
    assert [(a.soortadres, a.straat, a.huisnummer, a.postcode, a.plaats) for a in leerling.adressen] == [
        ("bezoek", "Hoofdstraat", "136a", "7311BA", "Apeldoorn"),
        ("post", "Hoogstraat", "34a", "1391BV", "Abcoude"),
        ("gba", "Adelaarslaan", "152b", "7331GJ", "Apeldoorn"),
    ]
    assert leerling.emails == ["leerling@leerling.nl"]  # the one marked geheim is left out
    assert leerling.overige["huisarts"]["achternaam"] == "van Zwieten"
    assert leerling.overige["overstapadvies"]["argumentatie"] == "De leerling werkt hard."
    assert leerling.overige["gba"]["gbageboortedatum"] == "17-03-2003"
    assert len(leerling.overige["vroegschools"]) == 2


def test_oudersverzorgers(oso: OsoDossier) -> None:
    ouders = oso.oudersverzorgers
    assert [(v.naam, v.relatie, v.wettigevertegenwoordiger, v.overleden) for v in ouders] == [
        ("Pieter van de Berg", "Vader", True, None),
        ("Tanja van de Berg", "code 6", True, None),
        ("Wilma de Ruyter", "code 7", False, False),
        ("Paul van de Berg", "code 5", False, True),
        ("Fokke van de Berg", "Voogd", False, True),
    ]
    pieter, tanja = ouders[0], ouders[1]
    assert (pieter.voorletters, pieter.geslacht, pieter.emails) == ("P.J.", "2", ["Berg@werk.nl"])
    assert [(a.straat, a.huisnummer, a.postcode) for a in pieter.adressen] == [("Hofstraat", "117d", "7311KT")]
    assert [(a.straat, a.huisnummer) for a in tanja.adressen] == [("Hofstraat", "52-54b")]
    assert tanja.emails == []  # geheim
    assert ouders[4].overlijdensdatum == date(2017, 5, 1)


def test_schoolloopbaan(oso: OsoDossier) -> None:
    rijen = oso.schoolloopbaan
    assert len(rijen) == 10
    eerste = rijen[0]
    assert (eerste.schooljaar, eerste.groepscode, eerste.groepsnaam, eerste.jaargroep) == (
        "2006-2007", "1a", "instroomklas", "1",
    )  # fmt: skip
    assert (eerste.begindatum, eerste.einddatum, eerste.brin_vestiging) == (date(2007, 3, 17), date(2007, 7, 31), "00YY00")
    assert eerste.schoolsoortomschrijving == "HAVO/VMBO-Th/Gm Lw"
    assert [r.brin_vestiging for r in rijen].count("14AI02") == 1
    assert (rijen[-1].schooljaar, rijen[-1].groepsnaam) == ("2015-2016", "groep 8")


def test_onderwijsondersteuning_opp_en_verzuim(oso: OsoDossier) -> None:
    steun = oso.onderwijsondersteuning
    assert steun is not None
    assert [(d.codes, d.naam, d.datum, d.doorwie, d.instantie) for d in steun.diagnoses] == [
        (["H91.9.s", "H54.2"], "Slechthorend en slechtziend", date(2012, 2, 23), "Mevr. Pieters", "Alfa Ziekenhuis"),
        (["F90.0+"], "ADHD/ADD met medicijnen", date(2006, 3, 12), "Drs. Mathijssen", "Beta Ziekenhuis"),
    ]
    assert [d.bestandsnaam for d in steun.diagnoses[0].documenten] == ["advies mbt zicht.pdf", "advies mbt gehoor.pdf"]
    assert steun.medicijngebruik is True
    assert [(h.startdatum, h.isgerichtop) for h in steun.handelingsplannen] == [(date(2014, 1, 1), "rekenvaardigheid")]
    tlv = steun.tlvs[0]
    assert (tlv.ingangsdatum, tlv.swvnummer, tlv.categorie, tlv.beschikkingsnummer, tlv.einddatum) == (
        date(2016, 4, 4), "PO00YY", "L", "55667788abcd", date(2018, 7, 31),
    )  # fmt: skip
    assert [(a.soort, a.datum, a.brin, a.kenmerk, a.beschikkingsnr) for a in steun.arrangementen] == [
        ("cluster 1/2", date(2015, 1, 28), "00YY", None, None),
        ("passend onderwijs", date(2015, 1, 28), None, "Kenmerk zonder codelijst", "1232342342342"),
    ]
    assert [d.bestandsnaam for d in steun.toelichting_onderwijsbehoeften] == ["Toelichting.pdf"]
    assert oso.opp is not None
    assert (oso.opp.ingangsdatum, oso.opp.einddatum) == (date(2015, 5, 4), date(2016, 5, 4))
    assert [d.bestandsnaam for d in oso.opp.documenten] == ["opp.docx", "evaluatie 1e helft 2018.txt"]
    verzuim = oso.verzuim
    assert verzuim is not None
    assert (verzuim.dagdelengeoorloofd, verzuim.dagdelenongeoorloofd, verzuim.frequentie) == (12, 2, 2)
    assert (verzuim.meerdan25percent, verzuim.contactleerplicht, verzuim.rmcmelding) == (False, True, None)
    assert [d.bestandsnaam for d in verzuim.documenten] == ["verzuimrapport.txt"]


def test_toetsresultaten(oso: OsoDossier) -> None:
    toetsen = oso.toetsresultaten
    assert [t.eldtoetscode for t in toetsen] == ["DREM8", "NIO2004", "RW2006-12-155", "BLZ07-20-138", "WISC3NL2005"]
    drempel = toetsen[0]
    assert (drempel.leergebied, drempel.afnamedatum, drempel.jaargroep, drempel.dl) == (
        "technisch lezen", date(2015, 4, 10), "8", 60,
    )  # fmt: skip
    assert drempel.afgenomendoor == {"naammedewerker": "Mevr. de Graaf", "functie": "leerkracht"}
    assert drempel.resultaat.toetsscore == {"aantalgoed": "15"}
    assert [(r.codereferentiescore, r.waarde) for r in drempel.resultaat.referentiescores] == [
        ("DQ", "87"), ("DLE", "60"), ("AE", "D"),
    ]  # fmt: skip
    assert toetsen[2].toetsversie == "B8-digi S(B)O"
    wisc = toetsen[4]
    assert [(o.eldonderdeelcode, o.resultaat.referentiescores[0].waarde) for o in wisc.onderdelen] == [
        ("WISC3NL2005V", "108"), ("WISC3NL2005P", "125"),
    ]  # fmt: skip
    assert wisc.onderdelen[0].resultaat.toetsscore["betrouwbaarheidsinterval"] == {"bivlaag": "60", "bivhoog": "140"}
    assert wisc.opmerking == "WISC afgenomen omdat verzorgers een IQ-test wilden"


def test_bijlagen_decoded_from_base64(oso: OsoDossier) -> None:
    assert [(b.bestandsnaam, b.onderdeel, len(b.inhoud)) for b in oso.bijlagen] == [
        ("Toelichting.pdf", "Toelichting onderwijsbehoeften", 162),
        ("advies mbt zicht.pdf", "Diagnose", 162),
        ("advies mbt gehoor.pdf", "Diagnose", 162),
        ("HandelingsplanRekenen.pdf", "Handelingsplan", 162),
        ("verzuimrapport.txt", "TLV", 226),
        ("opp.docx", "OPP", 21522),
        ("evaluatie 1e helft 2018.txt", "OPP", 162),
        ("verzuimrapport.txt", "Verzuim", 226),
        ("drem8.jpg", "Toets", 44359),
        ("WISC3NL2005.txt", "Toets", 175),
        ("WISC-III NL Verbaal.txt", "Toets", 199),
        ("WISC-III NL Performaal.txt", "Toets", 208),
        ("groepsplan.txt", "Overige documenten", 183),
        ("diagram.png", "Overige documenten", 5770),
    ]
    assert oso.bijlagen[5].omschrijving == "ontwikkelingsperspectiefplan"
    assert all(b.inhoud.startswith(b"PK\x03\x04") for b in oso.bijlagen)  # OSO sends each file zipped


def test_uitpakken_gives_the_file_inside_the_zip(oso: OsoDossier) -> None:
    opp = next(b for b in oso.bijlagen if b.bestandsnaam == "opp.docx")
    assert len(opp.uitpakken()) == 25036
    with pytest.raises(OsoFout, match="groter dan"):
        opp.uitpakken(max_bytes=1000)
    kapot = oso.bijlagen[0]  # the example's Toelichting.pdf is a truncated ZIP
    with pytest.raises(OsoFout, match="geen leesbaar ZIP-bestand"):
        kapot.uitpakken()


def test_gegevens_is_json_without_file_contents(oso: OsoDossier) -> None:
    gegevens = oso.gegevens()
    text = json.dumps(gegevens)
    assert json.loads(text) == gegevens
    assert gegevens["leerling"]["geboortedatum"] == "2003-03-17"
    assert gegevens["leerling"]["naam"] == "Daan van de Berg"
    assert gegevens["oudersverzorgers"][0]["relatie"] == "Vader"
    assert gegevens["brin_vestiging"] == "00YY00"
    assert gegevens["bijlagen"][5] == {
        "bestandsnaam": "opp.docx", "omschrijving": "ontwikkelingsperspectiefplan", "onderdeel": "OPP", "grootte": 21522,
    }  # fmt: skip
    assert "UEsDB" not in text and "bestandsinhoud" not in text


# --- privacy -----------------------------------------------------------------------------------


def bsn_dossier(voorbeeld: bytes, element: str) -> bytes:
    """The example with a <bsn> or <onderwijsnummer> where the XSD puts it (before <leerlingid>)."""
    return met(voorbeeld, "<leerlingid>", f"<{element}>{BSN}</{element}>\n      <leerlingid>")


@pytest.mark.parametrize("element", ["bsn", "onderwijsnummer"])
def test_bsn_and_onderwijsnummer_never_survive_parsing(voorbeeld: bytes, element: str) -> None:
    data = bsn_dossier(voorbeeld, element)
    oso = lees_oso(data, xsd_pad=XSD)  # the element names are the schema's own

    for text in (repr(oso), json.dumps(oso.gegevens()), repr(oso.leerling.overige)):
        assert BSN not in text and element not in text
        assert IBAN not in text and "iban" not in text  # the example's verzorgers carry an IBAN


# --- hostile and broken input -------------------------------------------------------------------

XXE = f"""<?xml version="1.0"?>
<!DOCTYPE x [<!ENTITY e SYSTEM "file:///etc/passwd">]>
<dossier xmlns="{NS}"><overdrachtsoort>&e;</overdrachtsoort></dossier>"""

LAUGHS = "".join(f'<!ENTITY lol{i} "{f"&lol{i - 1};" * 10}">' for i in range(1, 10))
BILLION_LAUGHS = f"""<?xml version="1.0"?>
<!DOCTYPE lolz [<!ENTITY lol0 "lol">{LAUGHS}]>
<dossier xmlns="{NS}"><overdrachtsoort>&lol9;</overdrachtsoort></dossier>"""

EXTERNE_DTD = f"""<?xml version="1.0"?>
<!DOCTYPE dossier SYSTEM "http://example.invalid/oso.dtd">
<dossier xmlns="{NS}"/>"""

PARAMETER_ENTITEIT = f"""<?xml version="1.0"?>
<!DOCTYPE x [<!ENTITY % p SYSTEM "http://example.invalid/p.dtd"> %p;]>
<dossier xmlns="{NS}"/>"""


@pytest.mark.parametrize("xml", [XXE, BILLION_LAUGHS, EXTERNE_DTD, PARAMETER_ENTITEIT])
def test_doctype_and_entities_are_refused_before_parsing(xml: str) -> None:
    assert fout(xml.encode()).message == "Het OSO-dossier bevat een DOCTYPE of entiteiten; dat weigeren we."


@pytest.mark.parametrize("xml", [XXE, BILLION_LAUGHS, EXTERNE_DTD])
def test_the_parser_itself_expands_nothing_either(xml: str) -> None:
    """Behind the byte check, lxml runs without entities, DTDs or network and refuses a DOCTYPE."""
    from workflow.oso import _parse

    with pytest.raises(OsoFout, match="geen geldige XML"):
        _parse(xml.encode())


def test_too_deep_is_refused(voorbeeld: bytes) -> None:
    diep = met(voorbeeld, "<overdrachtsoort>", "<a>" * 60 + "</a>" * 60 + "<overdrachtsoort>")
    assert "te diep genest" in fout(diep).message


def test_too_big_is_refused(voorbeeld: bytes) -> None:
    assert "te groot" in fout(voorbeeld, max_bytes=100_000).message


@pytest.mark.parametrize(
    "xml",
    [
        '<dossier xmlns="http://www.edustandaard.nl/oso_gegevensset/2018/dossier"/>',
        "<dossier/>",
        f'<leerling xmlns="{NS}"/>',
    ],
)
def test_wrong_root_or_namespace_is_refused(xml: str) -> None:
    assert fout(xml.encode()).message.startswith("Dit is geen OSO-dossier (2019): verwacht <dossier>")


@pytest.mark.parametrize("data", [b"", b"geen xml", b"<dossier><niet-gesloten></dossier>", "\ufeff<a/>".encode("utf-16")])
def test_broken_xml_is_refused_in_dutch(data: bytes) -> None:
    message = fout(data).message
    assert "geen geldige XML" in message or "UTF-8" in message


def test_bad_base64_is_refused(voorbeeld: bytes) -> None:
    kapot = met(voorbeeld, "<bestandsinhoud>UEsDB", "<bestandsinhoud>!!!UEsDB")
    error = fout(kapot)
    assert error.message == "De inhoud van bijlage 'Toelichting.pdf' is geen geldige base64."
    assert error.veld == "huidigeschool/leerling/onderwijsondersteuning/toelichting_onderwijsbehoeften/document/bestandsinhoud"


def test_bad_date_without_schema_names_the_element(voorbeeld: bytes) -> None:
    error = fout(met(voorbeeld, "<geboortedatum>2003-03-17", "<geboortedatum>17-03-2003"))
    assert error.message == "Ongeldige datum '17-03-2003' in huidigeschool/leerling/geboortedatum (verwacht JJJJ-MM-DD)."
    assert error.veld == "huidigeschool/leerling/geboortedatum"


def test_missing_school_is_refused() -> None:
    error = fout(f'<dossier xmlns="{NS}"><metadata/><overdrachtsoort>x</overdrachtsoort></dossier>'.encode())
    assert "mist het verplichte onderdeel" in error.message


# --- XSD -----------------------------------------------------------------------------------------


def test_example_validates_against_the_xsd(voorbeeld: bytes) -> None:
    assert lees_oso(voorbeeld, xsd_pad=XSD).leerling.achternaam == "Berg"


def test_schema_errors_in_dutch_with_line_numbers(voorbeeld: bytes) -> None:
    kapot = met(voorbeeld, "<geboortedatum>2003-03-17", "<geboortedatum>2003-02-30")
    regel = kapot[: kapot.index(b"<geboortedatum>")].count(b"\n") + 1
    error = fout(kapot, xsd_pad=XSD)
    assert error.message == (
        f"Het OSO-dossier voldoet niet aan het OSO-schema: regel {regel}: "
        "'2003-02-30' is geen geldige waarde voor <geboortedatum> (xs:date)."
    )
    assert error.veld == "huidigeschool/leerling/geboortedatum"


def test_schema_reports_a_missing_element(voorbeeld: bytes) -> None:
    kapot = met(voorbeeld, "<achternaam>Berg</achternaam>\n      <roepnaam>", "<roepnaam>")
    assert "<roepnaam> hoort hier niet; verwacht: achternaam" in fout(kapot, xsd_pad=XSD).message


def test_schema_is_compiled_once_and_must_be_self_contained(tmp_path: Path) -> None:
    from workflow.oso import _schema

    assert _schema(XSD) is _schema(XSD)
    importerend = tmp_path / "import.xsd"
    importerend.write_text(
        '<xs:schema xmlns:xs="http://www.w3.org/2001/XMLSchema">'
        '<xs:import namespace="urn:x" schemaLocation="http://example.invalid/x.xsd"/></xs:schema>'
    )
    with pytest.raises(ValueError, match="verwijst naar andere bestanden"):
        _schema(str(importerend))


# --- pas_toe -------------------------------------------------------------------------------------


def nieuw_dossier(oso: OsoDossier, world: DemoWorld) -> tuple[Dossier, list[str]]:
    dossier = Dossier(niveau="leerling")
    return dossier, pas_toe(oso, dossier, world.scholen[0])  # OBS De Regenboog is 00YY00


def test_pas_toe_fills_dossier_adressen_and_schoolgegevens(app: Flask, world: DemoWorld, oso: OsoDossier) -> None:
    dossier, wijzigingen = nieuw_dossier(oso, world)

    assert (dossier.roepnaam, dossier.tussenvoegsel, dossier.achternaam) == ("Daan", "van de", "Berg")
    assert (dossier.geboortedatum, dossier.geslacht) == (date(2003, 3, 17), "m")
    assert (dossier.school_id, dossier.swv_id) == (world.scholen[0].id, world.swv.id)
    assert dossier.ouder_emails == ["berg@werk.nl"]  # Tanja's address is geheim; the others are no wettige vertegenwoordiger
    assert [(a.soort, a.straat, a.huisnummer, a.postcode, a.plaats) for a in dossier.adressen] == [
        ("woonadres", "Hoofdstraat", "136a", "7311BA", "Apeldoorn"),
        ("postadres", "Hoogstraat", "34a", "1391BV", "Abcoude"),
        ("woonadres", "Adelaarslaan", "152b", "7331GJ", "Apeldoorn"),
        ("woon- en postadres", "Hofstraat", "117d", "7311KT", "Apeldoorn"),
        ("woon- en postadres", "Hofstraat", "52-54b", "7311KD", "Apeldoorn"),
    ]
    assert dossier.adressen[3].opmerkingen == "Uit OSO-dossier: adres van Pieter van de Berg (Vader)"
    rijen = db.session.scalars(sa.select(Schoolgegevens).filter_by(dossier_id=dossier.id).order_by(Schoolgegevens.van))
    assert [(s.groep, s.van, s.tot) for s in rijen][:2] == [
        ("1", date(2007, 3, 17), date(2007, 7, 31)), ("1", date(2007, 8, 1), date(2008, 7, 31)),
    ]  # fmt: skip
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Schoolgegevens)) == 9  # not the year at 14AI02
    assert wijzigingen[:5] == ["Roepnaam ingevuld", "Tussenvoegsel ingevuld", "Achternaam ingevuld",
                               "Geboortedatum ingevuld", "Geslacht ingevuld"]  # fmt: skip
    assert "Adres toegevoegd (postadres)" in wijzigingen
    assert "Schoolgegevens toegevoegd (groep 5, 2011-2012)" in wijzigingen


def test_pas_toe_twice_changes_nothing(app: Flask, world: DemoWorld, oso: OsoDossier) -> None:
    dossier, _ = nieuw_dossier(oso, world)
    db.session.commit()

    assert pas_toe(oso, dossier, world.scholen[0]) == []
    assert not db.session.dirty and not db.session.new
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Adres)) == 5


def test_pas_toe_updates_and_keeps_what_a_user_typed(app: Flask, world: DemoWorld, voorbeeld: bytes) -> None:
    dossier, _ = nieuw_dossier(lees_oso(voorbeeld), world)
    dossier.adressen.append(Adres(soort="postadres", straat="Kerkweg", huisnummer="1", postcode="3000AA", plaats="Rotterdam"))
    verhuisd = met(voorbeeld, "<straat>Hoogstraat</straat>\n          <nummer>34</nummer>",
                   "<straat>Hoogstraat</straat>\n          <nummer>35</nummer>")  # fmt: skip
    getrouwd = met(verhuisd, "<achternaam>Berg</achternaam>\n      <roepnaam>Daan",
                   "<achternaam>Bergen</achternaam>\n      <roepnaam>Daan")  # fmt: skip

    wijzigingen = pas_toe(lees_oso(getrouwd), dossier, world.scholen[0])

    assert wijzigingen == ["Achternaam gewijzigd", "Adres verwijderd (postadres)", "Adres toegevoegd (postadres)"]
    assert dossier.achternaam == "Bergen"
    assert {a.huisnummer for a in dossier.adressen if a.soort == "postadres"} == {"35a", "1"}


def test_pas_toe_refuses_a_dossier_of_another_school(app: Flask, world: DemoWorld, oso: OsoDossier) -> None:
    dossier = Dossier(niveau="leerling")
    with pytest.raises(OsoFout) as info:
        pas_toe(oso, dossier, world.scholen[1])
    assert info.value.message == (
        "Het OSO-dossier is van school 00YY00, maar de aanvraag is voor school 01AB00 (CBS De Fontein)."
    )
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Dossier)) == 0


def test_no_table_holds_the_bsn_after_pas_toe(app: Flask, world: DemoWorld, voorbeeld: bytes) -> None:
    dossier, _ = nieuw_dossier(lees_oso(bsn_dossier(voorbeeld, "bsn")), world)
    db.session.flush()

    for table in db.metadata.sorted_tables:
        rows = db.session.execute(sa.select(table)).all()
        assert BSN not in repr(rows), table.name
        assert IBAN not in repr(rows), table.name
    assert dossier.id is not None


# --- the template ----------------------------------------------------------------------------


def test_macro_renders_inzage_and_pupil(app: Flask, oso: OsoDossier) -> None:
    template = app.jinja_env.from_string('{% from "oso/_dossier.html" import oso_dossier %}{{ oso_dossier(g) }}')

    html = template.render(g=oso.gegevens())

    for text in ("Inzage door ouders", "Akkoord met de inhoud", "Teveel zorggegevens in het dossier",
                 "Toestemming voor overdracht", "31-03-2016", "Daan van de Berg", "17-03-2003",
                 "Pieter van de Berg", "Schoolloopbaan", "instroomklas", "Slechthorend en slechtziend",
                 "Drempelonderzoek 678 2010 Technisch lezen", "opp.docx", "00YY00"):  # fmt: skip
        assert text in html, text
    assert "<script" not in html and "style=" not in html
    leeg = template.render(g={"leerling": {"naam": "Daan Berg"}})  # an older or partial stored dict
    assert "Het OSO-dossier zegt niets over inzage door ouders." in leeg and "Daan Berg" in leeg
