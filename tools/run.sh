#!/bin/sh
# Starts the IdP in the foreground on 127.0.0.1 (development, plain HTTP).
set -eu

url=$(awk '$1 == "base_url" { print $2 }' "${MUTUA_CONFIG:-federation/idp.conf}")
echo
echo "  mutua is starting: open $url/"
[ -f var/demo-password.txt ] && \
    echo "  demo user: demo, password: $(cat var/demo-password.txt)"
[ -f var/demo-client-secret.txt ] && \
    echo "  demo OAuth client: demo, secret: $(cat var/demo-client-secret.txt)" && \
    echo "    try it: node tests/oidc/demo_rp.mjs $url"

# The demo SAML SP (tools/demo-sp.py, federation/sp/demo-sp.xml) runs next
# to the IdP and stops with it.
sp_pid=""
if [ -f federation/sp/demo-sp.xml ]; then
	"${PYTHON:-/usr/bin/python3}" tools/demo-sp.py --port 8081 --idp "$url" \
	    2>var/demo-sp.log &
	sp_pid=$!
	echo "  demo SAML service provider: open http://127.0.0.1:8081/"
	echo "    (sign in there; approve with the web authenticator, $url/app/)"
fi
trap '[ -n "$sp_pid" ] && kill "$sp_pid" 2>/dev/null; exit 0' INT TERM
trap '[ -n "$sp_pid" ] && kill "$sp_pid" 2>/dev/null' EXIT
echo "  stop with Ctrl-C"
echo
# -f foreground, -n no chroot, -r keep the invoking user (development).
kore -f -n -r -c kore.conf
