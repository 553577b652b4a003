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

# The demo OAuth client (docs/oidc.md, "Trying it"): a confidential client
# for tests/oidc/demo_rp.mjs on 127.0.0.1:8090. Its secret is made here,
# kept in var/ and stored hashed in the registration, which is not
# committed (.gitignore): a deployment has no demo client.
if [ ! -f federation/clients/demo.json ]; then
	"$MUTUACTL" client secret > var/demo-client.new
	sed -n 1p var/demo-client.new > var/demo-client-secret.txt
	hash=$(sed -n 2p var/demo-client.new)
	rm -f var/demo-client.new
	mkdir -p federation/clients
	cat > federation/clients/demo.json <<-JSON
	{
	  "_comment": "Development only, made by make run (tools/init-var.sh); the secret is in var/demo-client-secret.txt.",
	  "client_id": "demo",
	  "client_name": "mutua demo client",
	  "token_endpoint_auth_method": "client_secret_basic",
	  "client_secret_hash": "$hash",
	  "redirect_uris": ["http://127.0.0.1:8090/callback"],
	  "post_logout_redirect_uris": ["http://127.0.0.1:8090/"],
	  "scope": "openid profile email",
	  "grant_types": ["authorization_code", "refresh_token"]
	}
	JSON
	echo "init: demo OAuth client 'demo', secret in var/demo-client-secret.txt"
fi
