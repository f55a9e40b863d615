"""What kind of OSO dossier an LVS sent, and what the parents agreed to: an aanvraag needs an
SWV-dossier of this SWV's sector (codelijst 16 and 29 of the OSO standard); a dossier without parental
inzage or consent is accepted as given and the hulpvraag marked with ``ouderinzage_meldingen``."""

from __future__ import annotations

from typing import Any

from workflow.koppelingen import LvsFout
from workflow.oso_mapping import OsoDossier

# OSO codelijst 16 (soort overstap/dossier) and 29 (soort overdracht), in words for the refusals.
OVERSTAPPEN = {
    "VSPO": "van voorschool naar primair onderwijs", "VSWEC": "van voorschool naar speciaal onderwijs",
    "POPO": "van primair naar primair onderwijs", "POWEC": "van primair naar speciaal onderwijs",
    "POVO": "van primair naar voortgezet onderwijs", "VOVO": "van voortgezet naar voortgezet onderwijs",
    "VOMBO": "van voortgezet onderwijs naar het mbo", "VOHBO": "van voortgezet onderwijs naar het hbo",
    "VOWO": "van voortgezet onderwijs naar het wo", "WECWEC": "van speciaal naar speciaal onderwijs",
    "WECVO": "van speciaal naar voortgezet onderwijs", "WECMBO": "van speciaal onderwijs naar het mbo",
    "WECHBO": "van speciaal onderwijs naar het hbo", "WECWO": "van speciaal onderwijs naar het wo",
    "POSWV": "SWV-dossier primair onderwijs", "VOSWV": "SWV-dossier voortgezet onderwijs", "OVERIG": "overig",
}  # fmt: skip
OVERDRACHTEN = {"overstapdossier": "een overstapdossier", "overdrachtbinnenbrin": "een overdracht binnen de school",
                "swv-dossier": "een SWV-dossier"}  # fmt: skip
SECTOREN = {"PO": "primair onderwijs", "VO": "voortgezet onderwijs"}


def controleer_soort(oso: OsoDossier, swv_code: str) -> None:
    """Only an SWV-dossier of this SWV's sector (POSWV for a PO SWV, VOSWV for VO): an overstapdossier
    (POPO, POVO, VOVO …) or a dossier of the other sector is refused with what it is."""
    soort, overstap = (oso.metadata.overdrachtsoort or "").strip(), (oso.metadata.overstap or "").strip().upper()
    if soort != "swv-dossier":
        wat = OVERDRACHTEN.get(soort, f"soort overdracht '{soort[:40]}'")
        extra = f" ({overstap}: {OVERSTAPPEN[overstap]})" if overstap in OVERSTAPPEN else ""
        raise LvsFout(422, f"Dit OSO-dossier is {wat}{extra}, geen SWV-dossier. Stuur bij een aanvraag het "
                      "SWV-dossier van de leerling (overdrachtsoort swv-dossier).", "oso.overdrachtsoort")  # fmt: skip
    if overstap and overstap not in ("POSWV", "VOSWV"):
        wat = f"een overstapdossier ({overstap}: {OVERSTAPPEN[overstap]})" if overstap in OVERSTAPPEN else (
            f"een dossier met onbekende soort overstap '{overstap[:20]}'")
        raise LvsFout(422, f"Dit OSO-dossier is {wat}, geen SWV-dossier (POSWV of VOSWV).", "oso.metadata.overstap")
    sector = swv_code[:2].upper()
    if overstap and overstap[:2] != sector:
        raise LvsFout(422, f"Dit is een OSO-dossier voor het {SECTOREN[overstap[:2]]} ({overstap}), maar "
                      f"samenwerkingsverband {swv_code} is voor het {SECTOREN.get(sector, sector)}.",
                      "oso.metadata.overstap")  # fmt: skip


def ouderinzage_meldingen(gegevens: dict[str, Any]) -> list[str]:
    """What the OSO dossier says the parents did not do (inzage, consent, agreement), in Dutch; [] when
    nothing is missing. Shown on the hulpvraag and its OSO page, and written into the submission."""
    inzage = gegevens.get("inzage")
    if not inzage:
        return ["Het OSO-dossier zegt niets over inzage of toestemming van de ouders."]
    meldingen = []
    if inzage.get("inzage") is False:
        meldingen.append("De ouders hebben het dossier niet ingezien.")
    elif inzage.get("inzage") is None:
        meldingen.append("Het OSO-dossier zegt niet of de ouders het dossier hebben ingezien.")
    toestemming = (inzage.get("toestemming") or "").lower()
    if toestemming == "nee":
        meldingen.append("De ouders gaven geen toestemming voor overdracht van het dossier.")
    elif toestemming != "ja":
        meldingen.append("Het is niet bekend of de ouders toestemming gaven voor overdracht van het dossier.")
    if (inzage.get("akkoord") or "").lower() == "nee":
        reden = inzage.get("redennietakkoord")
        meldingen.append("De ouders zijn het niet eens met de inhoud" + (f": {reden}." if reden else "."))
    return meldingen
