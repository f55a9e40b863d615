"""What an uploaded file really is, judged by its content (magic bytes and inner structure), never by its name.

Allowed: PDF, Word (DOC, DOCX), Excel (XLS, XLSX), OpenDocument-tekst (ODT), plain text, PNG and JPG.
Everything else is refused with a Dutch message that names what is allowed: programs renamed to
``.pdf``, HTML and SVG (which a browser would run), archives, documents with macros, and zip
containers that unpack to far more than they weigh (zip bombs).
"""

from __future__ import annotations

import re
import struct
import zipfile
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import IO


@dataclass(frozen=True)
class Soort:
    label: str
    content_type: str
    extensies: tuple[str, ...]  # the first is the one a cleaned name gets


PDF = Soort("PDF", "application/pdf", ("pdf",))
DOC = Soort("Word (DOC)", "application/msword", ("doc",))
DOCX = Soort("Word (DOCX)", "application/vnd.openxmlformats-officedocument.wordprocessingml.document", ("docx",))
XLS = Soort("Excel (XLS)", "application/vnd.ms-excel", ("xls",))
XLSX = Soort("Excel (XLSX)", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", ("xlsx",))
ODT = Soort("OpenDocument-tekst (ODT)", "application/vnd.oasis.opendocument.text", ("odt",))
TEKST = Soort("Tekst", "text/plain; charset=utf-8", ("txt",))
TEKST_WINDOWS = Soort("Tekst", "text/plain; charset=windows-1252", ("txt",))
PNG = Soort("PNG-afbeelding", "image/png", ("png",))
JPG = Soort("JPG-afbeelding", "image/jpeg", ("jpg", "jpeg"))

SOORTEN = (PDF, DOC, DOCX, XLS, XLSX, ODT, TEKST, TEKST_WINDOWS, PNG, JPG)
TOEGESTAAN = "PDF, Word (DOC, DOCX), Excel (XLS, XLSX), OpenDocument-tekst (ODT), platte tekst (TXT), PNG en JPG"
ACCEPT = ".pdf,.doc,.docx,.xls,.xlsx,.odt,.txt,.png,.jpg,.jpeg"  # the file picker's filter; only a convenience

# Zip containers: limits far above any real document, far below a bomb.
MAX_LEDEN = 2000
MAX_UITGEPAKT = 100 * 1024 * 1024  # all members together, unpacked
MAX_VERHOUDING = 100  # unpacked : packed, for members above VERHOUDING_VANAF
VERHOUDING_VANAF = 1024 * 1024

OLE2 = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
PROGRAMMA = (b"MZ", b"\x7fELF", b"\xcf\xfa\xed\xfe", b"\xce\xfa\xed\xfe", b"\xca\xfe\xba\xbe")  # PE, ELF, Mach-O
ODT_MIMETYPE = b"application/vnd.oasis.opendocument.text"
_STUURTEKENS = re.compile(r"[\x00-\x08\x0b\x0e-\x1f\x7f-\x9f]")  # tab, newlines and form feed are text
_OPMAAK = re.compile(r"<\s*(!doctype|html|svg|script|\?xml|body|iframe)", re.IGNORECASE)


def label(content_type: str) -> str:
    """The Dutch name of a stored content type, for lists."""
    return next((soort.label for soort in SOORTEN if soort.content_type == content_type), content_type)


class OngeldigBestand(Exception):
    """Refused; ``str()`` is the message for the user, ``reden`` a short code for the log."""

    def __init__(self, message: str, reden: str) -> None:
        super().__init__(message)
        self.reden = reden


def _geweigerd(uitleg: str, reden: str = "type") -> OngeldigBestand:
    return OngeldigBestand(f"{uitleg} Toegestaan zijn: {TOEGESTAAN}.", reden)


def herken(bestand: IO[bytes]) -> Soort:
    """The type of a seekable file that is already known to be within the size limit."""
    bestand.seek(0)
    kop = bestand.read(8)
    bestand.seek(0)
    if not kop:
        raise OngeldigBestand("Het bestand is leeg.", "leeg")
    for magic, beeld_of_pdf in ((b"%PDF-", PDF), (b"\x89PNG\r\n\x1a\n", PNG), (b"\xff\xd8\xff", JPG)):
        if kop.startswith(magic):
            return beeld_of_pdf
    if kop.startswith(OLE2):
        return _office97(bestand.read())
    if kop.startswith(b"PK\x03\x04"):
        return _zip(bestand)
    soort = _tekst(bestand.read())
    if soort is not None:
        return soort
    if kop.startswith(PROGRAMMA):
        raise _geweigerd("Dit is een programma; dat kan niet als bijlage.", "programma")
    raise _geweigerd("Dit bestandstype wordt niet herkend.")


# --- text ---------------------------------------------------------------------------------
def _tekst(data: bytes) -> Soort | None:
    """Plain text in UTF-8 or Windows-1252 without control characters; None when it is not text."""
    try:
        tekst, soort = data.decode("utf-8-sig"), TEKST
    except UnicodeDecodeError:
        try:
            tekst, soort = data.decode("cp1252"), TEKST_WINDOWS
        except UnicodeDecodeError:
            return None
    if _STUURTEKENS.search(tekst):
        return None
    begin = tekst[:1024]
    if begin.lstrip().startswith("<") or _OPMAAK.search(begin):
        raise _geweigerd("HTML-, XML- en SVG-bestanden worden niet geaccepteerd.", "opmaak")
    return soort


# --- DOCX, XLSX, ODT ----------------------------------------------------------------------
def _zip(bestand: IO[bytes]) -> Soort:
    try:
        with zipfile.ZipFile(bestand) as archief:
            leden = archief.infolist()
            _geen_bom(leden)
            return _office_xml(archief, leden)
    except (zipfile.BadZipFile, zipfile.LargeZipFile, NotImplementedError, EOFError, OSError, ValueError):
        raise _geweigerd(
            "Het bestand is beschadigd of geen geldig Word-, Excel- of ODT-bestand.", "beschadigd"
        ) from None


def _geen_bom(leden: list[zipfile.ZipInfo]) -> None:
    totaal = sum(lid.file_size for lid in leden)
    opgeblazen = any(
        lid.file_size > VERHOUDING_VANAF and lid.file_size > MAX_VERHOUDING * max(lid.compress_size, 1) for lid in leden
    )
    if len(leden) > MAX_LEDEN or totaal > MAX_UITGEPAKT or opgeblazen:
        raise OngeldigBestand(
            "Dit bestand pakt uit tot veel meer dan het zelf weegt (een zogenaamde zipbom) en wordt niet geaccepteerd. "
            "Sla het document opnieuw op of lever het aan als PDF.",
            "zipbom",
        )


def _office_xml(archief: zipfile.ZipFile, leden: list[zipfile.ZipInfo]) -> Soort:
    namen = {lid.filename for lid in leden}
    if leden and leden[0].filename == "mimetype":  # ODF: the first member, stored uncompressed
        with archief.open("mimetype") as lid:
            if lid.read(len(ODT_MIMETYPE) + 1).strip() == ODT_MIMETYPE:
                return ODT
    if "[Content_Types].xml" in namen:
        if any(naam.lower().endswith("vbaproject.bin") for naam in namen):
            raise _macro()
        mappen = {naam.split("/", 1)[0] for naam in namen}
        if "word" in mappen:
            return DOCX
        if "xl" in mappen:
            return XLSX
    raise _geweigerd("Zip-bestanden en andere archieven worden niet geaccepteerd.", "archief")


def _macro() -> OngeldigBestand:
    return OngeldigBestand(
        "Documenten met macro's worden niet geaccepteerd. Sla het op als gewoon Word- of Excelbestand "
        "(DOCX, XLSX) of als PDF.",
        "macro",
    )


# --- DOC, XLS (the OLE2 compound file of Office 97-2003) ----------------------------------
def _office97(data: bytes) -> Soort:
    try:
        namen = _Ole2(data).hoofdnamen()
    except (struct.error, IndexError, ValueError):
        raise _geweigerd("Het bestand is beschadigd of geen geldig Word- of Excelbestand.", "beschadigd") from None
    if namen & {"Macros", "_VBA_PROJECT_CUR"}:
        raise _macro()
    if "WordDocument" in namen:
        return DOC
    if namen & {"Workbook", "Book"}:
        return XLS
    raise _geweigerd("Dit Office-bestand is geen Word- of Excelbestand.")


_EINDE = 0xFFFFFFFA  # sector numbers from here up end a chain or mark a free sector


class _Ole2:
    """Just enough of [MS-CFB] to list the top-level names; every loop is bounded by the file's size."""

    def __init__(self, data: bytes) -> None:
        self.data = data
        self.sector = 1 << struct.unpack_from("<H", data, 0x1E)[0]
        if self.sector not in (512, 4096):
            raise ValueError("sectorgrootte")
        self.fat_sectoren = self._fat_sectoren()

    def _u32(self, offset: int) -> int:
        return int(struct.unpack_from("<I", self.data, offset)[0])

    def _offset(self, nummer: int) -> int:
        return (nummer + 1) * self.sector

    def _fat_sectoren(self) -> list[int]:
        """The header lists the first 109 FAT sectors; a chain of DIFAT sectors lists the rest."""
        nummers = list(struct.unpack_from("<109I", self.data, 0x4C))
        per_sector = self.sector // 4
        for difat in self._keten(self._u32(0x44), lambda n: self._u32(self._offset(n) + self.sector - 4)):
            nummers += struct.unpack_from(f"<{per_sector - 1}I", self.data, self._offset(difat))
        return [n for n in nummers if n < _EINDE][: len(self.data) // self.sector]

    def _volgende(self, nummer: int) -> int:
        per_sector = self.sector // 4
        fat_sector = self.fat_sectoren[nummer // per_sector]
        return self._u32(self._offset(fat_sector) + (nummer % per_sector) * 4)

    def _keten(self, eerste: int, volgende: Callable[[int], int]) -> Iterator[int]:
        gezien: set[int] = set()
        while eerste < _EINDE and eerste not in gezien:
            gezien.add(eerste)
            yield eerste
            eerste = volgende(eerste)

    def hoofdnamen(self) -> set[str]:
        """Names of the streams and storages directly under the root (not those of embedded objects)."""
        entries: list[bytes] = []
        for nummer in self._keten(self._u32(0x30), self._volgende):
            blok = self.data[self._offset(nummer) : self._offset(nummer) + self.sector]
            entries += [blok[i : i + 128] for i in range(0, len(blok) - 127, 128)]
        namen: set[str] = set()
        open_, gezien = [self._u32_in(entries[0], 0x4C)], set()
        while open_:  # the root's children form a tree of siblings (left, right)
            nummer = open_.pop()
            if nummer >= len(entries) or nummer in gezien:
                continue
            gezien.add(nummer)
            lengte = struct.unpack_from("<H", entries[nummer], 0x40)[0]
            if 2 <= lengte <= 64:
                namen.add(entries[nummer][: lengte - 2].decode("utf-16-le", "replace"))
            open_ += [self._u32_in(entries[nummer], 0x44), self._u32_in(entries[nummer], 0x48)]
        return namen

    @staticmethod
    def _u32_in(entry: bytes, offset: int) -> int:
        return int(struct.unpack_from("<I", entry, offset)[0])
