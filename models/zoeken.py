"""Indexes for the lists' search while typing: any part of a name, school, title or aanvraagnummer.

``ILIKE '%jan%'`` cannot use an ordinary index. On PostgreSQL these are trigram (pg_trgm) GIN
indexes, which can; the extension is created before the tables (here for ``create_all``, in
the migration otherwise). SQLite ignores the PostgreSQL options and keeps a plain index.
"""

from __future__ import annotations

from sqlalchemy import DDL, Index, event

from models.base import db
from models.dossier import Dossier
from models.hulpvraag import Hulpvraag
from models.school import School

TRIGRAM_VELDEN = (
    (Dossier.__table__, "roepnaam"),
    (Dossier.__table__, "tussenvoegsel"),
    (Dossier.__table__, "achternaam"),
    (School.__table__, "naam"),
    (Hulpvraag.__table__, "titel"),
    (Hulpvraag.__table__, "aanvraagnummer"),
)
for _table, _kolom in TRIGRAM_VELDEN:
    Index(f"ix_{_table.name}_{_kolom}_trgm", _table.c[_kolom], postgresql_using="gin",
          postgresql_ops={_kolom: "gin_trgm_ops"})  # fmt: skip

event.listen(
    db.metadata, "before_create", DDL("CREATE EXTENSION IF NOT EXISTS pg_trgm").execute_if(dialect="postgresql")
)
