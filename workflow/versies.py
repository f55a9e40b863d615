"""The numbered versions of each aanpak, for the Processen pages and ``flask bpmn versions``."""

from __future__ import annotations

from dataclasses import dataclass

import sqlalchemy as sa
from sqlalchemy.orm import joinedload

from models import ProcessDefinition, ProcessInstance, db

NOTITIE_MAX = 500


@dataclass(frozen=True)
class Versie:
    definition: ProcessDefinition
    lopend: int  # running (not completed) cases on this version
    live: bool
    inhoud_van: int | None  # a revert: the earliest number with the same content
    zoals_live: bool  # the same content as the live version

    @property
    def terug_te_zetten(self) -> bool:
        """An older content that can go through the gate again (its scenarios were stored)."""
        return not self.zoals_live and self.definition.scenarios is not None


def aanpakken() -> list[tuple[str, str]]:
    """(process_key, naam of the live version) of every aanpak with a published version."""
    nummer = sa.func.max(ProcessDefinition.nummer)
    live = sa.select(ProcessDefinition.process_key, nummer.label("nummer")).group_by(ProcessDefinition.process_key)
    live_sq = live.subquery()
    query = (
        sa.select(ProcessDefinition.process_key, ProcessDefinition.naam)
        .join(live_sq, sa.and_(live_sq.c.process_key == ProcessDefinition.process_key,
                               live_sq.c.nummer == ProcessDefinition.nummer))  # fmt: skip
        .order_by(ProcessDefinition.process_key)
    )
    return [(key, naam) for key, naam in db.session.execute(query)]


def versies(process_key: str) -> list[Versie]:
    """Every version of one aanpak, newest first, with its running cases."""
    rows = list(
        db.session.scalars(
            sa.select(ProcessDefinition)
            .options(joinedload(ProcessDefinition.published_by))
            .filter_by(process_key=process_key)
            .order_by(ProcessDefinition.nummer.desc())
        )
    )
    lopend = lopende_zaken([d.id for d in rows])
    eerste: dict[str, int] = {}
    for definition in reversed(rows):
        eerste.setdefault(definition.content_hash, definition.nummer)
    live = rows[0].content_hash if rows else None
    return [
        Versie(d, lopend.get(d.id, 0), i == 0, _eerder(eerste[d.content_hash], d.nummer), d.content_hash == live)
        for i, d in enumerate(rows)
    ]


def _eerder(eerste: int, nummer: int) -> int | None:
    return eerste if eerste != nummer else None


def lopende_zaken(definition_ids: list[int]) -> dict[int, int]:
    """definition id → the number of its running (not completed) process instances."""
    if not definition_ids:
        return {}
    query = (
        sa.select(ProcessInstance.definition_id, sa.func.count(ProcessInstance.id))
        .where(ProcessInstance.completed.is_(False), ProcessInstance.definition_id.in_(definition_ids))
        .group_by(ProcessInstance.definition_id)
    )
    return dict(db.session.execute(query).tuples().all())


def notitie_fout(tekst: str | None, *, verplicht: bool) -> str | None:
    """A Dutch message when a publication note is missing (where required) or too long."""
    tekst = (tekst or "").strip()
    if verplicht and not tekst:
        return "Vul een korte notitie in: wat verandert er met deze versie, en waarom?"
    if len(tekst) > NOTITIE_MAX:
        return f"De notitie is {len(tekst)} tekens; maximaal {NOTITIE_MAX}."
    return None
