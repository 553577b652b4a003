"""A real OpenLDAP slapd for the directory tests.

Each LdapServer runs Debian's slapd on a free port of 127.0.0.1 from its
own temporary directory (slapd.conf, an mdb database, a small test tree
loaded with slapadd before the start). It never touches the system's
slapd, /etc/ldap or port 389. Entries are changed while it runs with
ldapmodify as the rootdn.
"""
import os
import shutil
import subprocess
import tempfile
import time

from mutua_server import free_port

SUFFIX = "dc=example,dc=org"
ROOT_DN = "cn=admin," + SUFFIX
ROOT_PW = "admin-secret"
SERVICE_DN = "cn=mutua service,ou=system," + SUFFIX
SERVICE_PW = "service-secret"
PEOPLE = "ou=people," + SUFFIX

GROUPS = "ou=groups," + SUFFIX

# User filter and mapping the tests configure in idp.conf.
USER_FILTER = "(&(objectClass=inetOrgPerson)(uid=%u))"
DISABLED_FILTER = "(employeeType=disabled)"
ATTRIBUTES = """ldap_attribute givenName
ldap_attribute sn
ldap_attribute cn
ldap_attribute displayName
ldap_attribute mail
ldap_attribute eduPersonAffiliation businessCategory
ldap_attribute eduPersonEntitlement labeledURI
ldap_attribute isMemberOf memberOf
"""

SLAPD_CONF = """\
include /etc/ldap/schema/core.schema
include /etc/ldap/schema/cosine.schema
include /etc/ldap/schema/inetorgperson.schema
include /etc/ldap/schema/nis.schema
include {dir}/test.schema
{tls}modulepath /usr/lib/ldap
moduleload back_mdb
moduleload memberof
pidfile {dir}/slapd.pid
argsfile {dir}/slapd.args

database mdb
suffix "{suffix}"
rootdn "{rootdn}"
rootpw {rootpw}
directory {dir}/db
maxsize 10485760
overlay memberof
access to attrs=userPassword
    by anonymous auth
    by * none
access to *
    by dn.exact="{service}" read
    by * none
"""


# An octet string with equality, as Active Directory's objectGUID.
TEST_SCHEMA = """\
attributetype ( 1.3.6.1.4.1.32473.1.1 NAME 'testGUID'
    EQUALITY octetStringMatch
    SYNTAX 1.3.6.1.4.1.1466.115.121.1.40 SINGLE-VALUE )
objectclass ( 1.3.6.1.4.1.32473.2.1 NAME 'testGUIDObject' SUP top
    AUXILIARY MAY testGUID )
"""


def person(uid, name, mail, password, extra=""):
    given, sn = name.split(" ", 1)
    return f"""dn: uid={uid},{PEOPLE}
objectClass: inetOrgPerson
uid: {uid}
cn: {name}
givenName: {given}
sn: {sn}
displayName: {name}
mail: {mail}
userPassword: {password}
{extra}
"""


TREE = f"""dn: {SUFFIX}
objectClass: dcObject
objectClass: organization
dc: example
o: Example

dn: ou=system,{SUFFIX}
objectClass: organizationalUnit
ou: system

dn: {SERVICE_DN}
objectClass: person
cn: mutua service
sn: service
userPassword: {SERVICE_PW}

dn: {PEOPLE}
objectClass: organizationalUnit
ou: people

dn: {GROUPS}
objectClass: organizationalUnit
ou: groups

""" + "\n".join([
    person("alice", "Alice Smith", "alice@example.org", "alice-secret",
           "businessCategory: staff\nbusinessCategory: member\n"
           "labeledURI: urn:mace:example.org:entitlement:wiki"),
    person("bob", "Bob Jones", "bob@example.org", "bob-secret"),
    # A second entry that a filter built by pasting "*" would also match.
    person("alan", "Alan Turing", "alan@example.org", "alan-secret"),
])


def self_signed(dirname, name):
    """A certificate for 127.0.0.1 that is its own CA: (key, crt)."""
    key = os.path.join(dirname, name + ".key")
    crt = os.path.join(dirname, name + ".crt")
    subprocess.run(["openssl", "req", "-x509", "-newkey", "rsa:2048",
                    "-sha256", "-days", "30", "-nodes", "-subj",
                    "/CN=127.0.0.1", "-addext",
                    "subjectAltName=IP:127.0.0.1", "-keyout", key,
                    "-out", crt], check=True, capture_output=True)
    return key, crt


class LdapServer:
    """tls: also listen on ldaps:// (self.ldaps_url) and offer StartTLS,
    with a self-signed certificate (self.ca) for 127.0.0.1."""

    def __init__(self, tls=False):
        self.dir = tempfile.mkdtemp(prefix="mutua-ldap-")
        self.port = free_port()
        self.url = "ldap://127.0.0.1:%d/" % self.port
        self.listen = self.url
        self.proc = None
        tls_conf = ""
        if tls:
            key, self.ca = self_signed(self.dir, "slapd")
            self.ldaps_url = "ldaps://127.0.0.1:%d/" % free_port()
            self.listen += " " + self.ldaps_url
            tls_conf = (f"TLSCertificateFile {self.ca}\n"
                        f"TLSCertificateKeyFile {key}\n")
        os.mkdir(os.path.join(self.dir, "db"))
        with open(os.path.join(self.dir, "test.schema"), "w") as f:
            f.write(TEST_SCHEMA)
        self.conf = os.path.join(self.dir, "slapd.conf")
        with open(self.conf, "w") as f:
            f.write(SLAPD_CONF.format(dir=self.dir, suffix=SUFFIX, tls=tls_conf,
                                      rootdn=ROOT_DN, rootpw=ROOT_PW,
                                      service=SERVICE_DN))
        ldif = os.path.join(self.dir, "tree.ldif")
        with open(ldif, "w") as f:
            f.write(TREE)
        subprocess.run(["slapadd", "-f", self.conf, "-l", ldif],
                       check=True, capture_output=True)

    def start(self):
        log = open(os.path.join(self.dir, "slapd.log"), "w")
        # -d 0: in the foreground, so the test owns the process.
        self.proc = subprocess.Popen(
            ["/usr/sbin/slapd", "-d", "0", "-h", self.listen, "-f",
             self.conf],
            stdout=log, stderr=subprocess.STDOUT)
        log.close()
        deadline = time.time() + 10
        while time.time() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError("slapd exited")
            r = subprocess.run(["ldapsearch", "-x", "-H", self.url, "-b",
                                "", "-s", "base", "-LLL", "1.1"],
                               capture_output=True)
            if r.returncode == 0:
                return
            time.sleep(0.05)
        raise RuntimeError("slapd did not start")

    def stop(self):
        if self.proc is not None:
            self.proc.terminate()
            self.proc.wait(timeout=10)
            self.proc = None

    def group(self, name, *uids):
        """Adds group name with members uids (memberOf follows)."""
        members = "".join(f"member: uid={u},{PEOPLE}\n" for u in uids)
        self.modify(f"dn: cn={name},{GROUPS}\nchangetype: add\n"
                    f"objectClass: groupOfNames\ncn: {name}\n{members}")

    def modify(self, ldif):
        """Applies an LDIF change as the rootdn."""
        subprocess.run(["ldapmodify", "-x", "-H", self.url, "-D", ROOT_DN,
                        "-w", ROOT_PW], input=ldif, text=True, check=True,
                       capture_output=True)

    def conf_for_mutua(self, password_file, extra="", url=None):
        """The idp.conf lines of this directory, for MutuaServer."""
        return f"""ldap_url {url or self.url}
ldap_bind_dn {SERVICE_DN}
ldap_bind_password_file {password_file}
ldap_base {PEOPLE}
ldap_user_filter {USER_FILTER}
ldap_disabled_filter {DISABLED_FILTER}
ldap_network_timeout 2
ldap_timeout 3
{ATTRIBUTES}{extra}"""

    def cleanup(self):
        self.stop()
        shutil.rmtree(self.dir, ignore_errors=True)
