#!/usr/bin/env bash
# Installs the peers sitevisor is compared with into bench/.peers/, for bench/compare.py, and
# nothing anywhere else: no service is registered, started or enabled, no global package is added.
#   supervisord 4.2.5: Debian's package `supervisor`, fetched with `apt-get download` and unpacked
#                      with `dpkg -x` (so its install scripts, which would start a system-wide
#                      supervisord, never run); it runs on Debian's /usr/bin/python3.
#   PM2 7.0.4:         `npm install --prefix bench/.peers/pm2 pm2@7.0.4` from the npm registry;
#                      compare.py gives it a PM2_HOME of its own, so ~/.pm2 is never touched.
# A peer that cannot be installed is left out, with the reason; compare.py then measures the others.
set -uo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
peers="$root/bench/.peers"
mkdir -p "$peers"

if [[ -f "$peers/supervisor/usr/bin/supervisord" ]]; then
  echo "supervisord: already in $peers/supervisor"
elif ! command -v apt-get >/dev/null || ! command -v dpkg >/dev/null; then
  echo "supervisord: left out (no apt-get/dpkg on this machine)"
else
  download=$(mktemp -d)
  chmod 777 "$download" # apt's download user writes here when it can, else apt downloads as root
  if (cd "$download" && apt-get download supervisor=4.2.5-1 >/dev/null 2>&1 || apt-get download supervisor >/dev/null 2>&1) \
      && dpkg -x "$download"/supervisor_*.deb "$peers/supervisor"; then
    echo "supervisord: $(dpkg-deb -f "$download"/supervisor_*.deb Version) unpacked into $peers/supervisor"
  else
    echo "supervisord: left out (apt-get download supervisor failed; is Debian's package index reachable?)"
  fi
  rm -rf "$download"
fi

if [[ -x "$peers/pm2/node_modules/.bin/pm2" ]]; then
  echo "PM2: already in $peers/pm2"
elif ! command -v npm >/dev/null || ! command -v node >/dev/null; then
  echo "PM2: left out (no node/npm on this machine)"
elif npm install --prefix "$peers/pm2" --no-audit --no-fund --loglevel=error pm2@7.0.4 >/dev/null 2>&1; then
  echo "PM2: 7.0.4 installed into $peers/pm2"
else
  echo "PM2: left out (npm install pm2@7.0.4 failed; is the npm registry reachable?)"
fi
