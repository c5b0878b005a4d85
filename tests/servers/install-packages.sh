#!/bin/sh
# Installs every Debian package tern needs to build, test, run the demo and the benchmarks.
# Safe to run twice. Blocks package postinst scripts from starting system services
# (dovecot, cyrus, exim4) for the duration of the install: our tests run private instances.
set -eu
if [ "$(id -u)" != 0 ]; then
  echo "install-packages.sh: must run as root (apt-get)" >&2
  exit 1
fi
export DEBIAN_FRONTEND=noninteractive

BUILD="build-essential autoconf automake libtool pkgconf gettext
  libetpan-dev libcurl4-gnutls-dev libsqlite3-dev libcjson-dev libncurses-dev
  libgnutls28-dev libcmocka-dev ca-certificates
  libgpgme-dev gnupg gpg-agent pinentry-curses"
SERVERS="dovecot-core dovecot-imapd dovecot-submissiond
  cyrus-common cyrus-caldav cyrus-admin cyrus-clients sasl2-bin
  libsasl2-modules libsasl2-modules-db eatmydata
  python3 python3-aiosmtpd openssl curl jq tmux file mailcap w3m procps iproute2 sqlite3"
# Peers for the benchmark (tests/bench/run.sh), which CI runs in --quick mode;
# perf profiles its widest gap in a full run.
BENCH="isync neomutt hyperfine linux-perf"
# The libFuzzer harnesses (tests/fuzz/, CI's short form) and the man page check.
FUZZ="clang-14 libclang-rt-14-dev"
DOCS="groff-base bsdextrautils"

want="$BUILD $SERVERS $BENCH $FUZZ $DOCS"

missing=""
for p in $want; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing="$missing $p"
done
# cyrus-imapd (imapd, idled) conflicts with dovecot-imapd, so it is never installed: the lab
# (tests/servers/cyrus.sh) unpacks its .deb, kept here so that later runs need no network.
# The version must be cyrus-common's: imapd links against its libraries.
CYRUS_CACHE=/var/cache/tern-lab
fetch_cyrus_deb() {
  v=$(dpkg-query -W -f='${Version}' cyrus-common)
  ls "$CYRUS_CACHE/cyrus-imapd_$(echo "$v" | sed 's/:/%3a/')_"*.deb >/dev/null 2>&1 && return 0
  mkdir -p "$CYRUS_CACHE"
  (cd "$CYRUS_CACHE" && apt-get download -q -o APT::Sandbox::User=root "cyrus-imapd=$v") ||
    { apt-get update -q && (cd "$CYRUS_CACHE" && apt-get download -q -o APT::Sandbox::User=root "cyrus-imapd=$v"); }
}

if [ -z "$missing" ]; then
  fetch_cyrus_deb
  echo "install-packages.sh: all packages present"
  exit 0
fi

made_policy=""
if [ ! -e /usr/sbin/policy-rc.d ]; then
  printf '#!/bin/sh\nexit 101\n' > /usr/sbin/policy-rc.d
  chmod 755 /usr/sbin/policy-rc.d
  made_policy=1
fi
cleanup() { [ -n "$made_policy" ] && rm -f /usr/sbin/policy-rc.d; return 0; }
trap cleanup EXIT INT TERM

# One update per run is enough; skip it when the lists are fresh (< 1 day).
if [ -z "$(find /var/lib/apt/lists -maxdepth 1 -name '*Packages*' -mtime -1 2>/dev/null | head -n 1)" ]; then
  apt-get update -q
fi
# shellcheck disable=SC2086
apt-get install -y -q --no-install-recommends $missing
fetch_cyrus_deb
