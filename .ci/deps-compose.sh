#!/usr/bin/env bash
# docker-compose (Debian's Python build) validates docker-compose.yml without a Docker engine;
# tests/test_compose.py skips with a reason when it is missing. Idempotent and quiet.
set -uo pipefail
command -v docker-compose >/dev/null && exit 0
if [ "$(id -u)" != 0 ] || ! command -v apt-get >/dev/null; then
  echo "deps-compose: docker-compose missing and apt-get unavailable; the compose test will skip" >&2
  exit 0
fi
{ apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends docker-compose; } >/dev/null 2>&1 ||
  echo "deps-compose: could not install docker-compose; the compose test will skip" >&2
exit 0
