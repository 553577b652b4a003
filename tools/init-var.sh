#!/bin/sh
# First-run initialisation of var/: development keys, the LMDB
# environment and a demo user. Never overwrites what exists.
set -eu

MUTUACTL=${1:-build/mutuactl}
KEYS=var/keys
umask 077
mkdir -p "$KEYS" var/db

if [ ! -f "$KEYS/master.key" ]; then
	openssl rand -out "$KEYS/master.key" 32
	echo "init: master key $KEYS/master.key"
fi
if [ ! -f "$KEYS/saml-signing.key" ]; then
	openssl req -x509 -newkey rsa:2048 -sha256 -days 3650 -nodes \
	    -subj "/CN=mutua development IdP" \
	    -keyout "$KEYS/saml-signing.key" -out "$KEYS/saml-signing.crt" \
	    2>/dev/null
	echo "init: SAML signing key and certificate in $KEYS/"
fi
if [ ! -f "$KEYS/oidc-rs256.key" ]; then
	openssl genpkey -algorithm RSA -pkeyopt rsa_keygen_bits:2048 \
	    -out "$KEYS/oidc-rs256.key" 2>/dev/null
	echo "init: OIDC RS256 key $KEYS/oidc-rs256.key"
fi
if [ ! -f "$KEYS/oidc-es256.key" ]; then
	openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 \
	    -out "$KEYS/oidc-es256.key" 2>/dev/null
	echo "init: OIDC ES256 key $KEYS/oidc-es256.key"
fi

"$MUTUACTL" init >/dev/null
if ! "$MUTUACTL" user list | grep -q '^demo	'; then
	openssl rand -base64 12 | tr -d '/+=' > var/demo-password.txt
	"$MUTUACTL" user add -n "Demo User" -e demo@example.org -p demo \
	    < var/demo-password.txt
	echo "init: demo user 'demo', password in var/demo-password.txt"
fi
