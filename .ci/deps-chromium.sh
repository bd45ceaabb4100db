#!/usr/bin/env bash
# Headless Chromium for the dashboard and report screenshot tests (Debian's package).
# Idempotent and quiet: does nothing when chromium is already on PATH. Needs root.
set -euo pipefail
if command -v chromium >/dev/null 2>&1; then
  exit 0
fi
if [ "$(id -u)" != 0 ]; then
  echo "deps-chromium: chromium is missing and this is not root; the browser tests will skip" >&2
  exit 0
fi
echo "installing chromium" >&2
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq >&2
apt-get install -y -qq --no-install-recommends chromium fonts-dejavu-core >/dev/null
