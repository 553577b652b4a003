"""A second independent SAML SP: Apache httpd with mod_auth_mellon.

mellon is built on lasso, so it decrypts and verifies with lasso and
xmlsec as a deployed Apache would. Its keys and metadata come from
Debian's mellon_create_metadata; Apache runs in the foreground from a
temporary directory on a free port of 127.0.0.1 and shows what mellon
received as response headers of a protected page.
"""
import glob
import os
import shutil
import subprocess
import time

import requests

from mutua_server import free_port
from saml_sp import Published

MODULES = "/usr/lib/apache2/modules"

# The attributes mellon exposes, by their OIDs (docs/saml.md).
ATTRIBUTES = {
    "mail": "urn:oid:0.9.2342.19200300.100.1.3",
    "displayName": "urn:oid:2.16.840.1.113730.3.1.241",
    "eppn": "urn:oid:1.3.6.1.4.1.5923.1.1.1.6",
}

CONF = """\
ServerRoot {dir}
PidFile {dir}/httpd.pid
ErrorLog {dir}/error.log
LogLevel warn auth_mellon:info
Listen 127.0.0.1:{port}
ServerName 127.0.0.1:{port}
User www-data
Group www-data
DocumentRoot {dir}/htdocs
LoadModule mpm_prefork_module {modules}/mod_mpm_prefork.so
LoadModule authz_core_module {modules}/mod_authz_core.so
LoadModule authn_core_module {modules}/mod_authn_core.so
LoadModule authz_user_module {modules}/mod_authz_user.so
LoadModule headers_module {modules}/mod_headers.so
LoadModule auth_mellon_module {modules}/mod_auth_mellon.so
StartServers 1
MinSpareServers 1
MaxSpareServers 2
MellonLockFile {dir}/mellon.lock
MellonPostDirectory {dir}/post
<Location />
    MellonEnable info
    MellonEndpointPath /mellon
    MellonSPentityId "{entity}"
    MellonSPPrivateKeyFile {dir}/sp.key
    MellonSPCertFile {dir}/sp.cert
    MellonSPMetadataFile {dir}/sp.xml
    MellonIdPMetadataFile {dir}/idp.xml
    MellonSignatureMethod rsa-sha256
    MellonSecureCookie Off
    MellonCookieSameSite lax
{setenv}
</Location>
<Location /secret>
    AuthType Mellon
    MellonEnable auth
    Require valid-user
    Header always set X-Name-ID "%{{MELLON_NAME_ID}}e"
{headers}
</Location>
"""


class MellonSP(Published):
    """One Apache with mod_auth_mellon. publish() writes its metadata
    into the IdP's SP directory; start() needs the IdP running."""
    NAME = "mellon"

    def __init__(self, workdir):
        self.dir = workdir
        os.makedirs(os.path.join(workdir, "htdocs", "secret"),
                    exist_ok=True)
        os.makedirs(os.path.join(workdir, "post"), exist_ok=True)
        with open(os.path.join(workdir, "htdocs", "secret", "index.html"),
                  "w") as f:
            f.write("secret\n")
        self.port = free_port()
        self.base = "http://127.0.0.1:%d" % self.port
        self.entity = self.base + "/mellon/metadata"
        self.proc = None
        subprocess.run(["mellon_create_metadata", self.entity,
                        self.base + "/mellon"], cwd=workdir, check=True,
                       capture_output=True)
        for ext, name in (("key", "sp.key"), ("cert", "sp.cert"),
                          ("xml", "sp.xml")):
            (made,) = glob.glob(os.path.join(workdir, "*." + ext))
            os.rename(made, os.path.join(workdir, name))

    def metadata(self):
        with open(os.path.join(self.dir, "sp.xml")) as f:
            return f.read()

    def start(self, idp_base):
        with open(os.path.join(self.dir, "idp.xml"), "w") as f:
            f.write(requests.get(idp_base + "/saml/metadata").text)
        setenv = "\n".join('    MellonSetEnvNoPrefix "%s" "%s"' % (k, v)
                           for k, v in ATTRIBUTES.items())
        headers = "\n".join('    Header always set X-%s "%%{%s}e"' % (k, k)
                            for k in ATTRIBUTES)
        conf = os.path.join(self.dir, "httpd.conf")
        with open(conf, "w") as f:
            f.write(CONF.format(dir=self.dir, port=self.port,
                                modules=MODULES, entity=self.entity,
                                setenv=setenv, headers=headers))
        # Apache drops to www-data: it must read its files and write the
        # POST directory; the key is a test key made for this run.
        for root, dirs, files in os.walk(self.dir):
            os.chmod(root, 0o755)
            for name in files:
                os.chmod(os.path.join(root, name), 0o644)
        shutil.chown(os.path.join(self.dir, "post"), "www-data", "www-data")
        os.chmod(os.path.dirname(self.dir), 0o755)
        self.proc = subprocess.Popen(
            ["/usr/sbin/apache2", "-f", conf, "-DFOREGROUND"],
            stdout=subprocess.DEVNULL, stderr=subprocess.STDOUT,
            # Apache signals its whole process group when it stops.
            start_new_session=True)
        deadline = time.time() + 20
        while time.time() < deadline:
            if self.proc.poll() is not None:
                raise AssertionError("apache2 exited:\n" + self.log())
            try:
                requests.get(self.base + "/", timeout=1)
                return
            except requests.ConnectionError:
                time.sleep(0.1)
        raise AssertionError("apache2 did not start:\n" + self.log())

    def log(self):
        try:
            with open(os.path.join(self.dir, "error.log")) as f:
                return f.read()
        except OSError:
            return ""

    def stop(self):
        if self.proc is not None:
            self.proc.terminate()
            self.proc.wait(timeout=10)
            self.proc = None
