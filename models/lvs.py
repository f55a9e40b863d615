"""The LVS link (domain.md §6): a koppeling per school and LVS environment, the aanvragen an LVS
sent through it, and the status pushes back to the LVS (an outbox)."""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING, Any

from sqlalchemy import JSON, Boolean, ForeignKey, Index, Integer, String, Text, UniqueConstraint, false, text, true
from sqlalchemy.orm import Mapped, mapped_column, relationship

from models.base import CreatedMixin, UTCDateTime, db, utcnow

if TYPE_CHECKING:
    from models.hulpvraag import Hulpvraag
    from models.school import School
    from models.user import User

LVS_TYPES = {"esis": "ESIS", "parnassys": "ParnasSys", "anders": "Ander LVS"}
PUSH_STATUSSEN = ("wachtrij", "verzonden", "mislukt", "vervangen")  # vervangen: a newer status was delivered


class Koppeling(CreatedMixin, db.Model):  # type: ignore[name-defined]
    """One LVS environment of one school. The verificatiecode itself is never stored: ``code_digest``
    is its HMAC-SHA256 under the app's SECRET_KEY, which finds the row in one indexed lookup.

    ``systeemgebruiker`` is the account an aanvraag is made on behalf of when its contactpersoon
    has no account in the school: it cannot log in (inactive, no password)."""

    __tablename__ = "lvs_koppeling"

    id: Mapped[int] = mapped_column(primary_key=True)
    school_id: Mapped[int] = mapped_column(ForeignKey("school.id"), index=True)
    lvs_type: Mapped[str] = mapped_column(String(20))
    omgeving: Mapped[str] = mapped_column(String(100), default="")
    code_digest: Mapped[str] = mapped_column(String(64), unique=True)
    callback_url: Mapped[str | None] = mapped_column(String(500))
    callback_secret: Mapped[str | None] = mapped_column(String(100))  # signs pushes; shown once
    actief: Mapped[bool] = mapped_column(Boolean, default=True, server_default=true())
    geactiveerd_op: Mapped[datetime | None] = mapped_column(UTCDateTime())
    geactiveerd_door: Mapped[str | None] = mapped_column(String(200))  # the name the LVS user typed
    toestemming: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())
    laatst_gebruikt_op: Mapped[datetime | None] = mapped_column(UTCDateTime())
    laatste_fout: Mapped[str | None] = mapped_column(String(300))
    laatste_fout_op: Mapped[datetime | None] = mapped_column(UTCDateTime())
    systeemgebruiker_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))
    aangemaakt_door_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))
    # The last change number handed out (LvsWijziging.volgnummer): raised in the committing transaction,
    # under this row's lock, so numbers become visible in commit order (workflow/lvs_wijzigingen.py).
    wijziging_teller: Mapped[int] = mapped_column(Integer, default=0, server_default=text("0"))

    school: Mapped[School] = relationship()
    systeemgebruiker: Mapped[User | None] = relationship(foreign_keys=[systeemgebruiker_id])

    @property
    def lvs_naam(self) -> str:
        return LVS_TYPES.get(self.lvs_type, self.lvs_type)

    @property
    def is_geactiveerd(self) -> bool:
        return self.geactiveerd_op is not None

    def __repr__(self) -> str:
        return f"<Koppeling {self.id} {self.lvs_type}>"


class LvsAanvraag(CreatedMixin, db.Model):  # type: ignore[name-defined]
    """An aanvraag as the LVS knows it (its own reference) and the hulpvraag it became.

    The unique (koppeling, reference) pair is what makes a re-send, and the same request arriving
    twice at once, land on one hulpvraag: the second insert fails and that request updates."""

    __tablename__ = "lvs_aanvraag"
    __table_args__ = (UniqueConstraint("koppeling_id", "lvs_referentie", name="koppeling_referentie"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    koppeling_id: Mapped[int] = mapped_column(ForeignKey("lvs_koppeling.id"))
    lvs_referentie: Mapped[str] = mapped_column(String(100))
    hulpvraag_id: Mapped[int | None] = mapped_column(ForeignKey("hulpvraag.id"), index=True)
    oso_gegevens: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)  # OsoDossier.gegevens(): no BSN
    ontvangen: Mapped[int] = mapped_column(Integer, default=1, server_default=text("1"))  # times sent
    leerlingid: Mapped[str | None] = mapped_column(String(100), index=True)  # the LVS's own pupil key, if sent
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, onupdate=utcnow)

    koppeling: Mapped[Koppeling] = relationship()
    hulpvraag: Mapped[Hulpvraag | None] = relationship()


class LvsWijziging(CreatedMixin, db.Model):  # type: ignore[name-defined]
    """One status change of an LVS aanvraag as the LVS reads it (polling) and gets it pushed: the same
    ``volgnummer`` and ``gewijzigd_op`` in both. Both are set when the transaction commits, in commit
    order per koppeling, so a poller that asks for the numbers after the last one it saw misses nothing."""

    __tablename__ = "lvs_wijziging"
    __table_args__ = (UniqueConstraint("koppeling_id", "volgnummer", name="lvs_wijziging_volgnummer"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    koppeling_id: Mapped[int] = mapped_column(ForeignKey("lvs_koppeling.id"))
    hulpvraag_id: Mapped[int] = mapped_column(ForeignKey("hulpvraag.id"), index=True)
    volgnummer: Mapped[int | None] = mapped_column(Integer)  # None only inside the writing transaction
    gewijzigd_op: Mapped[datetime | None] = mapped_column(UTCDateTime())
    status: Mapped[str] = mapped_column(String(200))
    reden: Mapped[str] = mapped_column(Text, default="")


class MogelijkDubbel(CreatedMixin, db.Model):  # type: ignore[name-defined]
    """An LVS aanvraag made a new leerling dossier because the match with an existing one was uncertain:
    the SCP looks and merges them (workflow/dossier_samenvoegen.py) or marks them as two pupils."""

    __tablename__ = "dossier_mogelijk_dubbel"
    __table_args__ = (UniqueConstraint("dossier_id", "ander_dossier_id", name="mogelijk_dubbel_paar"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    dossier_id: Mapped[int] = mapped_column(ForeignKey("dossier.id", ondelete="CASCADE"), index=True)  # the new one
    ander_dossier_id: Mapped[int] = mapped_column(ForeignKey("dossier.id", ondelete="CASCADE"), index=True)
    reden: Mapped[str] = mapped_column(String(300))
    afgehandeld_op: Mapped[datetime | None] = mapped_column(UTCDateTime())
    afgehandeld_door_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))
    uitkomst: Mapped[str | None] = mapped_column(String(20))  # samengevoegd, verschillend


class LvsPush(CreatedMixin, db.Model):  # type: ignore[name-defined]
    """One status change to deliver to a koppeling's callback URL (the outbox row)."""

    __tablename__ = "lvs_push"
    __table_args__ = (Index("ix_lvs_push_status_volgende_poging_op", "status", "volgende_poging_op"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    koppeling_id: Mapped[int] = mapped_column(ForeignKey("lvs_koppeling.id"), index=True)
    hulpvraag_id: Mapped[int] = mapped_column(ForeignKey("hulpvraag.id"), index=True)
    body: Mapped[str] = mapped_column(Text)  # the exact JSON that is signed and sent
    wijziging_id: Mapped[int | None] = mapped_column(ForeignKey("lvs_wijziging.id"), index=True)
    status: Mapped[str] = mapped_column(String(20), default="wachtrij")
    pogingen: Mapped[int] = mapped_column(Integer, default=0)
    volgende_poging_op: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    lease_tot: Mapped[datetime | None] = mapped_column(UTCDateTime())
    laatste_fout: Mapped[str | None] = mapped_column(String(300))
    response_code: Mapped[int | None] = mapped_column(Integer)
    verzonden_op: Mapped[datetime | None] = mapped_column(UTCDateTime())

    koppeling: Mapped[Koppeling] = relationship()
