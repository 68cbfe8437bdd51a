#!/bin/sh
# The browser tests use Debian's Chromium. Install it when missing (as root, with apt-get);
# elsewhere say so: those tests are then skipped, the rest still run.
if command -v chromium >/dev/null 2>&1 || command -v chromium-browser >/dev/null 2>&1; then
    exit 0
fi
if command -v apt-get >/dev/null 2>&1 && [ "$(id -u)" = "0" ]; then
    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null && exit 0
fi
echo "Chromium is not installed: the browser tests will be skipped (Debian: apt-get install chromium)" >&2
exit 0
