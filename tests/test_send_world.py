"""Addresses of the whole world: an internationalised domain goes as IDNA, a non-ASCII local part
with SMTPUTF8 where the server offers it, and where it does not, that one message fails clearly."""

from __future__ import annotations

from email import policy
from email.parser import BytesParser

import pytest

from smtp_server import SmtpServer

WORLD = """email,name
ada@example.com,Ada
josé@exämple.com,José
ana@exämple.com,Ana
zoë@exämple.com,
"""


def configure(site, run, server) -> None:
    config = site / "touchgen.toml"
    config.write_text(config.read_text().replace("port = 587", f"port = {server.port}")
                      .replace('security = "starttls"', 'security = "none"'), encoding="utf-8")
    (site / "world.csv").write_text(WORLD, encoding="utf-8")
    assert run(site, "import", "readers", str(site / "world.csv")).stdout.endswith("4 added, 0 updated, 0 unchanged, "
                                                                                 "0 skipped\n")
    run(site, "build")


def test_every_address_arrives_where_the_server_speaks_smtputf8(site, run):
    with SmtpServer(smtputf8=True) as server:
        configure(site, run, server)
        result = run(site, "send", "welcome", "--yes")
        assert result.stdout.startswith("Sent 'Welcome: why I write on Mondays': 4 sent, ")
        assert sorted(server.handler.per_recipient()) == ["ada@example.com", "ana@xn--exmple-cua.com",
                                                          "josé@exämple.com", "zoë@exämple.com"]
        messages = {address: BytesParser(policy=policy.SMTPUTF8).parsebytes(data)
                    for address, data in server.handler.received}
        assert str(messages["josé@exämple.com"]["To"]) == "José <josé@exämple.com>"
        assert str(messages["ana@xn--exmple-cua.com"]["To"]) == "Ana <ana@xn--exmple-cua.com>"
        assert "Hi José," in messages["josé@exämple.com"].get_body(("plain",)).get_content()
        assert str(messages["zoë@exämple.com"]["To"]) == "zoë@exämple.com"  # no name: the address alone


def test_without_smtputf8_that_one_message_fails_and_the_run_goes_on(site, run):
    with SmtpServer(smtputf8=False) as server:
        configure(site, run, server)
        for _ in range(2):  # the next run fails it the same way: never "uncertain"
            result = run(site, "send", "welcome", "--yes", code=1)
            assert result.stderr == (
                "Error: 2 messages could not be sent (josé@exämple.com: the SMTP server does not offer SMTPUTF8, "
                "which the address josé@exämple.com needs; zoë@exämple.com: the SMTP server does not offer SMTPUTF8, "
                "which the address zoë@exämple.com needs); correct the reader (touchgen readers edit EMAIL --name) "
                "or the server, then run touchgen send welcome again\n")
        assert result.stdout == ("Sent 'Welcome: why I write on Mondays': 0 sent, 2 skipped as already sent, "
                                 "0 uncertain, 0 retried, 0 bounced, 2 failed\n")
        assert sorted(server.handler.per_recipient()) == ["ada@example.com", "ana@xn--exmple-cua.com"]


@pytest.mark.parametrize("address", ["ada@example.com\u2028Bcc: x@example.com", "ada@exa mple.com"],
                         ids=["line-separator", "space"])
def test_an_address_with_a_line_separator_is_refused(site, run, address):
    result = run(site, "readers", "add", address, code=2)
    assert result.stderr.endswith(f"Error: Invalid value for 'EMAIL': {address!r} is not an email address\n"
                                  .replace(repr(address), f"'{address}'"))


def test_a_dry_run_writes_every_address(site, run):
    with SmtpServer(smtputf8=False) as server:
        configure(site, run, server)
        result = run(site, "send", "welcome", "--dry-run")
        assert result.stdout.startswith("Wrote 4 messages of 'Welcome: why I write on Mondays' to data/outbox/welcome/")
        written = {path.name for path in (site / "data/outbox/welcome").iterdir()}
        assert written == {"ada@example.com.eml", "josé@exämple.com.eml", "ana@exämple.com.eml", "zoë@exämple.com.eml"}
        message = BytesParser(policy=policy.SMTPUTF8).parsebytes((site / "data/outbox/welcome/josé@exämple.com.eml")
                                                                 .read_bytes())
        assert str(message["To"]) == "José <josé@exämple.com>"
        assert server.handler.received == []
