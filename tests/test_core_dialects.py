"""touchgen.importers.subscribers.parse_readers: dialect detection, delimiters and BOM, header errors, bad rows."""

from __future__ import annotations

from pathlib import Path

import pytest

from touchgen.errors import LocatedError
from touchgen.importers.services import Standing
from touchgen.importers.rows import parse_moment
from touchgen.importers.subscribers import Row, parse_readers

S, U, B, C = Standing.SUBSCRIBED, Standing.UNSUBSCRIBED, Standing.BOUNCED, Standing.UNCONFIRMED

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
        [Row(2, "ada@example.com", "Ada Lovelace", S, "2026-01-05T00:00:00Z", None, "friend"),
         Row(3, "gone@example.com", "Gone Away", U, None, None, None)],
        id="plain"),
    pytest.param(
        "Email,First_Name,Last_Name,Created_At\n"
        "ada@example.com,Ada,Lovelace,2026-01-05T09:00:00+01:00\n"
        "edsger@example.com,,Dijkstra,\n",
        "plain",
        [Row(2, "ada@example.com", "Ada Lovelace", S, "2026-01-05T08:00:00Z", None, None),
         Row(3, "edsger@example.com", "Dijkstra", S, None, None, None)],
        id="plain-first-last"),
    pytest.param(
        "email,active_subscription,expiry,email_disabled,created_at\n"
        "ada@example.com,false,,false,2026-01-05T09:12:00.000Z\n"
        "linus@example.net,false,,true,2026-03-01T08:30:00.000Z\n",
        "substack",
        [Row(2, "ada@example.com", "", S, "2026-01-05T09:12:00Z", None),
         Row(3, "linus@example.net", "", U, "2026-03-01T08:30:00Z", None)],
        id="substack-email-disabled"),
    pytest.param(
        "email,active_subscription,created_at\n"
        "grace@example.org,true,2026-02-10T14:00:00.000Z\n"
        "ada@example.com,false,2026-01-05T09:12:00.000Z\n",
        "substack",
        [Row(2, "grace@example.org", "", S, "2026-02-10T14:00:00Z", None),
         Row(3, "ada@example.com", "", S, "2026-01-05T09:12:00Z", None)],
        id="substack-active-subscription"),
    pytest.param(
        "Email Address,First Name,Last Name,MEMBER_RATING,OPTIN_TIME,CONFIRM_TIME,UNSUB_TIME,UNSUB_REASON\n"
        "margaret@example.com,Margaret,Hamilton,2,2026-03-10 10:00:00,2026-03-10 10:01:00,,\n"
        "barbara@example.com,Barbara,Liskov,2,,2026-02-01 10:00:00,2026-06-01 12:00:00,NORMAL\n",
        "mailchimp",
        [Row(2, "margaret@example.com", "Margaret Hamilton", S, "2026-03-10T10:00:00Z", None),
         Row(3, "barbara@example.com", "Barbara Liskov", U, "2026-02-01T10:00:00Z", "2026-06-01T12:00:00Z")],
        id="mailchimp"),
    pytest.param(
        "id,email,notes,metadata,secondary_id,subscriber_type,source,creation_date,subscription_date,"
        "unsubscription_date\n"
        "b1,donald@example.com,,{},1,regular,api,2026-05-01T09:00:00Z,2026-05-01T10:00:00Z,\n"
        "b2,frances@example.com,,{},2,unsubscribed,api,2026-05-02T10:00:00Z,2026-05-02T10:00:00Z,"
        "2026-07-01T10:00:00Z\n"
        "b3,spammy@example.com,,{},3,spammy,api,2026-05-03T10:00:00Z,,\n",
        "buttondown",
        [Row(2, "donald@example.com", "", S, "2026-05-01T10:00:00Z", None),
         Row(3, "frances@example.com", "", U, "2026-05-02T10:00:00Z", "2026-07-01T10:00:00Z"),
         Row(4, "spammy@example.com", "", U, "2026-05-03T10:00:00Z", None)],
        id="buttondown"),
    pytest.param(
        "id,email,name,note,subscribed_to_emails,complimentary_plan,created_at,deleted_at,labels\n"
        "64a1,alan@example.com,Alan Turing,,true,false,2026-04-01T10:00:00.000Z,,friends\n"
        "64a2,joan@example.com,Joan Clarke,,false,false,2026-04-02T10:00:00.000Z,,\n",
        "ghost",
        [Row(2, "alan@example.com", "Alan Turing", S, "2026-04-01T10:00:00Z", None),
         Row(3, "joan@example.com", "Joan Clarke", U, "2026-04-02T10:00:00Z", None)],
        id="ghost"),
    pytest.param(
        "uuid,email,name,attributes,status,created_at,updated_at\n"
        '5e5f,tim@example.com,Tim Berners-Lee,"{""city"": ""Geneva"", ""n"": 1}",enabled,'
        "2026-05-10 10:00:00.000000+00:00,2026-05-10 11:00:00.000000+00:00\n"
        "5e60,spam@example.com,Spammer,{},blocklisted,2026-05-11 10:00:00.000000+00:00,"
        "2026-05-12 10:00:00.000000+02:00\n",
        "listmonk",
        [Row(2, "tim@example.com", "Tim Berners-Lee", S, "2026-05-10T10:00:00Z", None),
         Row(3, "spam@example.com", "Spammer", U, "2026-05-11T10:00:00Z", "2026-05-12T08:00:00Z")],
        id="listmonk-iso"),
    pytest.param(  # what listmonk's export writes: Go's time.String(), with a zone name or a bare offset
        "uuid,email,name,attributes,status,created_at,updated_at\n"
        "u1,tim@example.com,Tim,{},enabled,2023-05-01 14:03:22.123456 +0000 UTC,2023-05-02 09:00:00 +0000 UTC\n"
        "u2,vint@example.com,Vint,{},disabled,2023-05-01 14:03:22.123456789 +0530 IST,2024-01-02 03:04:05.6 -0700 MST\n"
        "u3,spam@example.com,Spam,{},blocklisted,2023-05-01 14:03:22.540526 +0000 +0000,"
        "2023-06-01 10:00:00 +0200 CEST m=+0.000123\n",
        "listmonk",
        [Row(2, "tim@example.com", "Tim", S, "2023-05-01T14:03:22Z", None),
         Row(3, "vint@example.com", "Vint", U, "2023-05-01T08:33:22Z", "2024-01-02T10:04:05Z"),
         Row(4, "spam@example.com", "Spam", U, "2023-05-01T14:03:22Z", "2023-06-01T08:00:00Z")],
        id="listmonk-go-dates"),
    pytest.param(  # beehiiv's full export: tiers and UTM columns; an unsubscribed_at date wins over 'active'
        "email,status,created_at,subscription_tier,subscription_premium_tier_names,stripe_customer_id,utm_source,"
        "utm_medium,utm_channel,utm_campaign,referring_site,referral_code,first_name,last_name,unsubscribed_at\n"
        'ada@example.com,active,2023-05-01T14:03:22Z,premium,"Gold, Annual",cus_1,twitter,social,,launch,'
        "https://example.org/,REF1,Ada,Lovelace,\n"
        "bob@example.com,active,2023-05-02 09:00:00 UTC,free,,,,,,,,,,,2024-02-01 10:00:00 UTC\n"
        "cy@example.com,invalid,2023-05-03 09:00:00 UTC,free,,,,,,,,,Cy,,\n"
        "di@example.com,needs_attention,2023-05-04 09:00:00 UTC,free,,,,,,,,,,Di,\n"
        "ed@example.com,Validating,2023-05-05 09:00:00 UTC,free,,,,,,,,,,,\n",
        "beehiiv",
        [Row(2, "ada@example.com", "Ada Lovelace", S, "2023-05-01T14:03:22Z", None),
         Row(3, "bob@example.com", "", U, "2023-05-02T09:00:00Z", "2024-02-01T10:00:00Z"),
         Row(4, "cy@example.com", "Cy", B, "2023-05-03T09:00:00Z", None),
         Row(5, "di@example.com", "Di", C, "2023-05-04T09:00:00Z", None),
         Row(6, "ed@example.com", "", C, "2023-05-05T09:00:00Z", None)],
        id="beehiiv-full"),
    pytest.param(  # Kit without a state column (an export of one segment): on the list
        "first_name,email_address,created_at,tags\n"
        'Ada,ada@example.com,2023-01-15T10:30:00.000Z,"a, b"\n',
        "kit",
        [Row(2, "ada@example.com", "Ada", S, "2023-01-15T10:30:00Z", None)],
        id="kit-no-state"),
    pytest.param(  # MailerLite without a status column: the Unsubscribed date says who left
        "Email,Name,Last name,Subscribed,Unsubscribed,State\n"
        "ada@example.com,Ada,Lovelace,2021-08-31 14:22:08,,California\n"
        "bob@example.com,Bob,,2021-08-31 14:22:08,2022-01-01 00:00:00,Texas\n",
        "mailerlite",
        [Row(2, "ada@example.com", "Ada Lovelace", S, "2021-08-31T14:22:08Z", None),
         Row(3, "bob@example.com", "Bob", U, "2021-08-31T14:22:08Z", "2022-01-01T00:00:00Z")],
        id="mailerlite-no-status"),
    pytest.param(  # an unsubscribe column that holds yes or no rather than a date
        "Email,Name,Last name,Subscribed,Unsubscribed\n"
        "ada@example.com,Ada,,2021-08-31 14:22:08,false\n"
        "bob@example.com,Bob,,2021-08-31 14:22:08,yes\n",
        "mailerlite",
        [Row(2, "ada@example.com", "Ada", S, "2021-08-31T14:22:08Z", None),
         Row(3, "bob@example.com", "Bob", U, "2021-08-31T14:22:08Z", None)],
        id="mailerlite-unsubscribed-flag"),
    pytest.param(
        "id,email,notes,subscriber_type,creation_date,subscription_date,unsubscription_date\n"
        "b1,ann@example.com,,unactivated,2026-05-01T09:00:00Z,,\n"
        "b2,bea@example.com,,undeliverable,2026-05-01T09:00:00Z,2026-05-01T10:00:00Z,\n"
        "b3,cat@example.com,,premium,2026-05-01T09:00:00Z,2026-05-01T10:00:00Z,\n",
        "buttondown",
        [Row(2, "ann@example.com", "", C, "2026-05-01T09:00:00Z", None),
         Row(3, "bea@example.com", "", B, "2026-05-01T10:00:00Z", None),
         Row(4, "cat@example.com", "", S, "2026-05-01T10:00:00Z", None)],
        id="buttondown-types"),
]


@pytest.mark.parametrize("text, dialect, rows", DIALECT_CASES)
def test_each_dialect_is_detected_and_read(tmp_path, text, dialect, rows):
    assert parse_readers(csv_file(tmp_path, text)) == (dialect, rows, [])


@pytest.mark.parametrize("name, dialect, standings", [
    ("plain.csv", "plain", {"katherine@example.com": S, "edsger@example.com": S}),
    ("substack.csv", "substack", {"ada@example.com": S, "grace@example.org": S, "linus@example.net": U}),
    ("mailchimp.csv", "mailchimp", {"margaret@example.com": S, "ADA@example.com": S}),
    ("mailchimp-unsubscribed.csv", "mailchimp", {"barbara@example.com": U}),
    ("mailchimp-cleaned.csv", "mailchimp", {f"c{n}@example.com": B for n in range(1, 6)}),
    ("buttondown.csv", "buttondown", {"donald@example.com": S, "frances@example.com": U}),
    ("ghost.csv", "ghost", {"alan@example.com": S, "joan@example.com": U}),
    ("listmonk.csv", "listmonk", {"tim@example.com": S, "spam@example.com": U}),
    ("beehiiv.csv", "beehiiv", {"lorem@example.com": S, "ipsum@example.com": S, "dolor@example.com": U,
                                "simet@example.com": U, "amett@example.com": C, "elit@example.com": S,
                                "nullfirst@example.com": S, "unsublit@example.com": U, "fromsubstack@example.com": S}),
    ("kit.csv", "kit", {"ada@example.com": S, "grace@example.org": U, "linus@example.net": B,
                        "barbara@example.com": U, "alan@example.com": C, "margaret@example.com": S}),
    ("mailerlite.csv", "mailerlite", {"ada@example.com": S, "grace@example.org": U, "linus@example.net": B,
                                      "alan@example.com": C, "joan@example.com": U}),
    ("tinynews.csv", "tiny news", {"lorem@example.com": U, "dolor@example.com": S}),
    ("tinynews-v1.csv", "tiny news", {"lorem@example.com": S, "dolor@example.com": U, "nosub@example.com": U}),
], ids=lambda value: value if isinstance(value, str) else None)
def test_the_sample_exports(name, dialect, standings):
    found, rows, bad = parse_readers(DATA / name)
    assert (found, {row.email: row.standing for row in rows}, bad) == (dialect, standings, [])


@pytest.mark.parametrize("name", ["beehiiv.csv", "kit.csv", "mailerlite.csv", "tinynews.csv", "listmonk.csv"])
def test_a_bom_and_crlf_change_nothing(tmp_path, name):
    text = (DATA / name).read_bytes().decode("utf-8-sig").replace("\r\n", "\n")
    as_saved = csv_file(tmp_path, "\ufeff" + text.replace("\n", "\r\n"))
    assert parse_readers(as_saved) == parse_readers(csv_file(tmp_path, text, "plain-lf.csv"))


def test_names_and_dates_of_the_new_exports():
    rows = {row.email: row for row in parse_readers(DATA / "beehiiv.csv")[1]}
    # First and last names are joined and trimmed; beehiiv writes its dates as Rails does.
    assert [rows[e].name for e in ("lorem@example.com", "ipsum@example.com", "dolor@example.com",
                                    "nullfirst@example.com")] == ["Lorem Name", "Ipsum Name", "Dolor Name", "Last Only"]
    assert (rows["unsublit@example.com"].created, rows["unsublit@example.com"].left) == (
        "2023-04-11T14:02:46Z", "2024-03-13T11:33:53Z")
    kit = {row.email: row for row in parse_readers(DATA / "kit.csv")[1]}
    assert (kit["ada@example.com"].name, kit["ada@example.com"].created) == ("Ada Lovelace", "2023-01-15T10:30:00Z")
    tiny = {row.email: row for row in parse_readers(DATA / "tinynews-v1.csv")[1]}
    assert (tiny["dolor@example.com"].name, tiny["lorem@example.com"].created) == (
        "Dolor Simet", "2022-10-28T22:18:42Z")


@pytest.mark.parametrize("text, dialect, first_row", [
    ("\ufeffemail,name\nada@example.com,Ada\n", "plain",
     Row(2, "ada@example.com", "Ada", S, None, None)),
    ("email;name\nada@example.com;Ada, Countess\n", "plain",
     Row(2, "ada@example.com", "Ada, Countess", S, None, None)),
    ("\ufeffEmail Address;First Name;Last Name;UNSUB_TIME\nada@example.com;Ada;Lovelace;2026-06-01 12:00:00\n",
     "mailchimp", Row(2, "ada@example.com", "Ada Lovelace", U, None, "2026-06-01T12:00:00Z")),
    ("email\tname\nada@example.com\tAda\n", "plain",
     Row(2, "ada@example.com", "Ada", S, None, None)),
    ("email,name\r\nada@example.com,Ada\r\n", "plain",
     Row(2, "ada@example.com", "Ada", S, None, None)),
    ("  Email  , Name \n  ada@example.com  , Ada \n", "plain",
     Row(2, "ada@example.com", "Ada", S, None, None)),
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
    assert (dialect, rows[0].standing) == ("listmonk", U)


@pytest.mark.parametrize("value, standing", [
    ("true", S), ("TRUE", S), ("1", S), ("yes", S), ("y", S), ("", S),
    ("false", U), ("0", U), ("no", U), ("unsubscribed", U),
], ids=lambda value: repr(value) if isinstance(value, str) else None)
def test_plain_subscribed_column(tmp_path, value, standing):
    _, rows, _ = parse_readers(csv_file(tmp_path, f"email,subscribed\nada@example.com,{value}\n"))
    assert rows[0].standing is standing


def test_a_date_that_cannot_be_read_is_left_empty_and_named(tmp_path):
    _, rows, bad = parse_readers(csv_file(tmp_path, "email,created\nada@example.com,last tuesday\n"))
    assert (rows[0].created, rows[0].unreadable, bad) == (None, (("joining", "last tuesday"),), [])


@pytest.mark.parametrize("text, moment", [
    ("2023-05-01T14:03:22Z", "2023-05-01T14:03:22Z"),
    ("2023-05-01T14:03:22.000Z", "2023-05-01T14:03:22Z"),
    ("2023-05-01T14:03:22z", "2023-05-01T14:03:22Z"),
    ("2023-05-01T16:03:22+02:00", "2023-05-01T14:03:22Z"),
    ("2023-05-01 09:03:22.000000-05:00", "2023-05-01T14:03:22Z"),
    ("2023-05-01 14:03:22 UTC", "2023-05-01T14:03:22Z"),
    ("2023-05-01 14:03:22 GMT", "2023-05-01T14:03:22Z"),
    ("2023-05-01 14:03:22", "2023-05-01T14:03:22Z"),
    ("2023-05-01", "2023-05-01T00:00:00Z"),
    ("2023-05-01 14:03:22.123456 +0000 UTC", "2023-05-01T14:03:22Z"),
    ("2023-05-01 19:33:22.123456789 +0530 IST", "2023-05-01T14:03:22Z"),
    ("2023-05-01 14:03:22.540526 +0000 +0000", "2023-05-01T14:03:22Z"),
    ("2023-05-01 07:03:22 -0700 MST m=+0.000123", "2023-05-01T14:03:22Z"),
    ("2023-05-01 16:03:22 +0200", "2023-05-01T14:03:22Z"),
    ("  2023-05-01T14:03:22Z  ", "2023-05-01T14:03:22Z"),
    ("", None), ("last tuesday", None), ("05/01/2023", None), ("1682949802", None),
    ("2023-13-01 14:03:22", None), ("9999-12-31T23:59:59-12:00", None),
], ids=lambda value: repr(value) if isinstance(value, str) else None)
def test_dates_as_the_services_write_them(text, moment):
    assert parse_moment(text) == moment


@pytest.mark.parametrize("text, message", [
    ("email,status,created_at,tier\nada@example.com,paused,2023-05-01 14:03:22 UTC,free\n",
     "status 'paused' is not a beehiiv status touchgen knows (active, inactive, pending, validating, needs_attention, "
     "invalid)"),
    ("email,status,created_at,tier\nada@example.com,,2023-05-01 14:03:22 UTC,free\n",
     "status is empty (beehiiv writes one of: active, inactive, pending, validating, needs_attention, invalid)"),
    ("first_name,email_address,state\nAda,ada@example.com,sleeping\n",
     "state 'sleeping' is not a Kit status touchgen knows (active, cold, inactive, unconfirmed, cancelled, canceled, "
     "unsubscribed, complained, bounced)"),
    ("Email,Name,Last name,Status\nada@example.com,Ada,L,spam\n",
     "status 'spam' is not a MailerLite status touchgen knows (active, unsubscribed, unconfirmed, bounced, junk)"),
    ("uuid,email,name,status\nu1,ada@example.com,Ada,paused\n",
     "status 'paused' is not a listmonk status touchgen knows (enabled, disabled, blocklisted)"),
    ("id,email,subscriber_type\nb1,ada@example.com,vip\n",
     "subscriber_type 'vip' is not a Buttondown status touchgen knows (regular, premium, trialed, gifted, churning, "
     "past_due, unpaid, paused, unactivated, unsubscribed, removed, spammy, complained, disabled, undeliverable)"),
    ("email,date added,last modified,status\nada@example.com,2022-01-01,2022-01-02,Archived\n",
     "status 'Archived' is not a Tiny News status touchgen knows (subscribed, unsubscribed, pending, cleaned)"),
    ('"Channel id",Status,Email\n1234,yes,ada@example.com\n',
     "status 'yes' is not a Tiny News status number (1 or 2: subscribed, others: not)"),
], ids=["beehiiv", "beehiiv-empty", "kit", "mailerlite", "listmonk", "buttondown", "tiny-news", "tiny-news-numbered"])
def test_a_status_the_service_never_writes_is_a_bad_row(tmp_path, text, message):
    _, rows, bad = parse_readers(csv_file(tmp_path, text))
    assert (rows, [(error.line, error.message) for error in bad]) == ([], [(2, message)])


@pytest.mark.parametrize("text, line, column, value", [
    ("email,name,status\nada@example.com,Ada,active\nbob@example.com,Bob,inactive\n", 3, "status", "inactive"),
    ("email,state\nada@example.com,California\n", 2, "state", "California"),
    ("email,subscription_status\nada@example.com,paused\n", 2, "subscription_status", "paused"),
    ("Email;Email Status\nada@example.com;Bounced\n", 2, "email status", "Bounced"),
    ("email,unsubscribed_at\nada@example.com,\nbob@example.com,2024-01-02\n", 3, "unsubscribed_at", "2024-01-02"),
    ("email,unsubscribed\nada@example.com,yes\n", 2, "unsubscribed", "yes"),
    ("email,unsub_reason\nada@example.com,too many emails\n", 2, "unsub_reason", "too many emails"),
], ids=["status", "state", "subscription-status", "email-status", "unsubscribed-at", "unsubscribed", "unsub-reason"])
def test_a_status_column_of_no_known_export_is_refused(tmp_path, text, line, column, value):
    path = csv_file(tmp_path, text)
    with pytest.raises(LocatedError) as caught:
        parse_readers(path)
    assert str(caught.value) == (
        f"{path}:{line}: {column} {value!r} may mean this reader is not subscribed, but the file is not an export "
        f"touchgen knows, so nothing was imported (write a subscribed column with true or false instead, or remove "
        f"{column} to import everyone as subscribed)")


@pytest.mark.parametrize("text", [
    "email,status\nada@example.com,active\nbob@example.com,Subscribed\ncy@example.com,\n",
    "email,unsubscribed,unsubscribed_at\nada@example.com,false,\nbob@example.com,no,\n",
    "email,name,subscribed,created,source\nada@example.com,Ada,false,,\n",  # touchgen's own export
], ids=["all-active", "none-unsubscribed", "touchgen-export"])
def test_a_status_column_that_says_nothing_odd_is_read(tmp_path, text):
    dialect, rows, bad = parse_readers(csv_file(tmp_path, text))
    assert (dialect, bad) == ("plain", []) and rows
