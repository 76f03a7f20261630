#!/bin/sh
# The production topology on one machine (issue 18), on the local PostgreSQL: WEB web server
# processes on PORT (serve --processes, --web-only), WORKERS workers (inbound + outbox, THREADS
# inbound threads each), and the scheduler (exactly one active: a PostgreSQL advisory lock, so a
# second one started by mistake only waits). Ctrl-C or SIGTERM stops them all.
set -eu
cd "$(dirname "$0")/.."
PY=.venv/bin/python
export PAKN_DATABASE_URL="${PAKN_DATABASE_URL:-postgresql+psycopg://postgres@127.0.0.1:5432/pakn}"
WEB="${WEB:-2}" WORKERS="${WORKERS:-2}" THREADS="${THREADS:-2}" PORT="${PORT:-5000}"

$PY - <<'PYEOF'
import os
import sqlalchemy as sa
from sqlalchemy.engine import make_url

url = make_url(os.environ["PAKN_DATABASE_URL"])
admin = sa.create_engine(url.set(database="postgres"), isolation_level="AUTOCOMMIT")
with admin.connect() as connection:
    if not connection.execute(sa.text("SELECT 1 FROM pg_database WHERE datname = :n"),
                              {"n": url.database}).scalar():
        connection.exec_driver_sql(f'CREATE DATABASE "{url.database}"')
        print(f"created database {url.database}")
admin.dispose()
PYEOF
$PY -m bot setup

pids=""
$PY -m bot serve --processes "$WEB" --web-only --no-setup --port "$PORT" & pids="$pids $!"
i=0
while [ "$i" -lt "$WORKERS" ]; do
    $PY -m bot worker --threads "$THREADS" & pids="$pids $!"
    i=$((i + 1))
done
$PY -m bot scheduler & pids="$pids $!"
trap 'kill $pids 2>/dev/null; wait' INT TERM
echo "pakn-bot: http://127.0.0.1:$PORT/chat  ($WEB web processes, $WORKERS workers, scheduler) on $PAKN_DATABASE_URL"
wait
