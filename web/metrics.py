"""GET /metrics: Prometheus text format for operators, restricted to internal access.

Request latency per endpoint (a histogram), task completions (a counter), and the work
waiting in the database (``workflow/monitoring.py``: mail outbox, LVS pushes, open incidents,
timer lag), read at scrape time. Under gunicorn with several workers, set
``PROMETHEUS_MULTIPROC_DIR`` (``scripts/gunicorn.conf.py`` does) so every worker's counters add up.

Who may scrape: a client on a loopback or private address (the monitoring network), or anyone
presenting ``METRICS_TOKEN`` as a bearer token. Everyone else gets the same 404 as for a page
that does not exist. No label carries pupil data: endpoints are route names, never URLs.
"""

from __future__ import annotations

import hmac
import ipaddress
import os
import time

from flask import Blueprint, Flask, Response, abort, current_app, g, request
from prometheus_client import CONTENT_TYPE_LATEST, CollectorRegistry, Counter, Histogram, generate_latest
from prometheus_client.core import GaugeMetricFamily
from prometheus_client.multiprocess import MultiProcessCollector

from web import policy
from workflow import signals
from workflow.monitoring import werkvoorraad

bp = Blueprint("metrics", __name__)

REQUEST_SECONDS = Histogram(
    "kansrijk_http_request_duration_seconds", "Duur van een HTTP-verzoek", ["method", "endpoint", "status"],
    buckets=(0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10),
)  # fmt: skip
TAKEN_AFGEROND = Counter("kansrijk_taken_afgerond_total", "Afgeronde taken (stappen van een aanpak)")


class Werkvoorraad:
    """Gauges read from the database when scraped (in the scraping process only)."""

    def __init__(self, app: Flask) -> None:
        self.app = app

    def collect(self):  # type: ignore[no-untyped-def]
        with self.app.app_context():
            stand = werkvoorraad()
        for naam, waarde, uitleg in (
            ("kansrijk_mail_wachtrij", stand.mail_wachtrij, "E-mails in de wachtrij"),
            ("kansrijk_mail_mislukt", stand.mail_mislukt, "E-mails die definitief mislukt zijn"),
            ("kansrijk_lvs_pushes_wachtrij", stand.lvs_pushes_wachtrij, "Statusberichten naar een LVS die wachten"),
            ("kansrijk_incidenten_open", stand.incidenten_open, "Open incidenten (vastgelopen stappen)"),
            ("kansrijk_timer_achterstand_seconden", stand.timer_achterstand_s, "Hoe laat de oudste verlopen timer is"),
        ):
            yield GaugeMetricFamily(naam, uitleg, value=waarde)


def _toegestaan() -> bool:
    token = current_app.config.get("METRICS_TOKEN") or ""
    given = request.headers.get("Authorization", "")
    if token and hmac.compare_digest(given.encode(), f"Bearer {token}".encode()):
        return True
    try:
        address = ipaddress.ip_address(request.remote_addr or "")
    except ValueError:
        return False
    return address.is_loopback or address.is_private


@bp.get("/metrics")
@policy.public  # restricted by address or token below, not by login: scrapers have no session
def metrics() -> Response:
    if not _toegestaan():
        abort(404)
    registry = CollectorRegistry()
    if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        MultiProcessCollector(registry)  # the counters of every worker process
    else:
        registry.register(REQUEST_SECONDS)
        registry.register(TAKEN_AFGEROND)
    registry.register(Werkvoorraad(current_app._get_current_object()))  # type: ignore[attr-defined]
    response = Response(generate_latest(registry), mimetype=CONTENT_TYPE_LATEST)
    response.headers["Cache-Control"] = "no-store"
    return response


def _start() -> None:
    g.metrics_start = time.perf_counter()


def _stop(response: Response) -> Response:
    start = g.pop("metrics_start", None)
    if start is not None and request.endpoint not in (None, "static", "metrics.metrics"):
        REQUEST_SECONDS.labels(request.method, request.endpoint, str(response.status_code)).observe(
            time.perf_counter() - start
        )
    return response


def _afgerond(_task: object, **_: object) -> None:
    TAKEN_AFGEROND.inc()


def init_app(app: Flask) -> None:
    app.before_request(_start)
    app.after_request(_stop)
    app.register_blueprint(bp)
    signals.taak_afgerond.connect(_afgerond)  # a module-level function: blinker holds it weakly
