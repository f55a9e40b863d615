"""Shared by the LVS tests: a registered and activated koppeling, the example OSO dossier, and
an aanvraag body as an LVS sends it."""

from __future__ import annotations

import base64
import re
from pathlib import Path
from typing import Any

import config
from models import Koppeling, db
from web.seed import DemoWorld
from workflow.koppelingen import NieuweKoppeling, activeer, registreer_koppeling

ROOT = Path(__file__).resolve().parent.parent
OSO_DIR = config.OSO_VOORBEELD_DIR  # ../shared/oso beside the checkout, else tests/data/oso
XSD = OSO_DIR / "OSO_gegevensset_2019.1.xsd"
VOORBEELD = OSO_DIR / "Voorbeelddossier_PaO_POSWV_full.xml"
CODE_A = "00YY00-esis-koppeling-test-a"  # school A: OBS De Regenboog, 00YY00 (as in the example dossier)
CODE_B = "01AB00-parnassys-test-b-code"  # school B: CBS De Fontein, 01AB00
PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def oso_xml(**vervang: str) -> bytes:
    """The example dossier, with element texts replaced: ``vervang={"achternaam": "Jansen"}`` (first hit)."""
    xml = VOORBEELD.read_text(encoding="utf-8")
    for element, waarde in vervang.items():
        xml = re.sub(rf"<{element}>[^<]*</{element}>", f"<{element}>{waarde}</{element}>", xml, count=1)
    return xml.encode()


def b64(data: bytes) -> str:
    return base64.b64encode(data).decode()


def aanvraag(referentie: str = "ESIS-0001", oso: bytes | None = None, **extra: Any) -> dict[str, Any]:
    body: dict[str, Any] = {
        "lvs_referentie": referentie,
        "swv_code": "PO2806",
        "korte_omschrijving": "TLV -Nieuw",
        "beschrijving": "Leerling heeft meer ondersteuning nodig dan de school kan bieden.",
        "contactpersoon": {"naam": "Juf Ingrid", "email": "ib@regenboog.example", "telefoon": "010-1234567"},
        "oso_dossier": b64(oso if oso is not None else oso_xml()),
        "bijlagen": [{"bestandsnaam": "Verslag onderzoek.pdf", "inhoud": b64(PDF)}],
    }
    body.update(extra)
    return body


def koppeling(world: DemoWorld, school: int = 0, code: str = CODE_A, *, actief: bool = True,
              callback_url: str = "", lvs_type: str = "esis") -> tuple[Koppeling, str | None]:  # fmt: skip
    """A registered koppeling (activated unless ``actief`` is False); committed."""
    invoer = NieuweKoppeling(world.scholen[school].id, lvs_type, "productie", code, callback_url)
    row, geheim = registreer_koppeling(invoer, world.users["beheerder"])
    db.session.commit()
    if actief:
        activeer(code, "Ingrid de Vries", True)
        db.session.commit()
    return row, geheim


def bearer(code: str = CODE_A) -> dict[str, str]:
    return {"Authorization": f"Bearer {code}"}
