#!/usr/bin/env bash
# Start Kansrijk locally: migrate, seed demo data into an empty database, then run the web
# server and a Celery worker with embedded beat together. Ctrl-C (or either one dying)
# stops both. Called by `make run`, which installs everything first.
set -euo pipefail
cd "$(dirname "$0")/.."

PORT="${PORT:-5000}"
# Mail links use BASE_URL: on another port they must point there too, unless BASE_URL is given.
BASE_URL="${BASE_URL:-http://127.0.0.1:$PORT}"
export BASE_URL
BIN=.venv/bin

ensure_secret_key() {
  mkdir -p instance
  if [ ! -s instance/secret_key ]; then
    (umask 077 && "$BIN/python" -c 'import secrets; print(secrets.token_hex(32))' > instance/secret_key)
  fi
  SECRET_KEY="${SECRET_KEY:-$(cat instance/secret_key)}"
  export SECRET_KEY
}

database_has_users() {
  BPMN_PUBLISH_ON_START=0 "$BIN/python" - <<'EOF'
import sqlalchemy as sa

from app import create_app
from models import User, db

with create_app().app_context():
    raise SystemExit(0 if db.session.scalar(sa.select(sa.func.count()).select_from(User)) else 1)
EOF
}

stop_all() {
  trap - EXIT INT TERM
  echo "Kansrijk stopt..."
  kill -TERM "${pids[@]}" 2>/dev/null || true
  wait || true
}

ensure_secret_key
# Local demo: the seed-demo accounts may log in without a second factor (the login page says so).
export KANSRIJK_DEMO="${KANSRIJK_DEMO:-1}"
# Served over plain http on 127.0.0.1: a Secure session cookie would never come back.
export KANSRIJK_LOCAL_HTTP="${KANSRIJK_LOCAL_HTTP:-1}"
BPMN_PUBLISH_ON_START=0 "$BIN/flask" --app app db upgrade  # publishing needs the tables first
if database_has_users; then
  echo "De database heeft al gebruikers: demodata niet opnieuw aangemaakt."
else
  "$BIN/flask" --app app seed-demo
fi

pids=()
trap stop_all EXIT
trap 'exit 130' INT
trap 'exit 143' TERM
"$BIN/celery" -A workflow.worker worker -B --pool=solo --loglevel=INFO \
  --schedule instance/celerybeat-schedule &
pids+=($!)
"$BIN/waitress-serve" --host=127.0.0.1 --port="$PORT" --threads=8 --call app:create_app &
pids+=($!)
echo "Kansrijk draait op http://127.0.0.1:$PORT (Ctrl-C stopt server en worker)."
wait -n
