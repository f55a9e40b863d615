"""``flask lvs-demo``: play an LVS against the running app, over HTTP like ESIS would.

It registers (or reuses) a demo koppeling for the example dossier's school in the app's database,
activates it through the API, sends the example OSO dossier with a PDF bijlage, sends it again,
and prints the sender statuses (Opgeslagen → Wordt verzonden → Verzonden, or Fout) and the status
read back. Then it sends an opt-out dossier (another pupil; the parents saw nothing and gave no
consent), plays the SCP who answers "Dossier incompleet", and re-sends: the status goes back to
Aanmelding.
"""

from __future__ import annotations

import base64
import json
import urllib.error
import urllib.request
from pathlib import Path
from typing import Any

import click
import sqlalchemy as sa
from flask import current_app
from flask.cli import with_appcontext
from lxml import etree

import config
from models import Hulpvraag, HumanTask, Koppeling, LvsAanvraag, School, User, UserRol, db
from models.user import Rol
from workflow.engine.runtime import FormInvalid, ProcessFailed, complete_task
from workflow.koppelingen import NieuweKoppeling, code_digest, registreer_koppeling
from workflow.oso_soort import ouderinzage_meldingen

DEMO_CODE = "00YY00-lvs-demo-koppeling"
REFERENTIE = "LVS-DEMO-0001"
REFERENTIE_OPT_OUT = "LVS-DEMO-0002"
VOORBEELD = config.OSO_VOORBEELD_DIR / "Voorbeelddossier_PaO_POSWV_full.xml"


@click.command("lvs-demo")
@click.option("--url", default="http://127.0.0.1:5000", show_default=True, help="Waar de app draait.")
@click.option("--oso", "oso_pad", type=click.Path(exists=True, dir_okay=False, path_type=Path), default=None,
              help="Een OSO-dossier (standaard het voorbeelddossier uit shared/oso).")  # fmt: skip
@with_appcontext
def lvs_demo(url: str, oso_pad: Path | None) -> None:
    """Speel een LVS (ESIS) tegen de draaiende app: activeren, aanvraag versturen, opnieuw versturen, status lezen."""
    _zelfde_sleutel_als_de_server()
    _demo_koppeling()
    basis = url.rstrip("/") + "/api/v1"
    activatie = {"verificatiecode": DEMO_CODE, "naam": "Demo LVS-gebruiker", "toestemming": True}
    if _verstuur("Activeren", f"{basis}/activatie", activatie, bearer=False) is None:
        raise click.exceptions.Exit(1)
    body = _aanvraag((oso_pad or VOORBEELD).read_bytes())
    eerste = _verstuur("Aanvraag versturen", f"{basis}/aanvragen", body)
    tweede = _verstuur("Aanvraag opnieuw versturen", f"{basis}/aanvragen", body)
    if eerste is None or tweede is None:
        raise click.exceptions.Exit(1)
    status = _http("GET", f"{basis}/aanvragen/{eerste['aanvraagnummer']}", None, bearer=True)
    click.echo(f"Status teruggelezen: {status[1].get('status')} (in het LVS: {status[1].get('lvs_status')})")
    zelfde = "hetzelfde" if eerste["aanvraagnummer"] == tweede["aanvraagnummer"] else "een ANDER"
    click.echo(f"Opnieuw versturen gaf {zelfde} aanvraagnummer: {tweede['aanvraagnummer']}")
    if not _opt_out_en_aanvullen(basis, (oso_pad or VOORBEELD).read_bytes()):
        raise click.exceptions.Exit(1)


def _opt_out_en_aanvullen(basis: str, oso: bytes) -> bool:
    """An opt-out dossier of another pupil; the SCP answers Dossier incompleet; the LVS re-sends."""
    body = {**_aanvraag(opt_out(oso)), "lvs_referentie": REFERENTIE_OPT_OUT, "bijlagen": []}
    antwoord = _verstuur("Opt-out-dossier versturen", f"{basis}/aanvragen", body)
    if antwoord is None:
        return False
    hulpvraag = db.session.scalar(sa.select(Hulpvraag).where(Hulpvraag.aanvraagnummer == antwoord["aanvraagnummer"]))
    if hulpvraag is not None:
        query = sa.select(LvsAanvraag.oso_gegevens).where(LvsAanvraag.hulpvraag_id == hulpvraag.id)
        gegevens = db.session.scalar(query)
        for melding in ouderinzage_meldingen(gegevens or {}):
            click.echo(f"  Op de hulpvraag: {melding}")
        taak = db.session.scalars(sa.select(HumanTask).where(
            HumanTask.hulpvraag_id == hulpvraag.id, HumanTask.bpmn_id == "beoordelen",
            HumanTask.completed_at.is_(None))).first()  # fmt: skip
        scp = hulpvraag.school.scp if hulpvraag.school else None
        if taak is not None and scp is not None:
            besluit = {"besluit": "dossier_incompleet", "reden": "Toestemming van de ouders ontbreekt.",
                       "ontbreekt": "Toestemming ouders"}  # fmt: skip
            try:
                complete_task(taak.id, scp, besluit)
            except (FormInvalid, ProcessFailed) as exc:
                db.session.rollback()
                fouten = "; ".join(f"{k}: {v}" for k, v in getattr(exc, "errors", {}).items()) or str(exc)
                click.echo(f"SCP: Dossier incompleet kon niet worden gezet ({fouten})")
                return False
            db.session.commit()
            click.echo(f"SCP {scp.naam}: {hulpvraag.status} (toestemming van de ouders ontbreekt)")
    opnieuw = _verstuur("Opnieuw versturen na Dossier incompleet", f"{basis}/aanvragen", body)
    return opnieuw is not None


def opt_out(oso: bytes) -> bytes:
    """The dossier for another pupil whose parents had no inzage and gave no consent (OSO 'opt-out')."""
    root = etree.fromstring(oso)  # noqa: S320 - our own example file, parsed again by the app's hardened reader
    ns = {"o": root.nsmap.get(None) or ""}
    for pad, waarde in (("o:inzage/o:inzage", "false"), ("o:inzage/o:toestemming", "Nee"),
                        ("o:huidigeschool/o:leerling/o:roepnaam", "Noor"),
                        ("o:huidigeschool/o:leerling/o:leerlingid", "LN-DEMO-0002")):  # fmt: skip
        for element in root.xpath(pad, namespaces=ns):
            element.text = waarde
    for pad in ("o:inzage/o:inzagedatum", "o:inzage/o:akkoord", "o:inzage/o:redennietakkoord"):
        for element in root.xpath(pad, namespaces=ns):
            element.getparent().remove(element)
    return bytes(etree.tostring(root, xml_declaration=True, encoding="UTF-8"))


def _zelfde_sleutel_als_de_server() -> None:
    """`make run` keeps SECRET_KEY in instance/secret_key; the code's digest must use the same key."""
    bestand = Path(current_app.instance_path) / "secret_key"
    if current_app.config["SECRET_KEY"] == config.DEV_SECRET and bestand.exists():
        current_app.config["SECRET_KEY"] = bestand.read_text().strip()


def _demo_koppeling() -> None:
    bestaand = db.session.scalar(sa.select(Koppeling).where(Koppeling.code_digest == code_digest(DEMO_CODE)))
    if bestaand is not None:
        bestaand.actief = True
        db.session.commit()
        return
    school = db.session.scalar(sa.select(School).where(School.brin == "00YY", School.vestigingscode == "00"))
    beheerder = db.session.scalars(sa.select(User).join(UserRol).where(UserRol.rol == Rol.BEHEERDER)).first()
    if school is None or beheerder is None:
        raise click.ClickException("Geen school 00YY00 of beheerder gevonden: draai eerst 'flask seed-demo'.")
    registreer_koppeling(NieuweKoppeling(school.id, "esis", "demo", DEMO_CODE), beheerder)
    db.session.commit()
    click.echo(f"Demo-koppeling geregistreerd voor {school.naam} (verificatiecode {DEMO_CODE}).")


def _aanvraag(oso: bytes) -> dict[str, Any]:
    def b64(data: bytes) -> str:
        return base64.b64encode(data).decode()

    return {
        "lvs_referentie": REFERENTIE, "swv_code": _swv_code(), "korte_omschrijving": "TLV -Nieuw",
        "beschrijving": "Demo-aanvraag vanuit het LVS: de leerling heeft meer ondersteuning nodig.",
        "contactpersoon": {"naam": "Demo IB'er", "email": "ib@demo-lvs.example", "telefoon": "010-0000000"},
        "oso_dossier": b64(oso), "bijlagen": [{"bestandsnaam": "Demo-verslag.pdf", "inhoud": b64(demo_pdf())}],
    }  # fmt: skip


def _swv_code() -> str:
    from models.samenwerkingsverband import Samenwerkingsverband

    return db.session.scalars(sa.select(Samenwerkingsverband.code)).first() or "PO2806"


def _verstuur(wat: str, url: str, body: dict[str, Any], *, bearer: bool = True) -> dict[str, Any] | None:
    click.echo(f"{wat}: Opgeslagen")
    click.echo(f"{wat}: Wordt verzonden")
    code, antwoord = _http("POST", url, body, bearer=bearer)
    if code == 200:
        nummer = antwoord.get("aanvraagnummer")
        extra = f" (aanvraagnummer {nummer}, status {antwoord.get('status')})" if nummer else ""
        click.echo(f"{wat}: Verzonden{extra}")
        return antwoord
    click.echo(f"{wat}: Fout (HTTP {code}): {antwoord.get('message', antwoord)}")
    for veld, meldingen in (antwoord.get("errors") or {}).items():
        click.echo(f"  {veld}: {' '.join(meldingen)}")
    return None


def _http(methode: str, url: str, body: dict[str, Any] | None, *, bearer: bool) -> tuple[int, dict[str, Any]]:
    headers = {"Content-Type": "application/json", "Accept": "application/json"}
    if bearer:
        headers["Authorization"] = f"Bearer {DEMO_CODE}"
    data = json.dumps(body).encode() if body is not None else None
    request = urllib.request.Request(url, data=data, method=methode, headers=headers)  # noqa: S310 - the --url given
    try:
        with urllib.request.urlopen(request, timeout=60) as response:  # noqa: S310
            return response.status, json.loads(response.read() or b"{}")
    except urllib.error.HTTPError as exc:
        try:
            return exc.code, json.loads(exc.read() or b"{}")
        except ValueError:
            return exc.code, {"message": exc.reason}
    except (urllib.error.URLError, OSError) as exc:
        return 0, {"message": f"de app is niet bereikbaar op {url} ({getattr(exc, 'reason', exc)}); draai 'make run'"}


def demo_pdf() -> bytes:
    """A small valid one-page PDF, made here so the demo needs no file."""
    tekst = b"BT /F1 18 Tf 72 720 Td (Demo-bijlage vanuit het LVS) Tj ET"
    objecten = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents 4 0 R "
        b"/Resources << /Font << /F1 5 0 R >> >> >>",
        b"<< /Length %d >>\nstream\n%s\nendstream" % (len(tekst), tekst),
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
    ]
    pdf, posities = bytearray(b"%PDF-1.4\n"), []
    for nummer, inhoud in enumerate(objecten, start=1):
        posities.append(len(pdf))
        pdf += b"%d 0 obj\n%s\nendobj\n" % (nummer, inhoud)
    xref = len(pdf)
    pdf += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objecten) + 1)
    pdf += b"".join(b"%010d 00000 n \n" % p for p in posities)
    pdf += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (len(objecten) + 1, xref)
    return bytes(pdf)
