"""Kansrijk: the application factory. Reads like a table of contents."""

from __future__ import annotations

import logging
import os
from typing import Any

import click
from flask import Flask

import config
from models import db
from web.extensions import csrf, limiter, login_manager, migrate
from web.logging import init_logging
from workflow.jobs import celery_init_app


def create_app(test_config: dict[str, Any] | None = None, instance_path: str | None = None) -> Flask:
    # The instance folder (SQLite file, bijlagen, mail files, beat lock): ./instance unless given or
    # set in KANSRIJK_INSTANCE_PATH (an absolute path; tests give each test and worker process its own).
    instance_path = instance_path or os.environ.get("KANSRIJK_INSTANCE_PATH") or None
    app = Flask(
        __name__, instance_path=instance_path, instance_relative_config=True,
        static_folder="web/static", template_folder="web/templates",
    )  # fmt: skip
    app.config.from_mapping(config.build_config(app.instance_path))
    if test_config:
        app.config.from_mapping(test_config)
    serving = click.get_current_context(silent=True) is None  # CLI commands (bpmn check, db upgrade) serve nothing
    if serving:
        config.check_production_safe(app.config)
    os.makedirs(app.instance_path, exist_ok=True)
    logging.basicConfig(level=app.config["LOG_LEVEL"], format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    init_logging(app)  # redacts e-mail addresses, tokens and query strings from every record (S14)

    if app.config["PROXY_FIX"]:  # the client's address for the audit trail, behind a proxy
        from werkzeug.middleware.proxy_fix import ProxyFix

        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=app.config["PROXY_FIX"], x_proto=app.config["PROXY_FIX"])  # type: ignore[method-assign]
    register_extensions(app)
    register_blueprints(app)
    register_cli(app)
    from workflow.engine.expressions import LIMITS

    LIMITS.seconds = app.config["SCRIPT_TIME_LIMIT"]
    if app.config["BPMN_PUBLISH_ON_START"] and serving:  # the CLI publishes with `flask bpmn publish`
        publish_diagrams(app)
    return app


def register_extensions(app: Flask) -> None:
    from web import security
    from web.database import configure_engine

    db.init_app(app)
    with app.app_context():
        configure_engine(db.engine, app.config)
    migrate.init_app(app, db, directory=str(config.BASE_DIR / "migrations"))
    login_manager.init_app(app)
    csrf.init_app(app)
    security.init_app(app)
    limiter.init_app(app)
    celery_init_app(app)


def register_blueprints(app: Flask) -> None:
    from web import (
        api,
        auth,
        beheer,
        bijlagen,
        dossiers,
        errors,
        formulieren,
        health,
        help,
        hulpvragen,
        kengetallen,
        metrics,
        overlegronde,
        policy,
        processen,
        studio,
        taken,
        ui,
        vergaderingen,
    )

    ui.init_app(app)
    errors.init_app(app)
    policy.init_app(app)
    help.init_app(app)
    metrics.init_app(app)
    for module in (auth, beheer, bijlagen, dossiers, health, help, hulpvragen, overlegronde, processen, studio, taken):
        app.register_blueprint(module.bp)
    app.register_blueprint(formulieren.bp)
    app.register_blueprint(kengetallen.bp)
    app.register_blueprint(vergaderingen.bp)
    api.init_app(app)  # the LVS API under /api/v1/ (flask-smorest)


def register_cli(app: Flask) -> None:
    from web import cli_processen  # noqa: F401 - registers flask bpmn incidents / migrate
    from web.cli import bpmn_cli, seed_bulk, seed_demo
    from web.cli_backup import backup_command, restore_command
    from web.lvs_demo import lvs_demo

    app.cli.add_command(bpmn_cli)
    app.cli.add_command(lvs_demo)
    app.cli.add_command(seed_demo)
    app.cli.add_command(seed_bulk)
    app.cli.add_command(backup_command)
    app.cli.add_command(restore_command)


def publish_diagrams(app: Flask) -> None:
    """Publish changed diagrams at start-up through the gate; never stops the start-up.

    A refused publication keeps the live versions live; the gate logs it line by line and records it
    (PublicatiePoging), so /healthz and the Processen pages report it. Skipped while the
    database is not migrated yet."""
    import sqlalchemy as sa

    from workflow.engine.publiceren import publiceer

    with app.app_context():
        if not sa.inspect(db.engine).has_table("publicatie_poging"):
            app.logger.warning("database not migrated yet: diagrams not published (run 'flask db upgrade')")
            return
        try:
            publicatie = publiceer(app.config["BPMN_DIR"], bron="opstarten")
        except Exception:  # the service must start; the previous versions stay live
            db.session.rollback()
            app.logger.exception("diagrams not published at start-up; the live versions stay live")
            return
        if not publicatie.ok:  # the gate logged every problem line
            geweigerd = ", ".join(sorted(publicatie.geweigerd))
            app.logger.error("Niets gepubliceerd (geweigerd: %s); de live versies blijven live.", geweigerd)
