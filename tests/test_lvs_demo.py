"""`flask lvs-demo` plays an LVS against a live server: activate, send, re-send, read back."""

from __future__ import annotations

import threading

import pytest
import sqlalchemy as sa
from waitress import create_server

from models import Bijlage, Hulpvraag, db
from tests import lvs_support
from web.lvs_demo import demo_pdf


@pytest.fixture
def live_server(app):  # type: ignore[no-untyped-def]
    pad = lvs_support.XSD
    assert pad.exists(), f"the OSO schema is missing: {pad}"
    app.config["OSO_XSD_PATH"] = str(pad)
    server = create_server(app, host="127.0.0.1", port=0, threads=4)
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.effective_port}"
    server.close()


def test_lvs_demo_sends_and_resends_the_example_dossier_to_a_running_app(app, world, live_server):
    result = app.test_cli_runner().invoke(args=["lvs-demo", "--url", live_server])
    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    for wat in ("Activeren", "Aanvraag versturen", "Aanvraag opnieuw versturen"):
        assert [line.split(": ", 1)[1].split(" (")[0] for line in lines if line.startswith(f"{wat}:")] == [
            "Opgeslagen", "Wordt verzonden", "Verzonden"], result.output
    assert "Status teruggelezen: Aanmelding (in het LVS: Nieuw)" in result.output
    assert "hetzelfde aanvraagnummer" in result.output
    assert db.session.scalar(sa.select(Bijlage.id).where(Bijlage.naam == "Demo-verslag.pdf")) is not None

    # the opt-out dossier of a second pupil, Dossier incompleet from the SCP, and the re-send
    for wat in ("Opt-out-dossier versturen", "Opnieuw versturen na Dossier incompleet"):
        assert [line.split(": ", 1)[1].split(" (")[0] for line in lines if line.startswith(f"{wat}:")] == [
            "Opgeslagen", "Wordt verzonden", "Verzonden"], result.output
    assert "Op de hulpvraag: De ouders gaven geen toestemming voor overdracht van het dossier." in result.output
    assert any(line.startswith("SCP ") and "Dossier incompleet" in line for line in lines), result.output
    laatste = [line for line in lines if line.startswith("Opnieuw versturen na Dossier incompleet: Verzonden")]
    assert laatste and "status Aanmelding" in laatste[0]
    assert db.session.scalar(sa.select(sa.func.count(Hulpvraag.id))) == 2
    opt_out = db.session.scalars(sa.select(Hulpvraag).order_by(Hulpvraag.id.desc())).first()
    assert [w.naar.split(" ")[0] for w in opt_out.statuswijzigingen][-2:] == ["Dossier", "Aanmelding"]

    again = app.test_cli_runner().invoke(args=["lvs-demo", "--url", live_server])
    assert again.exit_code == 0 and db.session.scalar(sa.select(sa.func.count(Hulpvraag.id))) == 2


def test_lvs_demo_reports_fout_when_the_app_is_not_running(app, world):
    result = app.test_cli_runner().invoke(args=["lvs-demo", "--url", "http://127.0.0.1:9"])
    assert result.exit_code == 1 and "Activeren: Fout" in result.output and "niet bereikbaar" in result.output


def test_the_demo_pdf_is_accepted_as_a_pdf():
    from io import BytesIO

    from workflow.bestandstype import herken

    assert herken(BytesIO(demo_pdf())).content_type == "application/pdf"
