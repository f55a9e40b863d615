"""Celery entry point: ``celery -A workflow.worker worker -B``."""

from app import create_app

flask_app = create_app()
celery_app = flask_app.extensions["celery"]
