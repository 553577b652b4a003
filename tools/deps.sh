#!/bin/sh
# Installs the Debian 12 packages mutua needs to build, run and test.
# Idempotent: only missing packages are installed, with sudo when not root.
set -eu

PACKAGES="build-essential pkg-config kore liblasso3-dev libxmlsec1-dev liboauth2-dev
libcjose-dev libjansson-dev liblmdb-dev lmdb-utils libcmocka-dev libssl-dev
libqrencode-dev libcurl4-openssl-dev zlib1g-dev openssl curl nginx-light
python3-pysaml2 python3-requests python3-lasso xmlsec1 python3-pytest python3-cryptography
chromium wrk zbar-tools clang libfuzzer-14-dev apache2
libapache2-mod-auth-mellon libpam0g-dev pamtester libldap-dev slapd ldap-utils"

missing=""
for p in $PACKAGES; do
	if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "ok installed"; then
		missing="$missing $p"
	fi
done

if [ -n "$missing" ]; then
	echo "deps: installing$missing"
	sudo=""
	[ "$(id -u)" -eq 0 ] || sudo="sudo"
	$sudo apt-get update -qq
	DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq \
	    --no-install-recommends $missing
fi

# The tests run their own slapd on 127.0.0.1 from a temporary directory;
# the one the slapd package may have started is not used: stop it.
if command -v systemctl >/dev/null 2>&1 &&
    systemctl is-active --quiet slapd 2>/dev/null; then
	sudo=""
	[ "$(id -u)" -eq 0 ] || sudo="sudo"
	$sudo systemctl disable --now slapd >/dev/null 2>&1 || true
fi

# Node.js and npm: the machine's own when present (its nodejs package may
# bundle npm, which then conflicts with Debian's npm package), else Debian's.
if ! command -v npm >/dev/null 2>&1; then
	sudo=""
	[ "$(id -u)" -eq 0 ] || sudo="sudo"
	DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq \
	    --no-install-recommends nodejs npm
fi

# Test peers from npm (openid-client, playwright-core): pinned in
# tests/package-lock.json, installed without any browser download.
# Installed again when the lock changed after the last install (npm ci
# writes node_modules/.package-lock.json), e.g. a package was added.
if [ -f tests/package-lock.json ] && { [ ! -d tests/node_modules ] ||
    [ tests/package-lock.json -nt tests/node_modules/.package-lock.json ]; }
then
	(cd tests && npm ci --no-audit --no-fund --loglevel=error)
fi
