"""Generated malformed input, a few hundred of each kind: posts (front matter and body), settings,
CSV rows, mail messages (made with the email package, and raw and broken), calendars, and dry-run
sends of generated posts. Every command must exit 0, 1 or 2, never with a traceback, and leave
output/ unchanged or complete. Fixed seeds: a failure is the same failure on every run. Many inputs
go to one command (a batch of posts in one build, of rows in one file, of messages in one mailbox),
and commands run in this process, so the file stays fast."""

from __future__ import annotations

import csv
import io
import random
import re
from email.message import EmailMessage
from email.policy import SMTPUTF8
from email.utils import format_datetime
from pathlib import Path
import datetime as dt

from click.testing import CliRunner

from touchgen.cli import cli

from conftest import counts, tree

SEED = 2026

# Pieces that have broken parsers before: YAML and TOML syntax, control and bidirectional characters,
# template and placeholder syntax, markdown structure.
PIECES = ["---", "+++", "title:", "date:", "tags:", "summary:", "slug:", "draft:", "[", "]", "{", "}", "&a", "*a",
          "!!python/object:os.system", "2026-13-45", "2026-11-16", "9999-12-31", "0001-01-01", "yes", "null", "~",
          "\x00", "\x0b", "\x1b[31m", "\ufffe", "\u202e", "\u2066", "é", "\u2028", "'", '"', ":", "- ", "\t", "   ",
          "\n", "\r\n", "\r", "<script>", "{{ x }}", "{% raw %}", "{% endraw %}", "%%FIRST_NAME%%", "```", "~~~",
          "|", ">", "#", "\\", "[^1]", "[^1]: note", "![x](missing.png)", "[a](../../../etc/passwd)",
          "[b](javascript:alert(1))", "<!--", "-->", "&amp;", "&#0;", "\ufeff", "𝓤𝓷𝓲𝓬𝓸𝓭𝓮", "ـ"]


def mutate(rng: random.Random, text: str, count: int) -> str:
    """`text` with `count` random edits: a piece inserted, a stretch deleted, or random characters."""
    for _ in range(count):
        at = rng.randrange(len(text) + 1)
        action = rng.random()
        if action < 0.5:
            text = text[:at] + rng.choice(PIECES) + text[at:]
        elif action < 0.8:
            text = text[:at] + text[at + rng.randrange(1, 20):]
        else:
            text = text[:at] + "".join(chr(rng.randrange(1, 0x3000)) for _ in range(rng.randrange(1, 5))) + text[at:]
    return text


def invoke(*args: str):
    """Run touchgen in this process: exit 0, 1 or 2, and nothing that would print a traceback."""
    result = CliRunner().invoke(cli, list(args), catch_exceptions=True)
    assert result.exception is None or isinstance(result.exception, SystemExit), (
        f"touchgen {' '.join(args[:5])}... raised {type(result.exception).__name__}: {result.exception}")
    assert result.exit_code in (0, 1, 2), result.output
    assert "Traceback" not in result.output
    return result


def look_around(site: Path) -> None:
    """What was imported, read back by the commands that show it: listings, the funnel, the daily touch
    and each of a few people (a value an import let in must not break them)."""
    for command in (["readers", "list"], ["readers", "export"], ["funnel", "--by-post"],
                    ["touch", "today", "--today", "2026-11-23"], ["touch", "stats", "--today", "2026-11-23"]):
        assert invoke("--site", str(site), *command).exit_code == 0
    emails = invoke("--site", str(site), "readers", "export").stdout.splitlines()[1:]
    for line in emails[::max(1, len(emails) // 8)]:
        invoke("--site", str(site), "readers", "show", next(csv.reader([line]))[0], "--today", "2026-11-23")


# Posts

FRONT = {  # key: (values a writer uses, values that are broken or odd)
    "title": (["Good", "Привет, мир", "中文标题", "'A: colon'", "C++ and C#", "\"Quoted \\\"inner\\\"\""],
              ["", "yes", "123", "3.5", "[a, b]", "{a: 1}", "A: colon", "# hash", "x" * 300, "\u202eevil",
               "line\\nbreak", "|", ">", "&a", "*a", "!!binary AAAA", "~", "{{ site.title }}"]),
    "date": (["2026-11-16", "2026-11-09T09:00:00", "2026-10-26T09:00:00+02:00", "2026-11-02 09:00"],
             ["2026-11-16T09:00:00+25:00", "2026-02-30", "9999-12-31", "0001-01-01", "16-11-2026", "tomorrow", "",
              "[2026]", "2026-11-16T24:00:00Z", "1899-12-31", "20261116", "2027-01-04"]),
    "tags": (["[a, b]", "a, b", "[]", "[C++, C#, C]", "[Привет]", "- a\n  - b"],
             ["[yes, no]", "[[nested]]", "[{a: 1}]", "['', ' ']", "[\u202etag]", "[!!!]", "42",
              "[" + ", ".join(f"t{n}" for n in range(50)) + "]"]),
    "slug": (["fine-{n}", "also-fine-{n}"], ["Not Fine", "a--b", "-x", "posts", "tags", "x" * 200, "é", "", "a/b",
                                             "../up", "static", "feed-xml", "welcome"]),
    "summary": (["A *summary*", "**bold** [link](x/)", "|\n  multi\n  ---\n  line", ">\n  folded", "'%%FIRST_NAME%%'"],
                ["", "<script>alert(1)</script>", "x" * 5000, "{{ site.title }}", "\x0c form feed", "[^1]", "[1, 2]"]),
    "draft": (["false", "true"], ["yes", "maybe", "1", "[]"]),
    "unknown_key": (["x"], ["[1, 2]", "{a: [b]}"]),
}
BODIES = ["Plain words.", "- a\n  - b\n    - c", "```python\nprint(1)\n```", "```\nnever closed", "| a | b |\n|---|\n| 1 |",
          "Footnote[^1] without a definition.", "[^1]: a definition without a reference",
          "![image](missing.png) and [a page](../nowhere/)", "<div><span>unclosed", "{{ jinja }} {% if %}",
          "%%UNSUBSCRIBE_URL%% %%FIRST_NAME%%", "> quote\n>> deeper\n>>> deeper", "# H1\n## H2\n###### H6\n####### H7",
          "Smart \"quotes\" -- and --- dashes...", "    indented code\n\tand a tab", "* * *\n___", "<!-- comment",
          "[link](javascript:alert(1)) [mail](mailto:a@b)", "Line with trailing spaces  \nhard break",
          "\n".join("    " * depth + "- deep" for depth in range(40)), "> " * 60 + "very quoted",
          "[toc]\n\n## Section {#custom-id}", "```mermaid\ngraph\n```", "Text\x00with\x0bcontrols\x1b[0m",
          "\u2067שלום\u2069 prose", "`code \u202e inline`", "Ünïcödé 𝓤𝓷𝓲𝓬𝓸𝓭𝓮 " * 20, "<https://example.com/auto>",
          "Term\n: definition", "H~2~O and x^2^", "[ref][missing]", "[ref]\n\n[ref]: https://example.com 'title'"]


def generated_post(rng: random.Random, number: int) -> str:
    """A post from front matter values (more or fewer of them odd, a key missing or given twice, the
    delimiters wrong now and then) and a body of markdown pieces; some of them then mutated."""
    odd = rng.choice([0.0, 0.05, 0.2, 0.5])
    lines = []
    for key, (good, broken) in FRONT.items():
        if key in ("title", "date") and rng.random() > odd / 2 or rng.random() < 0.4:
            value = rng.choice(broken if rng.random() < odd else good).replace("{n}", str(number))
            lines.append(f"{key}: {value}")
            if rng.random() < odd / 10:
                lines.append(f"{key}: {rng.choice(good)}")  # a key twice
    rng.shuffle(lines)
    opening, closing = ("---", "---") if rng.random() > odd / 3 else rng.choice([("+++", "+++"), ("---", ""), ("", "---")])
    body = "\n\n".join(rng.choice(BODIES) for _ in range(rng.randrange(1, 5)))
    text = f"{opening}\n" + "\n".join(lines) + f"\n{closing}\n\n{body}\n"
    if opening == "+++":
        text = text.replace(": ", " = ", len(lines))
    return mutate(rng, text, rng.randrange(1, 4)) if rng.random() < odd else text


def build_until_it_passes(site: Path, posts: list[Path]) -> None:
    """Build; a failed build must leave output/ as it was and name the posts it refused, which are
    removed before building again, until a build passes and writes a complete tree."""
    output = site / "output"
    while True:
        before = tree(output)
        result = invoke("--site", str(site), "build")
        leftovers = sorted(path.name for path in output.iterdir())
        assert leftovers == [".cache", "newsletter", "site"], f"staging left behind: {leftovers}"
        if result.exit_code == 0:
            built = int(re.search(r"Built (\d+) posts?", result.stdout).group(1))
            assert len(list((output / "site/posts").iterdir())) == built  # complete: every page and email
            assert len(list((output / "newsletter").iterdir())) == built
            return
        assert tree(output) == before, f"a failed build changed output/:\n{result.stderr}"
        errors = "\n".join(line for line in result.stderr.splitlines() if line.lower().startswith("error: "))
        refused = [path for path in posts if path.exists() and f"content/posts/{path.name}" in errors]
        assert refused, f"a build failed without naming a post:\n{result.stderr}"
        for path in refused:
            path.unlink()


def test_generated_posts_build_or_are_refused_and_dry_runs_send_them(site):
    rng = random.Random(f"{SEED}-posts")
    (site / "readers.csv").write_text("email,name\nada@example.com,Ada\nzoë@exämple.com,Zoë\n"
                                      "o'brien+news@example.com,\"O'Brien, Pat\"\n", encoding="utf-8")
    invoke("--site", str(site), "import", "readers", str(site / "readers.csv"))
    invoke("--site", str(site), "build")
    dry_runs = 0
    for batch in range(12):
        posts = []
        for number in range(25):
            day = dt.date(2026, 1, 5) + dt.timedelta(days=7 * number)
            path = site / "content/posts" / f"{day.isoformat()}-fuzz-{batch}-{number}.md"
            path.write_bytes(generated_post(rng, batch * 25 + number).encode("utf-8", "surrogatepass"))
            posts.append(path)
        build_until_it_passes(site, posts)
        for slug in sorted(path.name for path in (site / "output/newsletter").iterdir())[:4]:
            result = invoke("--site", str(site), "send", slug, "--dry-run")
            dry_runs += result.exit_code == 0
        for path in posts:
            path.unlink(missing_ok=True)
    assert dry_runs > 30  # the generator makes posts that pass, too


# Settings

SETTING_VALUES = ['""', '"x"', "0", "-1", "99999999999999999999", "1.5", "true", "[]", '["a", 1]', "{}", '{a = 1}',
                  '"\\u202e"', '"\\u0000"', '"line\\nbreak"', '"Europe/Nowhere"', '"friday"', '"ftp://x"',
                  '"Jane <jane@>"', '"<>"', '"https://"', '"http://[::1"', '["2026-02-30"]', '["sun", "funday"]',
                  "2026-11-16", '"éèê"', '"' + "x" * 2000 + '"']


def generated_settings(rng: random.Random, base: str) -> str:
    lines = base.splitlines()
    for _ in range(rng.randrange(1, 4)):
        at = rng.randrange(len(lines))
        if "=" in lines[at] and rng.random() < 0.7:
            lines[at] = lines[at].split("=")[0] + "= " + rng.choice(SETTING_VALUES)
        elif rng.random() < 0.5:
            lines.insert(at, rng.choice(["[site]", "[site.extra]", "[[touches]]", "unknown = 1", "title = \"twice\"",
                                         "[touches.cadence]", "port = 25"]))
        else:
            del lines[at]
    text = "\n".join(lines) + "\n"
    return mutate(rng, text, rng.randrange(1, 3)) if rng.random() < 0.3 else text


def test_generated_settings(site):
    rng = random.Random(f"{SEED}-settings")
    config = site / "touchgen.toml"
    base = config.read_text(encoding="utf-8")
    invoke("--site", str(site), "build")
    seen: set[str] = set()
    for _ in range(300):
        text = generated_settings(rng, base)
        if text in seen:
            continue
        seen.add(text)
        config.write_bytes(text.encode("utf-8", "surrogatepass"))
        before = tree(site / "output")
        result = invoke("--site", str(site), "build")
        if result.exit_code != 0:
            assert tree(site / "output") == before, result.stderr
    assert len(seen) > 250


# CSV rows

HEADERS = [
    "email,name", "email,name,subscribed,created", "Email Address,First Name,Last Name,OPTIN_TIME,UNSUB_TIME",
    "email,active_subscription,expiry,email_disabled,created_at", "id,email,name,note,subscribed_to_emails,created_at",
    "id,email,notes,subscriber_type,subscription_date,unsubscription_date",
    "uuid,email,name,attributes,status,created_at,updated_at", "email,email,name", "name", "", "EMAIL , Name ",
]
FIELDS = ["0001-01-01T00:00:00Z", "1899-12-31", "ada@example.com", "ADA@EXAMPLE.COM", "zoë@exämple.com", "not an address", "a@b", "@example.com",
          "a@@example.com", "<ada@example.com>", "Ada <ada@example.com>", "", " ", "true", "false", "yes", "maybe",
          "2026-11-16", "2026-11-16T09:00:00Z", "9999-12-31", "0001-01-01", "someday", "1700000000", "=1+1",
          "@SUM(A1)", "+cmd", "Ada\r\nBcc: x@y", "Zoë Ünïcode", "\u202eevil", "x" * 300, '"quoted"', '"open',
          "a,b", "blocklisted", "enabled", "unsubscribed", "regular", "{}", "null", "\x00", "\t"]


def generated_csv(rng: random.Random) -> bytes:
    """Ten rows under a header an export service writes (or a broken one): addresses mostly real, every
    other field from FIELDS; written by the csv module, or now and then joined by hand and broken."""
    header = rng.choice(HEADERS)
    columns = [column.strip().lower() for column in header.split(",")]
    rows = []
    for _ in range(10):
        fields = [f"user{rng.randrange(1000)}@example.com" if "email" in column and rng.random() < 0.7
                  else rng.choice(FIELDS) for column in columns]
        fields = fields[:rng.choice([len(fields)] * 8 + [len(fields) - 1])] + [rng.choice(FIELDS)] * (rng.random() < 0.1)
        rows.append(fields)
    if rng.random() < 0.85:
        out = io.StringIO()
        csv.writer(out, lineterminator=rng.choice(["\n", "\r\n"])).writerows([header.split(",")] + rows)
        text = out.getvalue()
    else:
        text = header + "\n" + "\n".join(",".join(fields) for fields in rows) + "\n"
    data = text.encode("utf-8", "surrogatepass")
    if rng.random() < 0.1:
        data = b"\xef\xbb\xbf" + data
    if rng.random() < 0.05:
        data = data.replace(b"\xc3\xab", b"\xeb")  # Latin-1 where UTF-8 was expected
    if rng.random() < 0.05:
        data = data.replace(b",", b";")
    if rng.random() < 0.02:
        data += b"z@example.com," + b"y" * (200 * 1024) + b"\n"
    return data


def test_generated_csv_rows(site, tmp_path):
    rng = random.Random(f"{SEED}-csv")
    imported = 0
    for number in range(30):  # 300 rows
        path = tmp_path / f"readers-{number}.csv"
        path.write_bytes(generated_csv(rng))
        for flags in ((), ("--skip-invalid",)):
            before = counts(site) if (site / "data/touchgen.db").exists() else None
            result = invoke("--site", str(site), "import", "readers", str(path), *flags)
            if result.exit_code != 0 and before is not None:
                assert counts(site) == before  # one transaction: all or nothing
            if result.exit_code == 0:
                imported += 1
                after = counts(site)
                invoke("--site", str(site), "import", "readers", str(path), *flags)
                assert counts(site) == after  # the same file twice changes nothing
    assert imported > 10
    look_around(site)


# Mail messages

ADDRESSES = ["Ada Lovelace <ada@example.com>", "ada@example.com", "=?utf-8?q?Zo=C3=AB?= <zoe@example.com>",
             "=?utf-8?b?broken?= <b@example.com>", "=?utf-8?q?ada=40example=2Ecom?= <mallory@evil.example>",
             '"Doe, Jane" <jane.doe@example.com>', "undisclosed-recipients:;", "<>", "not an address", "",
             "MAILER-DAEMON@mail.example.net", "a@example.com, b@example.com", "(comment) c@example.com",
             "Jane Doe <jane@example.com>", "unsubscribe@example.com", "=?x-unknown?q?abc?= <u@example.com>"]
SUBJECTS = ["Re: Welcome", "subscribe", "unsubscribe", "Automatic reply: away", "", "=?utf-8?b?4pyTIGNoZWNr?=",
            "=?utf-8?q?broken", "Re: " * 40 + "deep", "\x1b]0;title\x07", "Undelivered Mail Returned to Sender",
            "x" * 2000, "Zoë über alles", "\u202eevil"]
DATES_MAIL = ["Mon, 23 Nov 2026 10:00:00 +0000", "Fri, 31 Dec 9999 23:59:59 -1200", "Mon, 01 Jan 0001 00:00:00 +1400",
              "yesterday", "", "Mon, 32 Nov 2026 25:61:00 +9999", "23 Nov 2026 10:00 GMT", "Thu, 01 Jan 1970 00:00:00"]
IDS = ["<reply-1@example.com>", "<welcome.t1@example.com>", "", "<<double>>", "no-angle@x", "<a@b> <c@d>", "<\u00e9@x>"]


def generated_message(rng: random.Random, number: int) -> bytes:
    """One message: built with the email package (plain, multipart, delivery report) or raw and broken."""
    if rng.random() < 0.3:
        raw = [b"From: " + rng.choice([b"Jos\xe9 <jose@example.com>", b"\xff\xfe", b"ada@example.com", b""]),
               b"Subject: " + rng.choice([b"Re: caf\xe9", b"=?utf-8?q?=ZZ?=", b"Re: Welcome",
                                         b"=?utf\xe0\xb1\xb4-8?q?x?="]),
               rng.choice([b"Message-ID: <raw-%d@example.com>" % number, b"Message-ID: <<double>>"]),
               rng.choice([b"Date: garbage", b"", b"Content-Type: ;", b"References: <<a>> <b@>"]),
               rng.choice([b"Content-Type: multipart/report; boundary=\"nowhere\"", b"In-Reply-To: <",
                           b"Auto-Submitted: no", b"Precedence: bulk", b" folded without a header",
                           b"Content-Type: text/plain; charset=x-unknown", b"Content-Transfer-Encoding: base64",
                           b"Content-Type: multipart/report; report-type=delivery-status; boundary=b",
                           b"Content-Type: message/rfc822"])]
        body = rng.choice([b"body \x00\xff", b"--nowhere\r\n\r\nunterminated", b"", b"From the start of a line",
                           b"!!not base64!!", b"--b\nContent-Type: message/delivery-status\n\nFinal-Recipient: ;\n"
                           b"Action: failed\n--b--", b"--b\nContent-Type: message/delivery-status\n\n\xff\xfe\n--b",
                           b"From: inner@example.com\nSubject: inner\n\nforwarded"])
        return b"\n".join(raw) + rng.choice([b"\n\n", b"\n"]) + body + b"\n"
    message = EmailMessage()
    for header, values in (("From", ADDRESSES), ("To", ADDRESSES), ("Subject", SUBJECTS), ("Date", DATES_MAIL)):
        if rng.random() < 0.9:
            try:
                message[header] = rng.choice(values)
            except (ValueError, TypeError, IndexError):
                pass  # the email package refuses to make some of them; the raw messages cover those
    for header, chance in (("Message-ID", 1.0), ("In-Reply-To", 0.4), ("References", 0.4)):
        if rng.random() < chance:
            try:
                message[header] = rng.choice(IDS) or f"<gen-{number}@example.com>"
            except (ValueError, TypeError, IndexError):
                message[header] = f"<gen-{number}@example.com>"
    for header, value in (("Auto-Submitted", "auto-replied"), ("X-Autoreply", "yes"), ("Precedence", "junk")):
        if rng.random() < 0.05:
            message[header] = value
    kind = rng.random()
    if kind < 0.6:
        message.set_content(rng.choice(["Thanks!", "Zoë says hi", "x" * 1000, "> quoted\n-- \nsig"]))
    elif kind < 0.8:
        message.set_content("plain part")
        message.add_alternative("<p>html part</p>", subtype="html")
    else:
        message.set_content("This is the mail system.")
        status = EmailMessage()
        status.set_content(rng.choice(["Final-Recipient: rfc822; ada@example.com\nAction: failed\nStatus: 5.1.1",
                                       "Final-Recipient: garbage\nAction: delayed", "Status: 9.9.9", ""]))
        message.add_attachment(status)
        message.replace_header("Content-Type", message["Content-Type"].replace("multipart/mixed", "multipart/report"))
    try:
        data = message.as_bytes()
    except UnicodeError:  # a non-ASCII Message-ID: only mail sent with SMTPUTF8 carries it, raw
        data = message.as_bytes(policy=SMTPUTF8)
    return mutate(rng, data.decode("utf-8", "surrogateescape"), 2).encode("utf-8", "surrogateescape") \
        if rng.random() < 0.2 else data


def test_generated_mail(site, tmp_path):
    rng = random.Random(f"{SEED}-mail")
    (tmp_path / "readers.csv").write_text("email\nada@example.com\nzoe@example.com\njane.doe@example.com\n")
    invoke("--site", str(site), "import", "readers", str(tmp_path / "readers.csv"))
    imported = 0
    for number in range(10):  # 300 messages
        messages = [generated_message(rng, number * 30 + index) for index in range(30)]
        if number % 5 == 4:  # a folder of .eml files
            path = tmp_path / f"eml-{number}"
            path.mkdir()
            for index, message in enumerate(messages):
                (path / f"{index}.eml").write_bytes(message)
        else:
            path = tmp_path / f"inbox-{number}.mbox"
            path.write_bytes(b"".join(b"From sender@example.com Mon Nov 23 10:00:00 2026\n"
                                      + message.replace(b"\nFrom ", b"\n>From ") + b"\n" for message in messages))
        before = counts(site)
        result = invoke("--site", str(site), "import", "replies", str(path))
        if result.exit_code != 0:
            assert counts(site) == before
            continue
        imported += 1
        after = counts(site)
        invoke("--site", str(site), "import", "replies", str(path))
        assert counts(site) == after  # the same mailbox twice changes nothing
    assert imported > 5
    look_around(site)


# Calendars

PROPERTIES = {  # name: (values a booking tool writes, values that are broken or odd)
    "UID": (["call-{n}@calendly.com"], ["", "same@x", "{n}"]),
    "DTSTART": (["20261118T100000Z", "20261201T150000Z", "20261118", ";TZID=Europe/Amsterdam:20261118T100000"],
                ["notadate", "", "99991231T235959Z", "00010101T000000Z", ";TZID=Europe/Nowhere:20261118T100000",
                 ";VALUE=DATE:20261118", "20261118T250000Z", "2026-11-18"]),
    "DTEND": (["20261118T103000Z"], ["20261117T100000Z", "garbage"]),
    "SEQUENCE": (["0", "1"], ["abc", "-1", "99999999999999999999"]),
    "STATUS": (["CONFIRMED", "CANCELLED"], ["TENTATIVE", "weird"]),
    "CREATED": (["20261110T090000Z"], ["garbage", ""]),
    "ORGANIZER": ([";CN=Jane Doe:mailto:jane@example.com"], [":mailto:", ":garbage"]),
    "ATTENDEE": ([";CN=Ada Lovelace;PARTSTAT=ACCEPTED:mailto:ada@example.com", ":mailto:zoe@example.com",
                  ";CN=\"Doe, Jane\":mailto:jane.doe@example.com", ":mailto:jane@example.com"],
                 [":MAILTO:ADA@EXAMPLE.COM", ":mailto:", ":not-an-address", ":mailto:zoë@exämple.com"]),
    "DESCRIPTION": (["Booked from https://cal.com/x?utm_campaign=welcome"],
                    ["utm_campaign=", "x" * 500, "line\\nbreak\\, comma"]),
    "SUMMARY": (["30 minute call"], ["", "\u202eevil"]),
}


def generated_calendar(rng: random.Random, number: int) -> str:
    """Thirty events as a booking tool writes them, some of their properties broken, doubled or missing
    (how many depends on the calendar), and now and then the text itself mutated."""
    odd = rng.choice([0.0, 0.0, 0.02, 0.1, 0.3])
    lines = ["BEGIN:VCALENDAR", "VERSION:2.0", "PRODID:-//Calendly//EN",
             rng.choice(["METHOD:PUBLISH", "METHOD:REQUEST"] * 3 + ["METHOD:CANCEL", ""])]
    for index in range(30):
        lines.append("BEGIN:VEVENT")
        for name, (good, broken) in PROPERTIES.items():
            times = 1 if rng.random() > odd else rng.choice([0, 2])
            for _ in range(times + (name == "ATTENDEE" and rng.random() < 0.3)):
                value = rng.choice(broken if rng.random() < odd else good).replace("{n}", str(number * 30 + index))
                lines.append(f"{name}{value}" if value[:1] in ";:" else f"{name}:{value}")
        if rng.random() > odd / 3:
            lines.append("END:VEVENT")
    lines.append("END:VCALENDAR")
    text = "\r\n".join(lines) + "\r\n"
    return mutate(rng, text, rng.randrange(1, 4)) if rng.random() < odd else text


def test_generated_calendars(site, tmp_path):
    rng = random.Random(f"{SEED}-calendars")
    imported = 0
    for number in range(10):  # 300 events
        path = tmp_path / f"calls-{number}.ics"
        path.write_bytes(generated_calendar(rng, number).encode("utf-8", "surrogatepass"))
        before = counts(site) if (site / "data/touchgen.db").exists() else None
        result = invoke("--site", str(site), "import", "calls", str(path), "--today", "2026-11-23")
        if result.exit_code != 0:
            if before is not None:
                assert counts(site) == before
            continue
        imported += 1
        after = counts(site)
        invoke("--site", str(site), "import", "calls", str(path), "--today", "2026-11-23")
        assert counts(site) == after
    assert imported > 2
    look_around(site)
