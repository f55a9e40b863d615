"""gunicorn settings for production: ``gunicorn -c scripts/gunicorn.conf.py 'app:create_app()'``.

Every setting can be overridden from the environment (``GUNICORN_CMD_ARGS`` or the variables
below). The app is not preloaded: each worker opens its own database pool after the fork.
"""

from __future__ import annotations

import multiprocessing
import os
import shutil
import tempfile

bind = os.environ.get("KANSRIJK_BIND", "127.0.0.1:8000")
# Two processes per core plus one; each with a few threads for requests that wait on the database.
workers = int(os.environ.get("WEB_CONCURRENCY", multiprocessing.cpu_count() * 2 + 1))
threads = int(os.environ.get("GUNICORN_THREADS", "4"))
worker_class = "gthread"
timeout = int(os.environ.get("GUNICORN_TIMEOUT", "60"))  # a diagram's scripts stop long before this
graceful_timeout = 30
keepalive = 5
max_requests = 10_000  # recycle workers now and then; jitter so they do not restart together
max_requests_jitter = 1_000
accesslog = os.environ.get("GUNICORN_ACCESSLOG")  # off by default: the app logs requests without pupil data
errorlog = "-"
forwarded_allow_ips = os.environ.get("FORWARDED_ALLOW_IPS", "127.0.0.1")

# /metrics across workers: prometheus_client writes each worker's counters to files in this
# folder (set before any worker imports the app). A fresh folder per start.
_metrics_dir = os.environ.get("PROMETHEUS_MULTIPROC_DIR") or tempfile.mkdtemp(prefix="kansrijk-metrics-")
os.environ["PROMETHEUS_MULTIPROC_DIR"] = _metrics_dir


def on_starting(server):  # type: ignore[no-untyped-def]
    for entry in os.listdir(_metrics_dir):
        path = os.path.join(_metrics_dir, entry)
        shutil.rmtree(path) if os.path.isdir(path) else os.remove(path)


def child_exit(server, worker):  # type: ignore[no-untyped-def]
    from prometheus_client import multiprocess

    multiprocess.mark_process_dead(worker.pid)
