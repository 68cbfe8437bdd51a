"""touchgen.importers.subscribers.parse_readers: dialect detection, delimiters and BOM, header errors, bad rows."""

from __future__ import annotations

from pathlib import Path

import pytest

from touchgen.errors import LocatedError
from touchgen.importers.subscribers import Row, parse_readers

from conftest import DATA


def csv_file(tmp_path: Path, text: str, name: str = "readers.csv") -> Path:
    path = tmp_path / name
    path.write_bytes(text.encode("utf-8"))
    return path


DIALECT_CASES = [
    pytest.param(
        "email,name,subscribed,created,source\n"
        "ada@example.com,Ada Lovelace,true,2026-01-05,friend\n"
        "gone@example.com,Gone Away,false,,\n",
        "plain",
        [Row(2, "ada@example.com", "Ada Lovelace", True, "2026-01-05T00:00:00Z", None, "friend"),
         Row(3, "gone@example.com", "Gone Away", False, None, None, None)],
        id="plain"),
    pytest.param(
        "Email,First_Name,Last_Name,Created_At\n"
        "ada@example.com,Ada,Lovelace,2026-01-05T09:00:00+01:00\n"
        "edsger@example.com,,Dijkstra,\n",
        "plain",
        [Row(2, "ada@example.com", "Ada Lovelace", True, "2026-01-05T08:00:00Z", None, None),
         Row(3, "edsger@example.com", "Dijkstra", True, None, None, None)],
        id="plain-first-last"),
    pytest.param(
        "email,active_subscription,expiry,email_disabled,created_at\n"
        "ada@example.com,false,,false,2026-01-05T09:12:00.000Z\n"
        "linus@example.net,false,,true,2026-03-01T08:30:00.000Z\n",
        "substack",
        [Row(2, "ada@example.com", "", True, "2026-01-05T09:12:00Z", None),
         Row(3, "linus@example.net", "", False, "2026-03-01T08:30:00Z", None)],
        id="substack-email-disabled"),
    pytest.param(
        "email,active_subscription,created_at\n"
        "grace@example.org,true,2026-02-10T14:00:00.000Z\n"
        "ada@example.com,false,2026-01-05T09:12:00.000Z\n",
        "substack",
        [Row(2, "grace@example.org", "", True, "2026-02-10T14:00:00Z", None),
         Row(3, "ada@example.com", "", True, "2026-01-05T09:12:00Z", None)],
        id="substack-active-subscription"),
    pytest.param(
        "Email Address,First Name,Last Name,MEMBER_RATING,OPTIN_TIME,CONFIRM_TIME,UNSUB_TIME,UNSUB_REASON\n"
        "margaret@example.com,Margaret,Hamilton,2,2026-03-10 10:00:00,2026-03-10 10:01:00,,\n"
        "barbara@example.com,Barbara,Liskov,2,,2026-02-01 10:00:00,2026-06-01 12:00:00,NORMAL\n",
        "mailchimp",
        [Row(2, "margaret@example.com", "Margaret Hamilton", True, "2026-03-10T10:00:00Z", None),
         Row(3, "barbara@example.com", "Barbara Liskov", False, "2026-02-01T10:00:00Z", "2026-06-01T12:00:00Z")],
        id="mailchimp"),
    pytest.param(
        "id,email,notes,metadata,secondary_id,subscriber_type,source,creation_date,subscription_date,"
        "unsubscription_date\n"
        "b1,donald@example.com,,{},1,regular,api,2026-05-01T09:00:00Z,2026-05-01T10:00:00Z,\n"
        "b2,frances@example.com,,{},2,unsubscribed,api,2026-05-02T10:00:00Z,2026-05-02T10:00:00Z,"
        "2026-07-01T10:00:00Z\n"
        "b3,spammy@example.com,,{},3,spammy,api,2026-05-03T10:00:00Z,,\n",
        "buttondown",
        [Row(2, "donald@example.com", "", True, "2026-05-01T10:00:00Z", None),
         Row(3, "frances@example.com", "", False, "2026-05-02T10:00:00Z", "2026-07-01T10:00:00Z"),
         Row(4, "spammy@example.com", "", False, "2026-05-03T10:00:00Z", None)],
        id="buttondown"),
    pytest.param(
        "id,email,name,note,subscribed_to_emails,complimentary_plan,created_at,deleted_at,labels\n"
        "64a1,alan@example.com,Alan Turing,,true,false,2026-04-01T10:00:00.000Z,,friends\n"
        "64a2,joan@example.com,Joan Clarke,,false,false,2026-04-02T10:00:00.000Z,,\n",
        "ghost",
        [Row(2, "alan@example.com", "Alan Turing", True, "2026-04-01T10:00:00Z", None),
         Row(3, "joan@example.com", "Joan Clarke", False, "2026-04-02T10:00:00Z", None)],
        id="ghost"),
    pytest.param(
        "uuid,email,name,attributes,status,created_at,updated_at\n"
        '5e5f,tim@example.com,Tim Berners-Lee,"{""city"": ""Geneva"", ""n"": 1}",enabled,'
        "2026-05-10 10:00:00.000000+00:00,2026-05-10 11:00:00.000000+00:00\n"
        "5e60,spam@example.com,Spammer,{},blocklisted,2026-05-11 10:00:00.000000+00:00,"
        "2026-05-12 10:00:00.000000+02:00\n",
        "listmonk",
        [Row(2, "tim@example.com", "Tim Berners-Lee", True, "2026-05-10T10:00:00Z", None),
         Row(3, "spam@example.com", "Spammer", False, "2026-05-11T10:00:00Z", "2026-05-12T08:00:00Z")],
        id="listmonk"),
]


@pytest.mark.parametrize("text, dialect, rows", DIALECT_CASES)
def test_each_dialect_is_detected_and_read(tmp_path, text, dialect, rows):
    assert parse_readers(csv_file(tmp_path, text)) == (dialect, rows, [])


@pytest.mark.parametrize("name, dialect, subscribed", [
    ("plain.csv", "plain", {"katherine@example.com": True, "edsger@example.com": True}),
    ("substack.csv", "substack", {"ada@example.com": True, "grace@example.org": True, "linus@example.net": False}),
    ("mailchimp.csv", "mailchimp", {"margaret@example.com": True, "ADA@example.com": True}),
    ("mailchimp-unsubscribed.csv", "mailchimp", {"barbara@example.com": False}),
    ("buttondown.csv", "buttondown", {"donald@example.com": True, "frances@example.com": False}),
    ("ghost.csv", "ghost", {"alan@example.com": True, "joan@example.com": False}),
    ("listmonk.csv", "listmonk", {"tim@example.com": True, "spam@example.com": False}),
], ids=lambda value: value if isinstance(value, str) else None)
def test_the_sample_exports(name, dialect, subscribed):
    found, rows, bad = parse_readers(DATA / name)
    assert (found, {row.email: row.subscribed for row in rows}, bad) == (dialect, subscribed, [])


@pytest.mark.parametrize("text, dialect, first_row", [
    ("\ufeffemail,name\nada@example.com,Ada\n", "plain",
     Row(2, "ada@example.com", "Ada", True, None, None)),
    ("email;name\nada@example.com;Ada, Countess\n", "plain",
     Row(2, "ada@example.com", "Ada, Countess", True, None, None)),
    ("\ufeffEmail Address;First Name;Last Name;UNSUB_TIME\nada@example.com;Ada;Lovelace;2026-06-01 12:00:00\n",
     "mailchimp", Row(2, "ada@example.com", "Ada Lovelace", False, None, "2026-06-01T12:00:00Z")),
    ("email\tname\nada@example.com\tAda\n", "plain",
     Row(2, "ada@example.com", "Ada", True, None, None)),
    ("email,name\r\nada@example.com,Ada\r\n", "plain",
     Row(2, "ada@example.com", "Ada", True, None, None)),
    ("  Email  , Name \n  ada@example.com  , Ada \n", "plain",
     Row(2, "ada@example.com", "Ada", True, None, None)),
], ids=["bom", "semicolons", "bom-semicolons-mailchimp", "tabs", "crlf", "padded"])
def test_delimiter_bom_and_line_endings(tmp_path, text, dialect, first_row):
    found, rows, bad = parse_readers(csv_file(tmp_path, text))
    assert (found, rows, bad) == (dialect, [first_row], [])


@pytest.mark.parametrize("text, found", [
    ("mail,name\nada@example.com,Ada\n", "mail, name"),
    ("E-mail;Name\nada@example.com;Ada\n", "e-mail, name"),
    ("ada@example.com,Ada\n", "ada@example.com, ada"),
], ids=["mail", "e-mail-semicolons", "no-header-line"])
def test_a_header_without_an_email_column(tmp_path, text, found):
    path = csv_file(tmp_path, text)
    with pytest.raises(LocatedError) as caught:
        parse_readers(path)
    assert str(caught.value) == (f"{path}:1: no email column in the header (found: {found}); "
                                 "the first line must name the columns, such as: email,name")
    assert (caught.value.path, caught.value.line) == (str(path), 1)


@pytest.mark.parametrize("text", ["", "\n\n", "  \n"], ids=["empty", "blank-lines", "spaces"])
def test_an_empty_file(tmp_path, text):
    path = csv_file(tmp_path, text)
    with pytest.raises(LocatedError) as caught:
        parse_readers(path)
    assert str(caught.value) == f"{path}: the file is empty (expected a header line such as: email,name)"
    assert caught.value.line is None


def test_a_header_alone_gives_no_rows(tmp_path):
    assert parse_readers(csv_file(tmp_path, "email,name\n")) == ("plain", [], [])


def test_bad_rows_come_back_with_their_line_numbers(tmp_path):
    path = csv_file(tmp_path, (
        "email,name,notes\n"               # 1
        "ada@example.com,Ada,\n"           # 2
        ",No Address,\n"                   # 3
        "not-an-address,Bad,\n"            # 4
        "\n"                               # 5: blank, skipped
        'grace@example.org,Grace,"one\n'   # 6: a note over two lines
        'two"\n'                           # 7
        "ann @example.com,Space,\n"        # 8
        "   ,Blank Address,\n"             # 9
    ))
    dialect, rows, bad = parse_readers(path)
    assert dialect == "plain"
    assert [(row.line, row.email) for row in rows] == [(2, "ada@example.com"), (6, "grace@example.org")]
    assert [(error.line, error.message) for error in bad] == [
        (3, "no email address"),
        (4, "'not-an-address' is not an email address"),
        (8, "'ann @example.com' is not an email address"),
        (9, "no email address"),
    ]
    assert str(bad[1]) == f"{path}:4: 'not-an-address' is not an email address"
    assert all(error.path == str(path) for error in bad)


def test_the_most_specific_dialect_wins(tmp_path):
    # listmonk's columns include a plain 'email' and 'name': it must not be read as plain.
    text = "uuid,email,name,status\nu1,ada@example.com,Ada,blocklisted\n"
    dialect, rows, _ = parse_readers(csv_file(tmp_path, text))
    assert (dialect, rows[0].subscribed) == ("listmonk", False)


@pytest.mark.parametrize("value, subscribed", [
    ("true", True), ("TRUE", True), ("1", True), ("yes", True), ("y", True), ("", True),
    ("false", False), ("0", False), ("no", False), ("unsubscribed", False),
], ids=lambda value: repr(value) if isinstance(value, str) else None)
def test_plain_subscribed_column(tmp_path, value, subscribed):
    _, rows, _ = parse_readers(csv_file(tmp_path, f"email,subscribed\nada@example.com,{value}\n"))
    assert rows[0].subscribed is subscribed


def test_a_date_that_cannot_be_read_is_left_empty(tmp_path):
    _, rows, bad = parse_readers(csv_file(tmp_path, "email,created\nada@example.com,last tuesday\n"))
    assert (rows[0].created, bad) == (None, [])
