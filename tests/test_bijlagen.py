"""Bijlagen (domain.md §2, verification S12): the upload corpus, storage, serving, scope, removal, audit.

Every file is made here: a tiny PDF, Office documents built with zipfile and a minimal OLE2
writer, programs renamed to .pdf, HTML and SVG, a zip bomb dressed as DOCX, and 10 MB + 1 byte.
"""

from __future__ import annotations

import hashlib
import html
import io
import re
import struct
import zipfile
from pathlib import Path
from urllib.parse import quote

import pytest
import sqlalchemy as sa
from flask import Flask
from flask.testing import FlaskClient

from models import AuditEntry, Bijlage, Dossier, Hulpvraag, HumanTask, Statuswijziging, db, utcnow
from tests.browser import live_server, login, page  # noqa: F401 - fixtures for the Chromium test
from tests.conftest import csrf_token, submit_form
from web.seed import DemoWorld
from workflow import bestandstype, bijlagen, retention
from workflow.bijlagen import BijlageGeweigerd, naamadvies, schone_naam, voeg_toe
from workflow.engine.runtime import complete_task
from workflow.hulpvragen import create_hulpvraag

TOEGESTAAN = "Toegestaan zijn: PDF, Word (DOC, DOCX), Excel (XLS, XLSX), OpenDocument-tekst (ODT), platte tekst (TXT), PNG en JPG."
KEY = re.compile(r"^[A-Za-z0-9_-]{43}$")


# --- the corpus ---------------------------------------------------------------------------
def pdf(text: str = "Hallo") -> bytes:
    """A one-page PDF with a correct cross-reference table."""
    stream = f"BT /F1 24 Tf 20 100 Td ({text}) Tj ET".encode()
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 200 200] /Contents 4 0 R"
        b" /Resources << /Font << /F1 5 0 R >> >> >>",
        b"<< /Length %d >>\nstream\n" % len(stream) + stream + b"\nendstream",
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
    ]
    out, offsets = b"%PDF-1.4\n", []
    for number, body in enumerate(objects, 1):
        offsets.append(len(out))
        out += b"%d 0 obj\n" % number + body + b"\nendobj\n"
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    out += b"".join(b"%010d 00000 n \n" % offset for offset in offsets)
    return out + b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (len(objects) + 1, xref)


def office_zip(members: dict[str, bytes]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in members.items():
            archive.writestr(name, data)
    return buffer.getvalue()


CONTENT_TYPES = b'<?xml version="1.0"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"/>'


def docx() -> bytes:
    return office_zip({"[Content_Types].xml": CONTENT_TYPES, "_rels/.rels": b"<Relationships/>",
                       "word/document.xml": b"<w:document><w:body><w:p>OPP</w:p></w:body></w:document>"})  # fmt: skip


def xlsx() -> bytes:
    return office_zip({"[Content_Types].xml": CONTENT_TYPES, "xl/workbook.xml": b"<workbook/>"})


def odt() -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("mimetype", b"application/vnd.oasis.opendocument.text", zipfile.ZIP_STORED)
        archive.writestr("content.xml", b"<office:document-content/>", zipfile.ZIP_DEFLATED)
    return buffer.getvalue()


def ole2(*names: str) -> bytes:
    """A minimal compound file (Office 97-2003): header, one FAT sector, one directory sector."""
    free, end, fat_sector = 0xFFFFFFFF, 0xFFFFFFFE, 0xFFFFFFFD
    header = bestandstype.OLE2 + bytes(16) + struct.pack("<HHHHH", 0x3E, 3, 0xFFFE, 9, 6) + bytes(6)
    header += struct.pack("<IIIIIIIII", 0, 1, 1, 0, 4096, end, 0, end, 0)
    header += struct.pack("<109I", 0, *([free] * 108))
    fat = struct.pack("<128I", fat_sector, end, *([free] * 126))

    def entry(name: str, kind: int, right: int, child: int) -> bytes:
        encoded = name.encode("utf-16-le") + b"\0\0"
        return (encoded.ljust(64, b"\0") + struct.pack("<HBBIII", len(encoded), kind, 1, free, right, child)
                + bytes(36) + struct.pack("<IQ", end, 0))  # fmt: skip

    entries = [entry("Root Entry", 5, free, 1 if names else free)]
    entries += [entry(name, 2, i + 2 if i + 1 < len(names) else free, free) for i, name in enumerate(names)]
    directory = b"".join(entries).ljust(512, b"\0")
    assert len(header) == 512 and len(entries) <= 4
    return header + fat + directory


PNG = b"\x89PNG\r\n\x1a\n" + bytes.fromhex(
    "0000000d49484452000000010000000108060000001f15c4890000000d49444154789c6360f8cfc0f01f0005000201"
    "a5c1d5f20000000049454e44ae426082"
)
JPG = b"\xff\xd8\xff\xe0\x00\x10JFIF\x00\x01\x01\x00\x00\x01\x00\x01\x00\x00\xff\xd9"
ELF = b"\x7fELF\x02\x01\x01\x00" + bytes(8) + b"\x02\x00\x3e\x00\x01\x00\x00\x00" + bytes(200)
PE = b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff\x00\x00" + bytes(48) + b"PE\x00\x00" + bytes(200)
HTML = b"<!DOCTYPE html><html><body><script>alert(document.cookie)</script></body></html>"
SVG = b'<?xml version="1.0"?><svg xmlns="http://www.w3.org/2000/svg" onload="alert(1)"><circle r="4"/></svg>'
SVG_BARE = b'<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>'


def zip_bomb() -> bytes:
    """Looks like a DOCX; its document.xml unpacks from ~50 KB to 50 MB."""
    return office_zip({"[Content_Types].xml": CONTENT_TYPES, "word/document.xml": bytes(50 * 1024 * 1024)})


REFUSED = [  # (what, name, content, the message says, the message lists the allowed types)
    ("ELF program renamed .pdf", "verslag.pdf", ELF, "Dit is een programma", True),
    ("Windows program renamed .pdf", "OPP.pdf", PE, "Dit is een programma", True),
    ("HTML", "verslag.html", HTML, "HTML-, XML- en SVG-bestanden worden niet geaccepteerd", True),
    ("HTML renamed .pdf", "verslag.pdf", HTML, "HTML-, XML- en SVG-bestanden worden niet geaccepteerd", True),
    ("SVG named .png", "foto.png", SVG, "HTML-, XML- en SVG-bestanden worden niet geaccepteerd", True),
    ("SVG without declaration named .png", "foto.png", SVG_BARE, "HTML-, XML- en SVG-bestanden", True),
    ("zip bomb dressed as DOCX", "verslag.docx", zip_bomb(), "(een zogenaamde zipbom)", False),
    ("plain zip", "stukken.zip", office_zip({"a.txt": b"a"}), "Zip-bestanden en andere archieven", True),
    ("DOCX with macros", "verslag.docx", office_zip({"[Content_Types].xml": CONTENT_TYPES, "word/document.xml": b"<w/>",
                                                    "word/vbaProject.bin": b"\0"}), "met macro's", False),  # fmt: skip
    ("DOC with macros", "verslag.doc", ole2("WordDocument", "Macros"), "met macro's", False),
    ("OLE2 that is neither Word nor Excel", "setup.doc", ole2("SummaryInformation"), "geen Word- of Excelbestand", True),
    ("damaged zip", "verslag.docx", b"PK\x03\x04" + bytes(100), "beschadigd", True),
    ("damaged OLE2", "verslag.doc", bestandstype.OLE2 + bytes(100), "beschadigd", True),
    ("binary noise", "data.pdf", bytes(range(256)) * 4, "niet herkend", True),
    ("empty file", "leeg.pdf", b"", "Het bestand is leeg.", False),
]


# --- helpers ------------------------------------------------------------------------------
@pytest.fixture(autouse=True)
def _storage(app: Flask, tmp_path: Path) -> None:
    """Each test stores its files in a folder of its own (the app's instance folder is the real one)."""
    app.config["BIJLAGEN_DIR"] = str(tmp_path / "bijlagen")


def _hulpvraag(world: DemoWorld) -> Hulpvraag:
    """A voorlopige aanmelding of school A (OBS De Regenboog), made by its IB'er."""
    dossier = Dossier(swv_id=world.swv.id, school_id=world.scholen[0].id, roepnaam="Bijlage", achternaam="Test")
    db.session.add(dossier)
    db.session.flush()
    hulpvraag = create_hulpvraag(dossier, world.users["aanvrager"], titel="TLV -Nieuw", omschrijving="bijlagen")
    db.session.commit()
    return hulpvraag


def _indienen(hulpvraag: Hulpvraag, world: DemoWorld) -> None:
    """Voorlopige aanmelding -> Aanmelding: the school completes its first task."""
    task = db.session.scalars(sa.select(HumanTask).filter_by(hulpvraag_id=hulpvraag.id, completed_at=None)).one()
    complete_task(task.id, world.users["aanvrager"], {"ouders_geinformeerd": "ja"})
    db.session.commit()
    db.session.refresh(hulpvraag)
    assert not hulpvraag.is_voorlopig


def _upload(client: FlaskClient, hulpvraag: Hulpvraag, name: str, content: bytes):  # type: ignore[no-untyped-def]
    """Submit the upload form as rendered on the hulpvraag page, and follow the redirect back."""
    url = f"/hulpvragen/{hulpvraag.id}"
    action = f"/hulpvragen/{hulpvraag.id}/bijlagen"
    data = {"bestand": (io.BytesIO(content), name), "soort": "overig"}
    return submit_form(client, url, data, action=action, follow_redirects=True)


def _text(response) -> str:  # type: ignore[no-untyped-def]
    return html.unescape(response.text)


def _stored(app: Flask) -> list[Path]:
    folder = Path(app.config["BIJLAGEN_DIR"])
    return sorted(folder.iterdir()) if folder.exists() else []


def _rows() -> list[Bijlage]:
    db.session.expire_all()
    return list(db.session.scalars(sa.select(Bijlage).order_by(Bijlage.id)))


def _audit(actie: str) -> list[AuditEntry]:
    return list(db.session.scalars(sa.select(AuditEntry).filter_by(object_type="bijlage", actie=actie)))


# --- valid files --------------------------------------------------------------------------
def test_a_valid_pdf_is_stored_under_a_random_name_with_its_checksum(app, client, world, auth):
    hulpvraag = _hulpvraag(world)
    auth.login("aanvrager")
    content = pdf()

    response = _upload(client, hulpvraag, "OPPondertekening.pdf", content)

    assert response.status_code == 200 and "Bijlage ‘OPPondertekening.pdf’ is toegevoegd." in _text(response)
    [bijlage] = _rows()
    assert (bijlage.naam, bijlage.content_type, bijlage.grootte) == ("OPPondertekening.pdf", "application/pdf", len(content))
    assert bijlage.sha256 == hashlib.sha256(content).hexdigest()
    assert bijlage.uploaded_by_id == world.users["aanvrager"].id and bijlage.hulpvraag_id == hulpvraag.id
    [stored] = _stored(app)
    assert stored.name == bijlage.opslag_sleutel and KEY.match(stored.name)  # random: says nothing about the file
    assert stored.read_bytes() == content
    assert "Tip:" not in _text(response)  # a descriptive name needs no hint
    assert f'href="/bijlagen/{bijlage.id}" target="_blank"' in response.text


@pytest.mark.parametrize(
    ("name", "content", "content_type", "stored_as"),
    [
        ("Verslag OPP.docx", docx(), bestandstype.DOCX.content_type, "Verslag OPP.docx"),
        ("Begroting.xlsx", xlsx(), bestandstype.XLSX.content_type, "Begroting.xlsx"),
        ("Handelingsplan.odt", odt(), bestandstype.ODT.content_type, "Handelingsplan.odt"),
        ("Onderzoek.doc", ole2("WordDocument", "SummaryInformation"), "application/msword", "Onderzoek.doc"),
        ("Toetsen.xls", ole2("Workbook"), "application/vnd.ms-excel", "Toetsen.xls"),
        ("Notitie.txt", "Gesprek met ouders: één afspraak.\n".encode(), "text/plain; charset=utf-8", "Notitie.txt"),
        ("Oud.txt", "Caf\xe9 \u20ac 5 gesprek\r\n".encode("cp1252"), "text/plain; charset=windows-1252", "Oud.txt"),
        ("Tekening.PNG", PNG, "image/png", "Tekening.png"),
        ("Foto.jpeg", JPG, "image/jpeg", "Foto.jpeg"),
        ("Verslag.docx", pdf(), "application/pdf", "Verslag.pdf"),  # the content decides, the name follows
    ],
)
def test_each_allowed_type_is_recognised_by_its_content(client, world, auth, name, content, content_type, stored_as):
    hulpvraag = _hulpvraag(world)
    auth.login("aanvrager")

    _upload(client, hulpvraag, name, content)

    [bijlage] = _rows()
    assert (bijlage.content_type, bijlage.naam) == (content_type, stored_as)


# --- refused files ------------------------------------------------------------------------
@pytest.mark.parametrize(("what", "name", "content", "message", "lists_allowed"), REFUSED, ids=[r[0] for r in REFUSED])
def test_a_refused_file_gets_a_dutch_message_and_nothing_is_kept(app, client, world, auth, what, name, content,
                                                                 message, lists_allowed):  # fmt: skip
    hulpvraag = _hulpvraag(world)
    auth.login("aanvrager")

    response = _upload(client, hulpvraag, name, content)

    assert response.status_code == 200 and message in _text(response), what
    assert (TOEGESTAAN in _text(response)) is lists_allowed
    assert _rows() == [] and _stored(app) == [] and _audit("aanmaken") == []


def test_a_file_of_10_mb_and_one_byte_is_refused(app, client, world, auth):
    hulpvraag = _hulpvraag(world)
    auth.login("aanvrager")
    limit = app.config["BIJLAGE_MAX_BYTES"]
    assert limit == 10 * 1024 * 1024

    response = _upload(client, hulpvraag, "groot.pdf", b"%PDF-1.4\n" + bytes(limit + 1 - 9))

    assert "Het bestand is groter dan 10 MB en is niet opgeslagen." in _text(response)
    assert _rows() == [] and _stored(app) == []


def test_exactly_10_mb_is_accepted(app, client, world, auth):
    hulpvraag = _hulpvraag(world)
    auth.login("aanvrager")
    limit = app.config["BIJLAGE_MAX_BYTES"]

    _upload(client, hulpvraag, "Groot verslag.pdf", b"%PDF-1.4\n" + bytes(limit - 9))

    [bijlage] = _rows()
    assert bijlage.grootte == limit


class Counting(io.RawIOBase):
    """A request body that counts how much of it the server reads."""

    def __init__(self, data: bytes) -> None:
        self._data = io.BytesIO(data)
        self.read_bytes = 0

    def readable(self) -> bool:
        return True

    def seekable(self) -> bool:  # the test client measures the body; seeking reads nothing
        return True

    def seek(self, offset: int, whence: int = 0) -> int:
        return self._data.seek(offset, whence)

    def tell(self) -> int:
        return self._data.tell()

    def readinto(self, buffer) -> int:  # type: ignore[no-untyped-def, override]
        n = self._data.readinto(buffer)
        self.read_bytes += n
        return n


def _multipart(token: str, content: bytes) -> tuple[bytes, str]:
    boundary = "----kansrijk-test"
    body = (f"--{boundary}\r\nContent-Disposition: form-data; name=\"csrf_token\"\r\n\r\n{token}\r\n"
            f"--{boundary}\r\nContent-Disposition: form-data; name=\"bestand\"; filename=\"groot.pdf\"\r\n"
            "Content-Type: application/pdf\r\n\r\n").encode() + content + f"\r\n--{boundary}--\r\n".encode()  # fmt: skip
    return body, f"multipart/form-data; boundary={boundary}"


def test_an_oversized_request_is_refused_before_its_body_is_read(app, client, world, auth):
    hulpvraag = _hulpvraag(world)
    auth.login("aanvrager")
    token = csrf_token(client.get(f"/hulpvragen/{hulpvraag.id}").text)
    body, content_type = _multipart(token, b"%PDF-1.4\n" + bytes(app.config["MAX_CONTENT_LENGTH"]))
    stream = Counting(body)

    response = client.post(f"/hulpvragen/{hulpvraag.id}/bijlagen", input_stream=stream, content_type=content_type,
                           content_length=len(body))  # fmt: skip

    assert stream.read_bytes == 0  # refused on its Content-Length, before the view ran
    assert response.status_code == 302 and response.headers["Location"].endswith(f"/hulpvragen/{hulpvraag.id}#bijlagen")
    assert "Het bestand is groter dan 10 MB" in _text(client.get(response.headers["Location"]))
    assert _rows() == [] and _stored(app) == []


def test_an_oversized_request_without_length_is_cut_off_at_the_limit(app, client, world, auth):
    hulpvraag = _hulpvraag(world)
    auth.login("aanvrager")
    token = csrf_token(client.get(f"/hulpvragen/{hulpvraag.id}").text)
    body, content_type = _multipart(token, bytes(3 * app.config["MAX_CONTENT_LENGTH"]))
    stream = Counting(body)

    chunked = {"wsgi.input_terminated": True, "HTTP_TRANSFER_ENCODING": "chunked"}  # as a server passes it on
    response = client.post(f"/hulpvragen/{hulpvraag.id}/bijlagen", input_stream=stream, content_type=content_type,
                           environ_overrides=chunked)  # fmt: skip

    assert response.status_code == 302 and response.headers["Location"].endswith("#bijlagen")
    assert 0 < stream.read_bytes <= app.config["MAX_CONTENT_LENGTH"] + 1024 * 1024 < len(body)
    assert _rows() == [] and _stored(app) == []


class Endless(io.RawIOBase):
    """An upload stream of ``size`` zero bytes after a PDF header, counting what is read."""

    def __init__(self, size: int) -> None:
        self.left, self.read_bytes, self.first = size, 0, True

    def readable(self) -> bool:
        return True

    def readinto(self, buffer) -> int:  # type: ignore[no-untyped-def, override]
        n = min(len(buffer), self.left)
        buffer[:n] = (b"%PDF-" + bytes(n))[:n] if self.first else bytes(n)
        self.first, self.left, self.read_bytes = False, self.left - n, self.read_bytes + n
        return n


def test_the_size_is_counted_while_streaming_and_reading_stops_at_the_limit(app, world):
    hulpvraag = _hulpvraag(world)
    stream = Endless(50 * 1024 * 1024)

    with pytest.raises(BijlageGeweigerd, match="groter dan 10 MB"):
        voeg_toe(hulpvraag, stream, "groot.pdf", world.users["aanvrager"])  # type: ignore[arg-type]

    assert stream.read_bytes <= app.config["BIJLAGE_MAX_BYTES"] + 64 * 1024
    assert _stored(app) == []


def test_zip_limits_count_the_unpacked_size_too():
    many = [zipfile.ZipInfo(f"word/part{i}.xml") for i in range(3)]
    for info in many:
        info.file_size, info.compress_size = 40 * 1024 * 1024, 10 * 1024 * 1024  # ratio 4, but 120 MB unpacked
    with pytest.raises(bestandstype.OngeldigBestand, match="zipbom"):
        bestandstype._geen_bom(many)


# --- names --------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("upload_name", "stored"),
    [
        ("../../etc/passwd", "passwd.pdf"),
        ("..\\..\\Windows\\System32\\evil.exe", "evil.pdf"),
        ("C:\\fakepath\\OPP ondertekend.pdf", "OPP ondertekend.pdf"),
        ("Verslag\u202efdp.exe", "Verslagfdp.pdf"),  # a right-to-left override that hides ".exe"
        ("Cafe\u0301-verslag.pdf", "Caf\u00e9-verslag.pdf"),  # NFD becomes NFC
        ("Zorg\u200bplan\x07\n.pdf", "Zorgplan.pdf"),  # zero-width space, bell, newline
        ('Plan <b>"x"?*|:.pdf', "Plan _b__x_____.pdf"),  # not allowed in Windows names
        ("...", "bijlage.pdf"),
        ("", "bijlage.pdf"),
        ("OPP v2.1 definitief", "OPP v2.1 definitief.pdf"),
        ("x" * 300 + ".pdf", "x" * 150 + ".pdf"),
    ],
)
def test_names_are_cleaned_and_keep_an_extension_of_the_detected_type(upload_name, stored):
    assert schone_naam(upload_name, bestandstype.PDF) == stored


def test_odd_names_arrive_clean_and_are_served_in_utf8(client, world, auth):
    hulpvraag = _hulpvraag(world)
    auth.login("aanvrager")

    _upload(client, hulpvraag, "../Cafe\u0301\u202e-verslag.pdf", pdf())

    [bijlage] = _rows()
    assert bijlage.naam == "Caf\u00e9-verslag.pdf"
    disposition = client.get(f"/bijlagen/{bijlage.id}").headers["Content-Disposition"]
    assert disposition == "inline; filename=\"Cafe-verslag.pdf\"; filename*=UTF-8''" + quote("Caf\u00e9-verslag.pdf")


@pytest.mark.parametrize("name", ["scan20230106.pdf", "IMG_1234.jpg", "document(3).pdf", "Document1.docx",
                                  "DSC_0001.JPG", "2023-01-06.pdf", "Naamloos.txt"])  # fmt: skip
def test_a_name_that_says_nothing_gets_a_hint(name):
    advies = naamadvies(name)
    assert advies is not None and "OPPondertekening.pdf" in advies and name in advies


@pytest.mark.parametrize("name", ["OPPondertekening.pdf", "Verslag psychodiagnostisch onderzoek.pdf", "Groeidocument.docx"])
def test_a_descriptive_name_gets_no_hint(name):
    assert naamadvies(name) is None


def test_the_hint_is_shown_after_upload_and_the_file_is_kept(client, world, auth):
    hulpvraag = _hulpvraag(world)
    auth.login("aanvrager")

    response = _upload(client, hulpvraag, "scan20230106.pdf", pdf())

    assert "Tip: geef een bijlage een naam die de inhoud beschrijft, zoals ‘OPPondertekening.pdf’" in _text(response)
    assert [b.naam for b in _rows()] == ["scan20230106.pdf"]


# --- serving ------------------------------------------------------------------------------
SAFE = {"X-Content-Type-Options": "nosniff", "Cache-Control": "no-store"}


@pytest.mark.parametrize(
    ("name", "content", "disposition", "content_type"),
    [
        ("OPP.pdf", pdf(), "inline", "application/pdf"),
        ("Notitie.txt", b"Afspraak: <b>niet vet</b>\n", "inline", "text/plain; charset=utf-8"),
        ("Tekening.png", PNG, "inline", "image/png"),
        ("Foto.jpg", JPG, "inline", "image/jpeg"),
        ("Verslag.docx", docx(), "attachment", bestandstype.DOCX.content_type),
        ("Onderzoek.doc", ole2("WordDocument"), "attachment", "application/msword"),
        ("Begroting.xlsx", xlsx(), "attachment", bestandstype.XLSX.content_type),
    ],
)
def test_files_are_served_inline_or_as_download_with_safe_headers(client, world, auth, name, content, disposition,
                                                                   content_type):  # fmt: skip
    hulpvraag = _hulpvraag(world)
    auth.login("aanvrager")
    _upload(client, hulpvraag, name, content)
    [bijlage] = _rows()

    response = client.get(f"/bijlagen/{bijlage.id}")

    assert response.status_code == 200 and response.data == content
    assert response.headers["Content-Type"] == content_type
    assert response.headers["Content-Disposition"] == f"{disposition}; filename=\"{name}\"; filename*=UTF-8''{quote(name)}"
    assert {key: response.headers[key] for key in SAFE} == SAFE
    csp = response.headers["Content-Security-Policy"]
    for directive in ("sandbox", "default-src 'none'", "object-src 'none'", "base-uri 'none'", "frame-ancestors 'none'"):
        assert directive in csp.split("; ")
    shown = client.get(f"/hulpvragen/{hulpvraag.id}").text
    link = f'href="/bijlagen/{bijlage.id}" target="_blank"' if disposition == "inline" else f'href="/bijlagen/{bijlage.id}" download'
    assert link in shown


def test_the_list_shows_type_size_uploader_and_time(client, world, auth):
    hulpvraag = _hulpvraag(world)
    auth.login("aanvrager")

    shown = _text(_upload(client, hulpvraag, "Verslag OPP.docx", docx()))

    row = re.search(r"<tr>\s*<td[^>]*>.*?Verslag OPP\.docx.*?</tr>", shown, re.S)
    assert row is not None
    assert "Word (DOCX)" in row.group(0) and " KB" in row.group(0) and "Ilse Bakker (IB)" in row.group(0)
    assert re.search(r"\d{2}-\d{2}-\d{4} \d{2}:\d{2}", row.group(0))


def test_the_upload_form_shows_the_limit_and_the_naming_hint(client, world, auth):
    hulpvraag = _hulpvraag(world)
    auth.login("aanvrager")

    shown = _text(client.get(f"/hulpvragen/{hulpvraag.id}"))

    assert f'action="/hulpvragen/{hulpvraag.id}/bijlagen" enctype="multipart/form-data"' in shown
    assert f'accept="{bestandstype.ACCEPT}"' in shown
    assert "Maximaal 10 MB per bestand." in shown and "OPPondertekening.pdf" in shown


# --- scope --------------------------------------------------------------------------------
def _bijlage_on(world: DemoWorld, hulpvraag: Hulpvraag) -> Bijlage:
    bijlage = voeg_toe(hulpvraag, io.BytesIO(pdf()), "OPP.pdf", world.users["aanvrager"])
    db.session.commit()
    return bijlage


def test_another_school_gets_the_same_404_as_for_nothing(app, client, world, auth):
    hulpvraag = _hulpvraag(world)
    bijlage = _bijlage_on(world, hulpvraag)
    auth.login("aanvrager2")

    hidden = client.get(f"/bijlagen/{bijlage.id}")
    missing = client.get(f"/bijlagen/{bijlage.id + 1000}")

    # The same page, apart from the CSRF token of the logout form (it carries a timestamp).
    def zonder_token(response) -> str:  # type: ignore[no-untyped-def]
        return re.sub(r'name="csrf_token" value="[^"]*"', "", response.text)

    assert hidden.status_code == missing.status_code == 404 and zonder_token(hidden) == zonder_token(missing)
    assert _upload_status(client, hulpvraag) == 404
    token = csrf_token(client.get("/taken").text)
    assert client.post(f"/bijlagen/{bijlage.id}/verwijderen", data={"csrf_token": token}).status_code == 404
    assert len(_stored(app)) == 1 and _rows()[0].verwijderd_at is None
    assert _audit("downloaden") == []


def _upload_status(client: FlaskClient, hulpvraag: Hulpvraag) -> int:
    token = csrf_token(client.get("/taken").text)
    data = {"csrf_token": token, "bestand": (io.BytesIO(pdf()), "OPP.pdf"), "soort": "OPP"}
    return client.post(f"/hulpvragen/{hulpvraag.id}/bijlagen", data=data).status_code


def test_swv_staff_see_a_bijlage_only_after_submission(client, world, auth):
    hulpvraag = _hulpvraag(world)
    bijlage = _bijlage_on(world, hulpvraag)
    auth.login("scp")

    assert client.get(f"/bijlagen/{bijlage.id}").status_code == 404  # voorlopige aanmelding: invisible
    assert _upload_status(client, hulpvraag) == 404

    _indienen(hulpvraag, world)

    assert client.get(f"/bijlagen/{bijlage.id}").status_code == 200
    assert f'href="/bijlagen/{bijlage.id}"' in client.get(f"/hulpvragen/{hulpvraag.id}").text
    response = _upload(client, hulpvraag, "Verslag SCP.pdf", pdf())  # the SCP adds one after submission
    assert "Bijlage ‘Verslag SCP.pdf’ is toegevoegd." in _text(response)


@pytest.mark.parametrize(("username", "expected"), [("aanvrager", 302), ("directeur", 302), ("beheerder", 302),
                                                     ("aanvrager2", 404), ("scp", 404), ("scp2", 404),
                                                     ("orthopedagoog", 404), ("procesbeheerder", 404),
                                                     ("extern", 404)])  # fmt: skip
def test_who_may_add_to_a_voorlopige_aanmelding(client, world, auth, username, expected):
    hulpvraag = _hulpvraag(world)
    auth.login(username)

    assert _upload_status(client, hulpvraag) == expected
    assert len(_rows()) == (1 if expected == 302 else 0)


def test_anonymous_is_sent_to_the_login(client, world):
    hulpvraag = _hulpvraag(world)
    bijlage = _bijlage_on(world, hulpvraag)

    response = client.get(f"/bijlagen/{bijlage.id}")

    assert response.status_code == 302 and "/login" in response.headers["Location"]


# --- removal ------------------------------------------------------------------------------
def _remove(client: FlaskClient, hulpvraag: Hulpvraag, bijlage: Bijlage):  # type: ignore[no-untyped-def]
    return submit_form(client, f"/hulpvragen/{hulpvraag.id}", {}, action=f"/bijlagen/{bijlage.id}/verwijderen",
                       follow_redirects=True)  # fmt: skip


def test_the_uploader_removes_while_voorlopig_and_the_list_says_who_and_when(app, client, world, auth):
    hulpvraag = _hulpvraag(world)
    bijlage = _bijlage_on(world, hulpvraag)
    auth.login("aanvrager")
    assert f'action="/bijlagen/{bijlage.id}/verwijderen"' in client.get(f"/hulpvragen/{hulpvraag.id}").text

    shown = _text(_remove(client, hulpvraag, bijlage))

    assert "Bijlage ‘OPP.pdf’ is verwijderd." in shown
    assert re.search(r"verwijderd door Ilse Bakker \(IB\) op \d{2}-\d{2}-\d{4} \d{2}:\d{2}", shown)
    assert f'href="/bijlagen/{bijlage.id}"' not in shown  # greyed, no longer a link
    [row] = _rows()
    assert row.verwijderd_at is not None and row.verwijderd_door_id == world.users["aanvrager"].id
    assert len(_stored(app)) == 1  # soft: the file stays until the retention period ends
    assert client.get(f"/bijlagen/{bijlage.id}").status_code == 404
    assert "al verwijderd" in _text(_remove(client, hulpvraag, bijlage))


def test_after_submission_the_uploader_may_not_remove(client, world, auth):
    hulpvraag = _hulpvraag(world)
    bijlage = _bijlage_on(world, hulpvraag)
    _indienen(hulpvraag, world)
    auth.login("aanvrager")
    assert f'action="/bijlagen/{bijlage.id}/verwijderen"' not in client.get(f"/hulpvragen/{hulpvraag.id}").text

    shown = _text(_remove(client, hulpvraag, bijlage))

    assert "U kunt deze bijlage niet verwijderen" in shown
    assert _rows()[0].verwijderd_at is None


def test_a_colleague_who_did_not_upload_may_not_remove(client, world, auth):
    hulpvraag = _hulpvraag(world)
    bijlage = _bijlage_on(world, hulpvraag)
    auth.login("directeur")

    assert "U kunt deze bijlage niet verwijderen" in _text(_remove(client, hulpvraag, bijlage))
    assert _rows()[0].verwijderd_at is None


def test_a_beheerder_removes_at_any_time(client, world, auth):
    hulpvraag = _hulpvraag(world)
    bijlage = _bijlage_on(world, hulpvraag)
    _indienen(hulpvraag, world)
    auth.login("beheerder")

    shown = _text(_remove(client, hulpvraag, bijlage))

    assert "verwijderd door Bert Hendriks op" in shown
    assert _rows()[0].verwijderd_door_id == world.users["beheerder"].id


# --- audit, rollback, retention -----------------------------------------------------------
def test_upload_download_and_removal_are_in_the_audit_trail(client, world, auth):
    hulpvraag = _hulpvraag(world)
    auth.login("aanvrager")
    _upload(client, hulpvraag, "OPP.pdf", pdf())
    [bijlage] = _rows()
    client.get(f"/bijlagen/{bijlage.id}")
    _remove(client, hulpvraag, bijlage)

    db.session.expire_all()
    entries = db.session.scalars(sa.select(AuditEntry).filter_by(object_type="bijlage").order_by(AuditEntry.id)).all()
    assert [(e.actie, e.object_id, e.dossier_id, e.user_id) for e in entries] == [
        (actie, bijlage.id, hulpvraag.dossier_id, world.users["aanvrager"].id)
        for actie in ("aanmaken", "downloaden", "wijzigen")
    ]
    assert entries[2].detail == "verwijderd" and "OPP" not in entries[0].detail  # a name may hold a pupil's name


def test_a_rolled_back_upload_leaves_no_file(app, world):
    hulpvraag = _hulpvraag(world)
    voeg_toe(hulpvraag, io.BytesIO(pdf()), "OPP.pdf", world.users["aanvrager"])
    assert len(_stored(app)) == 1

    db.session.rollback()

    assert _stored(app) == [] and _rows() == []


def test_retention_deletes_rows_and_files(app, world):
    hulpvraag = _hulpvraag(world)
    for name in ("OPP.pdf", "Verslag.pdf"):
        voeg_toe(hulpvraag, io.BytesIO(pdf(name)), name, world.users["aanvrager"])
    hulpvraag.status = "TLV afgegeven"
    db.session.add(Statuswijziging(hulpvraag_id=hulpvraag.id, van="Aanmelding", naar="TLV afgegeven", reden="test",
                                   created_at=retention.plus_jaren(utcnow(), -8)))  # fmt: skip
    db.session.commit()
    [voorstel] = retention.list_due(utcnow())
    assert len(_stored(app)) == 2

    verslag = retention.execute(voorstel, world.users["beheerder"])
    db.session.commit()

    assert verslag.rijen["bijlagen"] == 2 and verslag.bestanden == 2
    assert _rows() == [] and _stored(app) == []


def test_the_retention_hook_is_registered():
    assert retention._OPRUIMERS["bijlagen"] is bijlagen._ruim_op


# --- in the browser -----------------------------------------------------------------------
@pytest.mark.browser
def test_chromium_shows_a_pdf_inline_under_the_sandbox(page, world):  # noqa: F811
    hulpvraag = _hulpvraag(world)
    login(page, "aanvrager")
    page.goto(f"/hulpvragen/{hulpvraag.id}")
    page.set_input_files("#bestand", files=[{"name": "OPPondertekening.pdf", "mimeType": "application/pdf",
                                             "buffer": pdf("Ondertekend")}])  # fmt: skip
    page.select_option("#soort", "OPP")  # every upload says what the file is (issue 15)
    page.click("form.bijlage-upload button[type=submit]")
    page.wait_for_selector("text=is toegevoegd")

    with page.context.expect_page() as opened:
        page.click("a:has-text('OPPondertekening.pdf')")
    viewer = opened.value
    viewer.wait_for_load_state()
    viewer.wait_for_timeout(500)

    extension = [f for f in viewer.frames if f.url.startswith("chrome-extension://")]
    assert extension, "Chromium's PDF viewer did not load"
    assert extension[0].evaluate("!!document.querySelector('pdf-viewer')")


@pytest.mark.browser
def test_chromium_shows_images_and_text_inline_and_never_runs_markup(page, world):  # noqa: F811
    hulpvraag = _hulpvraag(world)
    png = voeg_toe(hulpvraag, io.BytesIO(PNG), "Tekening.png", world.users["aanvrager"])
    text = voeg_toe(hulpvraag, io.BytesIO(b"Afspraak: <b>niet vet</b> <i>niet schuin</i> &amp;\n"), "Notitie.txt",
                    world.users["aanvrager"])  # fmt: skip
    db.session.commit()
    login(page, "aanvrager")

    page.goto(f"/bijlagen/{png.id}")
    assert page.evaluate("document.images.length === 1 && document.images[0].naturalWidth") == 1

    page.goto(f"/bijlagen/{text.id}")
    assert "<b>niet vet</b> <i>niet schuin</i> &amp;" in page.evaluate("document.body.innerText")
    assert page.evaluate("document.querySelector('b, i') === null")
