#!/usr/bin/env bash
# Makes sure the web page's browser tests have Debian's Chromium and its driver. Run by
# `mvn verify` (exec-maven-plugin, before the tests); harmless to run by hand.
# Present: nothing to do. Missing and root with apt-get: installs them. Otherwise says why
# and leaves the decision to the tests (skipped with that reason, or failed when CI=true).
set -u
CHROMIUM="${SAESTREAM_CHROMIUM:-/usr/bin/chromium}"
DRIVER="${SAESTREAM_CHROMEDRIVER:-/usr/bin/chromedriver}"

if [ -x "$CHROMIUM" ] && [ -x "$DRIVER" ]; then
  exit 0
fi
if [ "${SAESTREAM_NO_BROWSER_INSTALL:-}" = "true" ]; then
  echo "ensure-browser: $CHROMIUM or $DRIVER is missing and SAESTREAM_NO_BROWSER_INSTALL=true: not installing; the browser tests will skip (or fail with CI=true)"
  exit 0
fi
if [ "$(id -u)" != "0" ]; then
  echo "ensure-browser: $CHROMIUM or $DRIVER is missing; install them as root (apt-get install chromium chromium-driver); the browser tests will skip (or fail with CI=true)"
  exit 0
fi
if ! command -v apt-get >/dev/null 2>&1; then
  echo "ensure-browser: $CHROMIUM or $DRIVER is missing and this system has no apt-get; install Chromium and its driver and point SAESTREAM_CHROMIUM / SAESTREAM_CHROMEDRIVER at them"
  exit 0
fi
echo "ensure-browser: installing chromium and chromium-driver with apt-get (for the web page's browser tests)"
export DEBIAN_FRONTEND=noninteractive
if apt-get update -qq && apt-get install -y -qq chromium chromium-driver >/dev/null; then
  echo "ensure-browser: $("$CHROMIUM" --version 2>/dev/null | head -1)"
else
  echo "ensure-browser: apt-get could not install chromium and chromium-driver; the browser tests will skip (or fail with CI=true)"
fi
exit 0
