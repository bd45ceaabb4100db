#!/usr/bin/env bash
# docker-compose (Debian's package) validates docker-compose.yml without a Docker engine;
# tests/test_compose.py skips those checks with a reason when it is missing. Debian 12's is the
# Python 1.29, which predates secrets taken from variables: the test renders a copy whose
# secrets are files there, and the real file with a v2 docker-compose. Idempotent and quiet.
set -uo pipefail
command -v docker-compose >/dev/null && exit 0
if [ "$(id -u)" != 0 ] || ! command -v apt-get >/dev/null; then
  echo "deps-compose: docker-compose missing and apt-get unavailable; the compose test will skip" >&2
  exit 0
fi
{ apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends docker-compose; } >/dev/null 2>&1 ||
  echo "deps-compose: could not install docker-compose; the compose test will skip" >&2
exit 0
