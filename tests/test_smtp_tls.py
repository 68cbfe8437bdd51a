"""STARTTLS, implicit TLS and login against real aiosmtpd servers with a certificate the test trusts."""

from __future__ import annotations

import pytest
import trustme
from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult

from smtp_server import Handler, free_port


class Login:
    def __call__(self, server, session, envelope, mechanism, auth_data):
        return AuthResult(success=(auth_data.login, auth_data.password) == (b"jane", b"s3cret"), handled=False)


@pytest.fixture
def tls(tmp_path, monkeypatch):
    authority = trustme.CA()
    certificate = authority.issue_cert("127.0.0.1")
    bundle = tmp_path / "ca.pem"
    authority.cert_pem.write_to_path(str(bundle))
    monkeypatch.setenv("SSL_CERT_FILE", str(bundle))
    server_context = __import__("ssl").create_default_context(__import__("ssl").Purpose.CLIENT_AUTH)
    certificate.configure_cert(server_context)
    return server_context


def configure(site, port, security, username="jane"):
    config = site / "touchgen.toml"
    text = config.read_text()
    text = text.replace("port = 587", f"port = {port}").replace('security = "starttls"', f'security = "{security}"')
    text = text.replace('username = ""', f'username = "{username}"')
    config.write_text(text, encoding="utf-8")


@pytest.fixture
def tls_site(site, run):
    (site / "readers.csv").write_text("email,name\nada@example.com,Ada\n", encoding="utf-8")
    run(site, "import", "readers", str(site / "readers.csv"))
    run(site, "build")
    return site


@pytest.mark.filterwarnings("ignore:Requiring AUTH while not requiring TLS")
@pytest.mark.parametrize("security", ["starttls", "ssl"])
def test_tls_and_login(tls_site, run, tls, monkeypatch, security):
    handler = Handler()
    port = free_port()
    # aiosmtpd only counts STARTTLS as TLS for AUTH; with implicit TLS the whole session is encrypted.
    options = ({"tls_context": tls, "require_starttls": True} if security == "starttls"
               else {"ssl_context": tls, "auth_require_tls": False})
    controller = Controller(handler, hostname="127.0.0.1", port=port, authenticator=Login(), auth_required=True,
                            **options)
    controller.start()
    try:
        configure(tls_site, port, security)
        monkeypatch.setenv("TOUCHGEN_SMTP_PASSWORD", "wrong")
        refused = run(tls_site, "send", "welcome", "--yes", code=1)
        assert refused.stderr == (f"Error: the SMTP server 127.0.0.1:{port} refused the login of jane (535); "
                                  "check the password in $TOUCHGEN_SMTP_PASSWORD\n")
        monkeypatch.setenv("TOUCHGEN_SMTP_PASSWORD", "s3cret")
        result = run(tls_site, "send", "welcome", "--yes")
        assert [address for address, _ in handler.received] == ["ada@example.com"]
    finally:
        controller.stop()
