"""The procesbeheerder's start page under Processen: the aanpakken with their live version; a refused publication."""

from __future__ import annotations

import sqlalchemy as sa
from flask import render_template

from models import ProcessDefinition, ProcessInstance, db
from web import policy
from web.processen import bp
from workflow.engine.definitions import latest_definition
from workflow.engine.publiceren import BRONNEN, laatste_weigering


@bp.get("/")
@policy.roles("procesbeheerder")
def index() -> str:
    query = sa.select(ProcessDefinition.process_key).distinct().order_by(ProcessDefinition.process_key)
    keys = db.session.scalars(query)
    running = dict(
        db.session.execute(
            sa.select(ProcessInstance.process_key, sa.func.count(ProcessInstance.id))
            .where(ProcessInstance.completed.is_(False))
            .group_by(ProcessInstance.process_key)
        ).all()
    )
    rows = [(key, latest_definition(key), running.get(key, 0)) for key in keys]
    return render_template("processen/index.html", rows=rows, weigering=laatste_weigering(), bronnen=BRONNEN)
