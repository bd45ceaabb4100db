#!/usr/bin/env bash
# Start the machine's PostgreSQL 15 (installing it if missing) and make a test database.
# Prints the URL to use as TEST_DB_URL. Needs root (CI and the dev machines run as root).
set -euo pipefail
PGVER=${PGVER:-15}
DB=${HPSEARCH_TEST_DB:-hpsearch_test}
USER_NAME=hpsearch
PASSWORD=${HPSEARCH_TEST_DB_PASSWORD:-hpsearch-test-pw}
if ! command -v pg_ctlcluster >/dev/null || [ ! -d /usr/lib/postgresql/$PGVER ]; then
  echo "installing postgresql-$PGVER" >&2
  apt-get update -qq >&2 && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq postgresql-$PGVER >&2
fi
if [ ! -d /etc/postgresql/$PGVER/main ]; then
  pg_createcluster $PGVER main >&2
fi
pg_ctlcluster --skip-systemctl-redirect $PGVER main start >&2 2>/dev/null || true
for _ in $(seq 30); do
  pg_isready -q -h 127.0.0.1 -p 5432 && break
  sleep 1
done
pg_isready -h 127.0.0.1 -p 5432 >&2
as_pg() { su postgres -c "$*" ; }
as_pg "psql -qtAc \"SELECT 1 FROM pg_roles WHERE rolname='$USER_NAME'\"" | grep -q 1 ||
  as_pg "psql -qc \"CREATE ROLE $USER_NAME LOGIN SUPERUSER PASSWORD '$PASSWORD'\"" >&2
as_pg "psql -qtAc \"SELECT 1 FROM pg_database WHERE datname='$DB'\"" | grep -q 1 ||
  as_pg "createdb -O $USER_NAME $DB" >&2
echo "postgresql+psycopg://$USER_NAME:$PASSWORD@127.0.0.1:5432/$DB"
