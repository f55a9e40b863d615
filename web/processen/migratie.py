"""Processen: move running cases to another version of their aanpak.

Choose an aanpak and two of its versions (by default a version with running cases → the live
one), see per case whether it can move and what its open tasks become, tick cases or "alle
verplaatsbare zaken", confirm, and see the result per case. The rules are in
workflow.engine.migratie_plan; ``migreer`` commits each case on its own.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from flask import render_template, request
from flask_login import current_user

from models import ProcessDefinition, db
from web import policy
from web.processen import bp
from workflow.engine.migratie import (
    OngeldigeKeuze,
    Voorbeeld,
    aanpakken,
    controleer_paar,
    lopende_zaken_per_versie,
    migreer,
    voorbeeld,
    wijzigingen,
)


@dataclass
class Keuze:
    """What the procesbeheerder chose, as far as it is valid, and the Dutch message when it is not."""

    aanpak: str | None = None
    versies: list[tuple[ProcessDefinition, int]] = field(default_factory=list)  # newest first
    van: ProcessDefinition | None = None
    naar: ProcessDefinition | None = None
    fout: str = ""

    @property
    def paar(self) -> bool:
        return self.van is not None and self.naar is not None and not self.fout


def _definitie(value: str | None) -> ProcessDefinition | None:
    return db.session.get(ProcessDefinition, int(value)) if value and value.isdigit() else None


def _keuze(values: Any) -> Keuze:
    keuze = Keuze(aanpak=values.get("aanpak") or None)
    if keuze.aanpak is not None and keuze.aanpak not in dict(aanpakken()):
        return Keuze(fout=f"Er is geen aanpak ‘{keuze.aanpak}’ gepubliceerd.")
    if not values.get("van") and not values.get("naar"):
        return keuze  # nothing chosen yet: the page offers the defaults
    van, naar = _definitie(values.get("van")), _definitie(values.get("naar"))
    if van is None or naar is None:
        keuze.fout = "Kies een bestaande van-versie en naar-versie."
        return keuze
    keuze.aanpak = keuze.aanpak or van.process_key
    keuze.versies = lopende_zaken_per_versie(keuze.aanpak)
    try:
        if van.process_key != keuze.aanpak:
            raise OngeldigeKeuze(f"{van.label} hoort niet bij de gekozen aanpak.")
        controleer_paar(van, naar)
    except OngeldigeKeuze as exc:
        keuze.fout = str(exc)
        return keuze
    keuze.van, keuze.naar = van, naar
    return keuze


def _pagina(keuze: Keuze, rows: list[Voorbeeld], status: int | None = None) -> tuple[str, int]:
    if keuze.aanpak and not keuze.versies:
        keuze.versies = lopende_zaken_per_versie(keuze.aanpak)
    live = keuze.versies[0][0] if keuze.versies else None
    met_zaken = [(d, n) for d, n in keuze.versies if n and d is not live]
    html = render_template(
        "processen/migratie.html", keuze=keuze, aanpakken=aanpakken(), rows=rows, live=live, met_zaken=met_zaken,
        standaard_van=keuze.van or (met_zaken[-1][0] if met_zaken else None), standaard_naar=keuze.naar or live,
        verplaatsbaar=sum(r.kan for r in rows),
        wijzigingen=wijzigingen(keuze.van, keuze.naar) if keuze.van and keuze.naar else [],
    )  # fmt: skip
    return html, status or (400 if keuze.fout else 200)


@bp.get("/migratie")
@policy.roles("procesbeheerder")
def migratie() -> tuple[str, int]:
    keuze = _keuze(request.args)
    rows = voorbeeld(keuze.van, keuze.naar) if keuze.paar and keuze.van and keuze.naar else []
    return _pagina(keuze, rows)


@bp.post("/migratie")
@policy.roles("procesbeheerder")
def migratie_uitvoeren() -> tuple[str, int]:
    keuze = _keuze(request.form)
    if not keuze.paar or keuze.van is None or keuze.naar is None:
        keuze.fout = keuze.fout or "Kies een van-versie en een naar-versie."
        return _pagina(keuze, [])
    alle = request.form.get("alle") == "ja"
    ids = [int(v) for v in request.form.getlist("zaak") if v.isdigit()]
    if not alle and not ids:
        keuze.fout = "Kies ten minste één zaak, of ‘Alle verplaatsbare zaken’. Er is niets verplaatst."
        return _pagina(keuze, voorbeeld(keuze.van, keuze.naar), status=400)
    van_label, naar_label, aanpak = keuze.van.label, keuze.naar.label, keuze.aanpak
    results = migreer(keuze.van, keuze.naar, None if alle else ids, current_user)
    html = render_template(
        "processen/migratie_resultaat.html", results=results, van_label=van_label, naar_label=naar_label,
        aanpak=aanpak, verplaatst=sum(r.verplaatst for r in results),
    )  # fmt: skip
    return html, 200
