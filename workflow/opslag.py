"""Where the bytes of bijlagen live. Callers only see ``Opslag``; config ``BIJLAGEN_OPSLAG`` picks the store.

Keys are random (``secrets.token_urlsafe``): a key says nothing about the file, and the display
name (which may hold a pupil's name) never reaches the file system. A new store, such as an
S3-compatible one, is a class with the three methods plus one line in ``_STORES``.
"""

from __future__ import annotations

import hashlib
import os
import re
import secrets
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import IO, Protocol

from flask import current_app

CHUNK = 64 * 1024
_KEY = re.compile(r"^[A-Za-z0-9_-]{43}$")  # token_urlsafe(32)


class TeGroot(Exception):
    """The stream had more bytes than allowed; nothing was kept."""


class Opslag(Protocol):
    def bewaar(self, stream: IO[bytes], max_bytes: int | None = None) -> tuple[str, int, str]:
        """Store the stream under a new random key; returns (key, size in bytes, sha256 hex).

        Raises ``TeGroot`` as soon as more than ``max_bytes`` have been read.
        """

    def open(self, sleutel: str) -> IO[bytes]:
        """The stored bytes for reading; ``FileNotFoundError`` when they are gone."""

    def verwijder(self, sleutel: str) -> None:
        """Remove the bytes for good; removing a missing key is not an error."""


class BestandOpslag:
    """One folder, one file per key; written to a temporary file and renamed, so a reader never
    sees half a file and a crash leaves only a ``.upload-*`` file to sweep."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder

    def bewaar(self, stream: IO[bytes], max_bytes: int | None = None) -> tuple[str, int, str]:
        self.folder.mkdir(mode=0o700, parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=self.folder, prefix=".upload-")
        try:
            with os.fdopen(fd, "wb") as out:
                grootte, sha256 = kopieer(stream, out, max_bytes)
                out.flush()
                os.fsync(out.fileno())
            sleutel = secrets.token_urlsafe(32)
            os.replace(tmp, self._pad(sleutel))
        except BaseException:
            Path(tmp).unlink(missing_ok=True)
            raise
        return sleutel, grootte, sha256

    def open(self, sleutel: str) -> IO[bytes]:
        return self._pad(sleutel).open("rb")

    def verwijder(self, sleutel: str) -> None:
        self._pad(sleutel).unlink(missing_ok=True)

    def _pad(self, sleutel: str) -> Path:
        if not _KEY.match(sleutel):  # a key from the database is never a path
            raise ValueError("ongeldige opslagsleutel")
        return self.folder / sleutel


def kopieer(stream: IO[bytes], out: IO[bytes], max_bytes: int | None) -> tuple[int, str]:
    """Copy in chunks, counting and hashing; stop reading as soon as ``max_bytes`` is passed (``TeGroot``)."""
    digest, grootte = hashlib.sha256(), 0
    while chunk := stream.read(CHUNK):
        grootte += len(chunk)
        if max_bytes is not None and grootte > max_bytes:
            raise TeGroot(grootte)
        digest.update(chunk)
        out.write(chunk)
    return grootte, digest.hexdigest()


def _bestand() -> Opslag:
    return BestandOpslag(Path(current_app.config["BIJLAGEN_DIR"]))


_STORES: dict[str, Callable[[], Opslag]] = {"bestand": _bestand}


def opslag() -> Opslag:
    """The store the configuration names."""
    soort = current_app.config["BIJLAGEN_OPSLAG"]
    if soort not in _STORES:
        raise RuntimeError(f"Onbekende BIJLAGEN_OPSLAG '{soort}': kies uit {', '.join(sorted(_STORES))}.")
    return _STORES[soort]()
