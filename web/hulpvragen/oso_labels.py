"""Dutch labels and code meanings for the OSO page (issue 16): every element of the OSO 2019 dossier
that the page shows under its own name gets the label the standard's validation uses ("Het veld
'VO advies volgens school'") or a plain Dutch one; a code gets its meaning where the standard's code
list gives one here, else "code X uit OSO-codelijst N (name of the list)". No raw tag names."""

from __future__ import annotations

from typing import Any

from web.hulpvragen.views import bp
from workflow.oso_soort import OVERDRACHTEN, OVERSTAPPEN

LABELS = {
    # metadata and categorie_uitlevering (codelijst 48)
    "deeldossier": "Deeldossier", "pakketnaam": "Pakket", "pakketversie": "Pakketversie", "datum": "Datum",
    "standaardversie": "Versie van de standaard", "validatieversie": "Validatieversie", "overstap": "Soort overstap",
    "overdrachtsoort": "Soort overdracht", "categorie_uitlevering": "Uitgeleverde onderdelen",
    "cat_metadata": "Metadata", "cat_ouderinzage": "Ouderinzage", "cat_school": "School", "cat_leerling": "Leerling",
    "cat_oudersverzorgers": "Ouders/verzorgers", "cat_vve": "VVE (voor- en vroegschoolse educatie)",
    "cat_schoolloopbaan": "Schoolloopbaan", "cat_overstapadvies": "Overstapadvies",
    "cat_onderwijsondersteuning": "Onderwijsondersteuning", "cat_verzuim": "Verzuim",
    "cat_eindtoetsbo": "Eindtoets basisonderwijs", "cat_toetsresultaten": "Toetsresultaten",
    "cat_handelingsplannen": "Handelingsplannen", "cat_cijferlijsten": "Cijferlijsten", "cat_vombo": "VO-MBO",
    "cat_bijlagedocs": "Bijlagedocumenten",
    # leerling: parts without a field of their own
    "gba": "Gegevens volgens de BRP (GBA)", "gbavoornaam": "Voornaam (BRP)", "gbavoorvoegsel": "Voorvoegsel (BRP)",
    "gbaachternaam": "Achternaam (BRP)", "gbageboortedatum": "Geboortedatum (BRP)",
    "adresbuitenland": "Adres in het buitenland", "postcode4adres": "Postcode (4 cijfers)",
    "teruggeplaatstnaarbrin": "Teruggeplaatst naar school (BRIN)", "leerlinggewicht": "Leerlinggewicht",
    "nnca": "NNCA (niet-Nederlandse culturele achtergrond)", "tehuis": "Woont in een tehuis",
    "huisarts": "Huisarts", "verzorgersaansprakelijk": "Verzorgers aansprakelijk",
    "aansprakelijkeinstelling": "Aansprakelijke instelling", "naam": "Naam", "voornaam": "Voornaam",
    "voorletters-1": "Voorletters", "achternaam": "Achternaam", "voorvoegsel": "Voorvoegsel",
    "adreslijst": "Adressen", "adres": "Adres", "communicatielijst": "Contactgegevens", "communicatie": "Contact",
    "soortadres": "Soort adres", "straat": "Straat", "nummer": "Nummer", "toevoeging": "Toevoeging",
    "postcode": "Postcode", "plaats": "Plaats", "gemeente": "Gemeente", "land": "Land", "soort": "Soort",
    "aanduiding": "Aanduiding", "geheim": "Geheim", "noodnummer": "Noodnummer",
    "locatieomschrijving": "Locatieomschrijving",
    # overstapadvies (VO) and VVE
    "overstapadvies": "Overstapadvies", "advies": "VO-advies van de school", "wensouders": "VO-advies volgens ouders",
    "wensleerling": "VO-advies volgens leerling", "herzienadvies": "Herzien VO-advies",
    "motivatie_herzienadvies": "Motivatie herzien advies", "profiel": "Profiel", "argumentatie": "Argumentatie",
    "contactnodig": "Contact nodig", "contactpersoon": "Contactpersoon", "contacttelefoon": "Telefoon contactpersoon",
    "contactemail": "E-mail contactpersoon", "aandachtspunten": "Aandachtspunten",
    "vanpeuterspeelzaal": "Kwam van een peuterspeelzaal", "naampeuterspeelzaal": "Naam peuterspeelzaal",
    "voorschools": "Voorschoolse educatie", "codevoorschoolsehistorie": "Voorschoolse historie",
    "codevoorschoolsprogramma": "Voorschools programma", "voorschoolsemaanden": "Maanden voorschoolse educatie",
    "codevoorschoolsetoeleider": "Voorschoolse toeleider", "codevoorschoolsedeelname": "Voorschoolse deelname",
    "voorschoolseaanwezigheid": "Voorschoolse aanwezigheid", "vroegschools": "Vroegschoolse educatie",
    "codevroegschoolsprogramma": "Vroegschools programma", "vroegschoolsdatumingang": "Vroegschools vanaf",
    "vroegschoolseinddatum": "Vroegschools tot",
    # cijferlijsten, eindtoets, VO-MBO (VO sections)
    "cijferlijstlijst": "Cijferlijsten", "cijferlijst": "Cijferlijst", "cijferlijstTypelijst": "Soorten cijferlijst",
    "afnamedatum": "Afnamedatum", "jaargroep": "Leerjaar/groep", "periode": "Periode", "onderdeel": "Onderdeel",
    "score": "Score", "waarde": "Waarde", "kwalificatie": "Kwalificatie", "rapportcijfer": "Rapportcijfer",
    "vakcode": "Vakcode", "vakleergebied": "Vak of leergebied", "eindtoets": "Eindtoets",
    "eindtoets_basisonderwijs": "Eindtoets basisonderwijs", "eindtoetsresultaat": "Resultaat eindtoets",
    "toetssoort": "Soort eindtoets", "toetsniveau": "Niveau eindtoets", "niveau_eindtoets": "Niveau van de eindtoets",
    "toetstype": "Toetstype", "toetsomschrijving": "Toetsomschrijving", "datum_afname": "Datum afname",
    "datum_vaststelling": "Datum vaststelling", "compleet_scoorbaar": "Compleet scoorbaar",
    "wettelijke_ontheffing": "Wettelijke ontheffing", "standaardscore": "Standaardscore", "toets_advies": "Toetsadvies",
    "toets_opg_aantal": "Aantal opgaven", "toets_opg_goed": "Aantal goed", "toets_opg_goed_omz": "Goed (omgezet)",
    "toets_perc_land": "Percentiel landelijk", "onderdelen": "Onderdelen", "onderdeelcode": "Onderdeelcode",
    "onderdeelomschrijving": "Onderdeel", "ond_referentieniveau": "Referentieniveau onderdeel",
    "domeinen": "Domeinen", "domein": "Domein", "domeincode": "Domeincode", "domeinomschrijving": "Domein",
    "dom_referentieniveau": "Referentieniveau domein", "afn_awbnr": "Afnamenummer", "overigvombo": "Overig VO-MBO",
    "examenresultaat": "Examenresultaat", "examenuitslag": "Examenuitslag", "examenvak": "Examenvak",
    "beoordelingexamenvak": "Beoordeling examenvak", "exameneindcijfer": "Eindcijfer examen",
    "examenjaar": "Examenjaar",
    "soortdiploma": "Soort diploma", "lobdossier": "LOB-dossier", "keuzevervolgopleiding": "Gekozen vervolgopleiding",
    "stage": "Stage", "soortstage": "Soort stage", "werkstuk": "Profielwerkstuk", "werkstuktitel": "Titel werkstuk",
    "werkstukbeoordeling": "Beoordeling werkstuk", "sterkpunt": "Sterk punt",
    "centraleproblematiek": "Centrale problematiek",
    "upw": "UPW (uitstroomprofiel)", "upwleerjaar": "UPW-leerjaar", "upwuitstroomprofiel": "UPW-uitstroomprofiel",
    "upwingangdatum": "UPW vanaf", "upwvoelementcode": "UPW elementcode",
    # onderwijsondersteuning: parts without a field of their own
    "naamib": "Naam intern begeleider", "sbobeschikkingsdatum": "Datum SBO-beschikking", "wsnsnummer": "WSNS-nummer",
    "lgf": "Leerlinggebonden financiering (LGF)", "lgfdatum": "LGF-datum",
    "codelgfonderwijssoort": "LGF onderwijssoort",
    "lgfcvinummer": "LGF CvI-nummer", "lgfindicatierec": "LGF indicatie voor REC", "lgfeinddatum": "LGF einddatum",
    "lgfbrincode": "LGF school (BRIN)", "lwoo": "Leerwegondersteuning (LWOO)", "lwoo_ingangdatum": "LWOO vanaf",
    "lwoo_einddatum": "LWOO tot", "lwoo_beschikkingsnummer": "LWOO-beschikking", "lwoo_swvnummer": "LWOO SWV-nummer",
    "rvc": "Regionale verwijzingscommissie (RVC)", "rvcdatum": "RVC-datum", "rvcindicatie": "RVC-indicatie",
    "verblijf_opdc": "Verblijf in een OPDC", "opdc_ingangdatum": "OPDC vanaf", "opdc_einddatum": "OPDC tot",
    "opdc_brin": "OPDC (BRIN)", "opdc_vestigingscode": "OPDC vestiging", "pgbdatum": "PGB-datum",
    "pgbomvang": "PGB-omvang", "soort_arrangement": "Soort arrangement",
    "ambulantbrincode": "Ambulante begeleiding (BRIN)",
    "ambulantstartdatum": "Ambulante begeleiding vanaf", "ambulantvestigingscode": "Ambulante begeleiding vestiging",
    "begeleiding": "Begeleiding", "soortbegeleiding": "Soort begeleiding",
    "specialebegeleiding": "Speciale begeleiding",
    # toetsresultaten
    "aantalgoed": "Aantal goed", "aantalfout": "Aantal fout", "aantalopgaven": "Aantal opgaven",
    "aantalgelezen": "Aantal gelezen", "vaardigheidsscore": "Vaardigheidsscore",
    "codevaardigheidsschaal": "Vaardigheidsschaal", "betrouwbaarheidsinterval": "Betrouwbaarheidsinterval",
    "bivlaag": "Ondergrens betrouwbaarheidsinterval", "bivhoog": "Bovengrens betrouwbaarheidsinterval",
    "naammedewerker": "Afgenomen door", "functie": "Functie", "instelling": "Instelling",
    "bestandsnaam": "Bestand", "omschrijving": "Omschrijving", "grootte": "Grootte (bytes)",
}  # fmt: skip

# The code lists (numbers and names as the standard's validation names them) of fields shown as codes.
CODELIJSTEN = {
    "advies": (2, "Advies VO"), "wensouders": (2, "Advies VO"), "wensleerling": (2, "Advies VO"),
    "herzienadvies": (2, "Advies VO"), "codelgfonderwijssoort": (3, "LGF onderwijssoort"),
    "codevoorschoolsetoeleider": (6, "Voorschoolse toeleider"), "codevoorschoolsehistorie": (7,
    "Voorschoolse historie"),
    "codevoorschoolsedeelname": (8, "Voorschoolse deelname"), "codevoorschoolsprogramma": (9, "VVE-programma"),
    "codevroegschoolsprogramma": (9, "VVE-programma"), "nnca": (10, "NNCA"), "codereferentiescore": (11,
    "Referentiescore"),
    "domein": (12, "Domeinen"), "jaargroep": (13, "Jaargroepen"), "geslacht": (14, "Geslacht"),
    "leerlinggewicht": (15, "Gewicht"), "overstap": (16, "Soort overstap/dossier"), "rvcindicatie": (17,
    "RVC-indicatie"),
    "soortadres": (19, "Soort adres"), "profiel": (21, "Profiel"), "codevergelijkingsgroep": (22, "Vergelijkingsgroep"),
    "code": (23, "Diagnosecodes"), "overdrachtsoort": (29, "Overdrachtsoort"),
    "tlvcategorie": (31, "TLV-bekostigingscategorie"), "upwuitstroomprofiel": (32, "UPW-uitstroomprofiel"),
    "deeldossier": (33, "Deeldossier"), "upwleerjaar": (34, "UPW-leerjaar"), "examenuitslag": (35, "Examenuitslag"),
    "lgfindicatierec": (38, "LGF-indicatie voor REC"), "soort_arrangement": (39, "Soort arrangement"),
    "niveau_eindtoets": (40, "Niveau van eindtoets"), "relatietotkind": (41, "Relatie tot kind"),
    "toetssoort": (42, "Soort eindtoets"), "toetsniveau": (43, "Niveau eindtoets"),
    "wettelijke_ontheffing": (44, "Wettelijke ontheffing eindtoets"), "ond_referentieniveau": (45, "Referentieniveau"),
    "dom_referentieniveau": (45, "Referentieniveau"),
}  # fmt: skip
_CATEGORIE = {"VERPLICHT": "verplicht, uitgeleverd", "OPTIONEEL": "optioneel", "VERBODEN": "niet uitgeleverd",
              "OPT-UIT": "niet uitgeleverd: de ouders maakten bezwaar (opt-out)"}  # fmt: skip
BETEKENISSEN: dict[str, dict[str, str]] = {
    **{f"cat_{c}": _CATEGORIE for c in ("metadata", "ouderinzage", "school", "leerling", "oudersverzorgers", "vve",
                                        "schoolloopbaan", "overstapadvies", "onderwijsondersteuning", "verzuim",
                                        "eindtoetsbo", "toetsresultaten", "handelingsplannen", "cijferlijsten",
                                        "vombo", "bijlagedocs")},
    "overstap": OVERSTAPPEN, "overdrachtsoort": {k: v.removeprefix("een ") for k, v in OVERDRACHTEN.items()},
    "geslacht": {"0": "onbekend", "1": "vrouw", "2": "man"},
    "relatietotkind": {"1": "vader", "2": "moeder", "3": "voogd"},
    "deeldossier": {"LAS": "leerlingadministratie", "LVS": "leerlingvolgsysteem",
                    "LASLVS": "leerlingadministratie en leerlingvolgsysteem"},
    "soortadres": {"bezoek": "bezoekadres", "post": "postadres", "gba": "adres volgens de BRP"},
    "tlvcategorie": {"H": "hoog", "M": "midden", "L": "laag", "Nvt": "niet van toepassing"},
    "rvcindicatie": {"LWOO": "leerwegondersteunend onderwijs", "PRO": "praktijkonderwijs"},
    "codevergelijkingsgroep": {"BB": "vmbo basisberoepsgerichte leerweg", "BB+": "vmbo basisberoepsgericht (+)",
                               "KB": "vmbo kaderberoepsgerichte leerweg", "GT": "vmbo gemengde/theoretische leerweg",
                               "HAVO": "havo", "VWO": "vwo", "Landelijk": "landelijk"},
    "wettelijke_ontheffing": {"J": "ja", "N": "nee"}, "soort_arrangement": {"Nvt": "niet van toepassing"},
}  # fmt: skip


@bp.app_template_filter("oso_label")
def oso_label(key: str) -> str:
    """The Dutch label of an OSO element name; an unknown one readable (never with its tag syntax)."""
    return LABELS.get(key) or key.replace("_", " ").replace("-1", "").capitalize()


@bp.app_template_global("oso_waarde")
def oso_waarde(key: str, value: Any) -> str:
    """A value with its code's meaning: 'POVO: van primair naar voortgezet onderwijs'; 'Ja/Nee' for booleans."""
    tekst = "" if value is None else str(value)
    if tekst in ("true", "false"):
        return "Ja" if tekst == "true" else "Nee"
    betekenis = BETEKENISSEN.get(key, {}).get(tekst)
    if betekenis:
        return f"{betekenis} ({tekst})"
    if key in CODELIJSTEN and tekst:
        nummer, lijst = CODELIJSTEN[key]
        return f"code {tekst} uit OSO-codelijst {nummer} ({lijst})"
    return tekst or "—"
