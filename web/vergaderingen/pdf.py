"""The agenda and verslag of a vergadering as PDF (fpdf2). It holds exactly what the page shows the
reader: only the agenda items whose hulpvraag they may see (the caller passes those)."""

from __future__ import annotations

from zoneinfo import ZoneInfo

from fpdf import FPDF

from models.vergadering import Agendapunt, Vergadering

AMSTERDAM = ZoneInfo("Europe/Amsterdam")
# fpdf2's built-in Helvetica is Latin-1: typographic characters get their plain equivalent.
_LATIN1 = str.maketrans({"‘": "'", "’": "'", "“": '"', "”": '"', "–": "-", "—": "-", "…": "...", "€": "EUR"})


def _tekst(value: object) -> str:
    return str(value).translate(_LATIN1).encode("latin-1", "replace").decode("latin-1")


def _regel(pdf: FPDF, hoogte: int, tekst: str) -> None:
    """One paragraph, wrapped, then back to the left margin."""
    pdf.multi_cell(0, hoogte, _tekst(tekst), new_x="LMARGIN", new_y="NEXT")


def vergadering_pdf(vergadering: Vergadering, punten: list[Agendapunt], *, verslag: bool) -> bytes:
    pdf = FPDF(format="A4")
    pdf.set_title(f"{'Verslag' if verslag else 'Agenda'} vergadering {vergadering.id}")
    pdf.set_creator("Kansrijk")
    pdf.add_page()
    pdf.set_font("Helvetica", "B", 16)
    kop = "Verslag" if verslag else "Agenda"
    _regel(pdf, 9, f"{kop} {vergadering.soort_label.lower()} {vergadering.datum:%d-%m-%Y}")
    pdf.set_font("Helvetica", "", 10)
    voorzitter = vergadering.voorzitter.naam if vergadering.voorzitter else "-"
    _regel(pdf, 6, f"Voorzitter: {voorzitter}")
    _regel(pdf, 6, "Leden: " + ", ".join(lid.user.naam for lid in vergadering.leden))
    pdf.ln(4)
    if not punten:
        _regel(pdf, 6, "Geen agendapunten.")
    for nummer, punt in enumerate(punten, start=1):
        _punt(pdf, nummer, punt, verslag)
    return bytes(pdf.output())


def _punt(pdf: FPDF, nummer: int, punt: Agendapunt, verslag: bool) -> None:
    h = punt.hulpvraag
    pdf.set_font("Helvetica", "B", 12)
    _regel(pdf, 7, f"{nummer}. Hulpvraag {h.aanvraagnummer}: {h.titel}")
    pdf.set_font("Helvetica", "", 10)
    regels = [("Leerling" if h.dossier.niveau != "school" else "Dossier", h.dossier.naam),
              ("School", h.school.naam), ("Reden", punt.reden)]  # fmt: skip
    if verslag:
        regels += [("Uitkomst", punt.uitkomst or "nog niet besproken")]
        if punt.uitkomst:
            regels += [("Arrangement" if punt.uitkomst == "Gearrangeerd" else "Toelichting", punt.arrangement)]
            wie = punt.vastgelegd_door.naam if punt.vastgelegd_door else "-"
            op = punt.vastgelegd_op.astimezone(AMSTERDAM).strftime("%d-%m-%Y %H:%M") if punt.vastgelegd_op else ""
            regels += [("Vastgelegd", f"{wie} {op}".strip())]
    for label, waarde in regels:
        pdf.set_font("Helvetica", "B", 10)
        pdf.cell(35, 6, _tekst(label))
        pdf.set_font("Helvetica", "", 10)
        _regel(pdf, 6, waarde)
    pdf.ln(3)
