"""SMTP STARTTLS (--smtp-tls required|opportunistic|off) against a real SMTP server with a self-signed certificate.

aiosmtpd on a loopback port offers STARTTLS with a self-signed certificate made here (pyca/cryptography); authd mails a "new login"
notice (the second login from another user agent). The server records whether each message came over TLS:

- required + --smtp-ca-file (the certificate) → delivered over TLS;
- required without the CA (system trust store), or with a certificate for another name → nothing sent, the log says why;
- required with a relay that does not offer STARTTLS → nothing sent in clear;
- opportunistic → over TLS without verification (self-signed accepted); off → clear text even though TLS is offered.
"""
import email
import email.policy
import os
import ssl
import threading
import time

import pytest
import requests
from aiosmtpd.controller import Controller

from conftest import FAST_ARGS, Authd, free_port

PASSWORD = "correct horse battery"
SUBJECT = "New login to your account"


class Mailbox:
    """aiosmtpd handler keeping every message with whether its session ran TLS."""

    def __init__(self):
        self.messages = []
        self.lock = threading.Lock()

    async def handle_DATA(self, server, session, envelope):
        message = email.message_from_bytes(envelope.content, policy=email.policy.default)
        with self.lock:
            self.messages.append((session.ssl is not None, message))
        return "250 Message accepted for delivery"

    def wait(self, timeout=15):
        deadline = time.time() + timeout
        while time.time() < deadline:
            with self.lock:
                found = [m for m in self.messages if m[1]["Subject"] == SUBJECT]
            if found:
                return found
            time.sleep(0.1)
        return []


def make_certificate(directory, names):
    """A self-signed P-256 certificate for `names` (subjectAltName entries such as DNS:localhost, IP:127.0.0.1)."""
    import datetime
    import ipaddress

    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import NameOID

    key = ec.generate_private_key(ec.SECP256R1())
    subject = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "authd test relay")])
    alternatives = [x509.DNSName(n[4:]) if n.startswith("DNS:") else x509.IPAddress(ipaddress.ip_address(n[3:])) for n in names]
    now = datetime.datetime.now(datetime.timezone.utc)
    certificate = (x509.CertificateBuilder().subject_name(subject).issuer_name(subject).public_key(key.public_key())
                   .serial_number(x509.random_serial_number()).not_valid_before(now - datetime.timedelta(minutes=5))
                   .not_valid_after(now + datetime.timedelta(days=1))
                   .add_extension(x509.SubjectAlternativeName(alternatives), critical=False)
                   .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
                   .sign(key, hashes.SHA256()))
    cert, key_path = os.path.join(directory, "cert.pem"), os.path.join(directory, "key.pem")
    with open(cert, "wb") as handle:
        handle.write(certificate.public_bytes(serialization.Encoding.PEM))
    with open(key_path, "wb") as handle:
        handle.write(key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()))
    return cert, key_path


@pytest.fixture
def relay(workdir):
    """Starts aiosmtpd: `start(tls=True|False, names=[...])` → (port, mailbox, cert path or None)."""
    controllers = []

    def start(tls=True, names=("DNS:localhost", "IP:127.0.0.1")):
        mailbox = Mailbox()
        kwargs = {}
        cert = None
        if tls:
            directory = os.path.join(workdir, f"tls-{len(controllers)}")
            os.makedirs(directory)
            cert, key = make_certificate(directory, names)
            context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
            context.load_cert_chain(cert, key)
            kwargs = {"tls_context": context, "require_starttls": False}
        controller = Controller(mailbox, hostname="127.0.0.1", port=free_port(), **kwargs)
        controller.start()
        controllers.append(controller)
        return controller.port, mailbox, cert

    yield start
    for controller in controllers:
        controller.stop()


def run_authd(workdir, port, *extra):
    args = FAST_ARGS + ["--smtp", f"127.0.0.1:{port}", "--mail-from", "authd@example.test", *extra]
    return Authd(os.path.join(workdir, f"data-{port}"), extra_args=args)


def trigger_notice(server):
    """Registers and logs in from two user agents: the second login is a 'new login' notice."""
    r = requests.post(server.base + "/v1/users", json={"email": "ada@example.com", "password": PASSWORD}, timeout=10)
    assert r.status_code == 201, r.text
    for agent in ("Laptop/1", "Phone/2"):
        r = requests.post(server.base + "/v1/login/password", json={"email": "ada@example.com", "password": PASSWORD, "mode": "token"},
                          headers={"User-Agent": agent}, timeout=10)
        assert r.status_code == 200, r.text


def log_contains(server, text, timeout=15):
    deadline = time.time() + timeout
    while time.time() < deadline:
        server.log.flush()
        with open(server.log_path, encoding="utf-8", errors="replace") as handle:
            if text in handle.read():
                return True
        time.sleep(0.2)
    return False


def test_required_with_the_relay_certificate_delivers_over_tls(workdir, relay):
    port, mailbox, cert = relay(tls=True)
    server = run_authd(workdir, port, "--smtp-tls", "required", "--smtp-ca-file", cert)
    try:
        trigger_notice(server)
        found = mailbox.wait()
        assert found, "no notice delivered"
        assert all(over_tls for over_tls, _ in found)
    finally:
        assert server.stop() == 0


@pytest.mark.parametrize("case", ["system-trust-store", "wrong-name"])
def test_required_refuses_an_unverified_relay(workdir, relay, case):
    if case == "system-trust-store":
        port, mailbox, _ = relay(tls=True)
        extra = ["--smtp-tls", "required"]
    else:
        port, mailbox, cert = relay(tls=True, names=("DNS:mail.example.test",))
        extra = ["--smtp-tls", "required", "--smtp-ca-file", cert]
    server = run_authd(workdir, port, *extra)
    try:
        trigger_notice(server)
        assert log_contains(server, "certificate verification failed"), open(server.log_path).read()[-3000:]
        assert mailbox.wait(timeout=2) == []
    finally:
        assert server.stop() == 0


def test_required_never_sends_in_clear_to_a_relay_without_starttls(workdir, relay):
    port, mailbox, _ = relay(tls=False)
    server = run_authd(workdir, port, "--smtp-tls", "required")
    try:
        trigger_notice(server)
        assert log_contains(server, "does not offer STARTTLS"), open(server.log_path).read()[-3000:]
        assert mailbox.wait(timeout=2) == []
    finally:
        assert server.stop() == 0


def test_opportunistic_is_the_default_and_accepts_a_self_signed_relay(workdir, relay):
    port, mailbox, _ = relay(tls=True)
    server = run_authd(workdir, port)
    try:
        trigger_notice(server)
        found = mailbox.wait()
        assert found and all(over_tls for over_tls, _ in found)
    finally:
        assert server.stop() == 0


def test_off_sends_in_clear_even_when_offered(workdir, relay):
    port, mailbox, _ = relay(tls=True)
    server = run_authd(workdir, port, "--smtp-tls", "off")
    try:
        trigger_notice(server)
        found = mailbox.wait()
        assert found and not any(over_tls for over_tls, _ in found)
    finally:
        assert server.stop() == 0


def test_bytes_pipelined_after_the_starttls_reply_abort_the_session(workdir):
    """STARTTLS command injection (CVE-2011-0411 style): a reply with extra clear-text bytes after `220` must not be
    read as if it came over TLS; authd drops the session and never reaches MAIL FROM."""
    import socket

    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen(8)
    listener.settimeout(0.5)
    seen = []
    stop = threading.Event()

    def serve():
        while not stop.is_set():
            try:
                conn, _ = listener.accept()
            except OSError:
                continue
            with conn:
                conn.settimeout(5)
                conn.sendall(b"220 fake relay ESMTP\r\n")
                reader = conn.makefile("rb")
                try:
                    for raw in reader:
                        line = raw.decode("ascii", "replace").strip()
                        seen.append(line)
                        if line.upper().startswith("EHLO"):
                            conn.sendall(b"250-fake relay\r\n250 STARTTLS\r\n")
                        elif line.upper() == "STARTTLS":
                            conn.sendall(b"220 go ahead\r\n250 injected\r\n")
                        elif line.upper() == "QUIT":
                            conn.sendall(b"221 bye\r\n")
                            break
                        else:
                            conn.sendall(b"250 ok\r\n")
                except OSError:
                    pass

    thread = threading.Thread(target=serve, daemon=True)
    thread.start()
    port = listener.getsockname()[1]
    server = run_authd(workdir, port, "--smtp-tls", "required")
    try:
        trigger_notice(server)
        assert log_contains(server, "sent data after its STARTTLS reply"), open(server.log_path).read()[-3000:]
        assert not any(line.upper().startswith("MAIL FROM") for line in seen), seen
    finally:
        assert server.stop() == 0
        stop.set()
        listener.close()
        thread.join(timeout=5)
