"""Alembic environment for Flask-Migrate: the app's engine and the models' metadata.

Run through ``flask --app app db ...``: the app has configured logging already, so the
logging sections of alembic.ini are not applied (they would reset the app's loggers).
"""

from __future__ import annotations

import logging
from typing import Any

import sqlalchemy as sa
from alembic import context
from flask import current_app

log = logging.getLogger("alembic.env")
config = context.config
target_db = current_app.extensions["migrate"].db


def render_item(type_: str, obj: Any, _autogen_context: Any) -> str | bool:
    """Render our TypeDecorators as their plain column type, so migrations never import models."""
    if type_ == "type" and isinstance(obj, sa.types.TypeDecorator):
        return f"sa.{obj.impl!r}"
    return False


def _skip_empty_revision(_context: Any, _revision: Any, directives: list[Any]) -> None:
    if getattr(config.cmd_opts, "autogenerate", False) and directives[0].upgrade_ops.is_empty():
        directives[:] = []
        log.info("No changes in schema detected.")


def _configure_args() -> dict[str, Any]:
    args = dict(current_app.extensions["migrate"].configure_args)
    args.setdefault("process_revision_directives", _skip_empty_revision)
    # Batch mode lets SQLite (which cannot ALTER most things) run the same migrations.
    args.update(render_as_batch=True, compare_type=True, render_item=render_item)
    return args


def run_migrations_offline() -> None:
    url = target_db.engine.url.render_as_string(hide_password=False)
    context.configure(
        url=url, target_metadata=target_db.metadata, literal_binds=True, **_configure_args()
    )
    with context.begin_transaction():
        context.run_migrations()


def run_migrations_online() -> None:
    with target_db.engine.connect() as connection:
        context.configure(
            connection=connection, target_metadata=target_db.metadata, **_configure_args()
        )
        with context.begin_transaction():
            context.run_migrations()


if context.is_offline_mode():
    run_migrations_offline()
else:
    run_migrations_online()
