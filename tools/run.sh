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
echo "  stop with Ctrl-C"
echo
# -f foreground, -n no chroot, -r keep the invoking user (development).
exec kore -f -n -r -c kore.conf
