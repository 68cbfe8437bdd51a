"""touchgen.config.load_settings: defaults, type and value errors with their line, warnings, derived properties."""

from __future__ import annotations

from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from touchgen.config import (NewsletterSettings, Settings, SiteSettings, SmtpSettings, StagesSettings,
                             TouchesSettings, load_settings)
from touchgen.errors import ConfigError

SITE_KEYS = "author, description, language, permalink, posts_per_page, publish_weekday, timezone, title, url"
NEWSLETTER_KEYS = ("author_addresses, booking_url, from, list_id, prefill_email, reply_to, subscribe_url, "
                   "unsubscribe_email, unsubscribe_secret_env, unsubscribe_url")


def settings_from(root: Path, text: str) -> Settings:
    (root / "touchgen.toml").write_text(text, encoding="utf-8")
    return load_settings(root)


def config_error(root: Path, text: str) -> ConfigError:
    with pytest.raises(ConfigError) as caught:
        settings_from(root, text)
    return caught.value


def test_missing_sections_take_their_defaults(tmp_path):
    settings = settings_from(tmp_path, '[site]\ntitle = "Notes"\n')
    assert settings.root == tmp_path
    assert settings.site == SiteSettings(title="Notes")
    assert settings.site.url == "https://example.com"
    assert settings.site.posts_per_page == 10
    assert settings.newsletter == NewsletterSettings()
    assert settings.smtp == SmtpSettings(host="127.0.0.1", port=587, security="starttls")
    assert settings.touches == TouchesSettings(yearly_target=260)
    assert settings.touches.working_days == ["mon", "tue", "wed", "thu", "fri"]
    assert settings.stages == StagesSettings(relationship_min_days=3, relationship_min_span_days=60)
    assert settings.warnings == ()


def test_an_empty_file_gives_every_default(tmp_path):
    settings = settings_from(tmp_path, "")
    assert settings.site == SiteSettings()
    assert settings.zone == ZoneInfo("UTC")
    assert settings.publish_weekday_index == 0
    assert settings.base_path == "/"
    assert settings.reply_address == ""
    assert settings.own_addresses == set()
    assert settings.paths.posts == tmp_path / "content" / "posts"


def test_a_given_value_replaces_only_its_default(tmp_path):
    settings = settings_from(tmp_path, '[smtp]\nport = 2525\n\n[stages]\nrelationship_min_days = 5\n')
    assert settings.smtp == SmtpSettings(port=2525)
    assert settings.stages == StagesSettings(relationship_min_days=5, relationship_min_span_days=60)


@pytest.mark.parametrize("text, expected", [
    ('[site]\ntitle = "T"\nposts_per_page = "ten"\n',
     "touchgen.toml:3: [site] posts_per_page must be an integer, not a string ('ten')"),
    ('[site]\nposts_per_page = true\n',
     "touchgen.toml:2: [site] posts_per_page must be an integer, not true or false (True)"),
    ('[site]\ntitle = 7\n',
     "touchgen.toml:2: [site] title must be a string, not an integer (7)"),
    ('# settings\n\n[newsletter]\nreply_to = "a@example.com"\nfrom = 42\n',
     "touchgen.toml:5: [newsletter] from must be a string, not an integer (42)"),
    ('[newsletter]\nprefill_email = "yes"\n',
     "touchgen.toml:2: [newsletter] prefill_email must be true or false, not a string ('yes')"),
    ('[touches]\nholidays = ["2026-12-25", 1]\n',
     "touchgen.toml:2: [touches] holidays must be a list of strings, not a list (['2026-12-25', 1])"),
    ('[touches]\nworking_days = "mon"\n',
     "touchgen.toml:2: [touches] working_days must be a list of strings, not a string ('mon')"),
    ('[smtp]\nport = { number = 25 }\n',
     "touchgen.toml:2: [smtp] port must be an integer, not a table ({'number': 25})"),
], ids=["string-for-int", "bool-for-int", "int-for-string", "from-key-after-comments", "string-for-bool",
        "list-with-int", "string-for-list", "table-for-int"])
def test_a_wrong_type_names_file_line_section_key_and_value(tmp_path, text, expected):
    error = config_error(tmp_path, text)
    assert str(error) == expected
    assert error.path == "touchgen.toml"
    assert error.line == int(expected.split(":")[1])


def test_the_same_key_in_another_section_does_not_mislead_the_line(tmp_path):
    text = '[smtp]\nport = 25\n\n[stages]\nrelationship_min_days = 3\n\n[site]\nport = 1\nposts_per_page = "x"\n'
    assert str(config_error(tmp_path, text)) == (
        "touchgen.toml:9: [site] posts_per_page must be an integer, not a string ('x')")


def test_a_section_that_is_not_a_table_names_its_line(tmp_path):
    error = config_error(tmp_path, 'site = "x"\n')
    assert str(error) == "touchgen.toml:1: [site] must be a table, not a string"


@pytest.mark.parametrize("text, expected", [
    ('[site]\nurl = "example.com"\n',
     "touchgen.toml:2: [site] url must be an absolute http(s) URL such as https://example.com, not 'example.com'"),
    ('[site]\ntimezone = "Mars/Olympus"\n',
     "touchgen.toml:2: [site] timezone 'Mars/Olympus' is not a known time zone "
     "(use a name such as Europe/Amsterdam or UTC)"),
    ('[site]\npublish_weekday = "mon"\n',
     "touchgen.toml:2: [site] publish_weekday must be a day name such as monday, not 'mon'"),
    ('[site]\ntitle = "T"\nposts_per_page = 0\n',
     "touchgen.toml:3: [site] posts_per_page must be 1 or more, not 0"),
    ('[smtp]\nsecurity = "tls"\n',
     "touchgen.toml:2: [smtp] security must be starttls, ssl or none, not 'tls'"),
], ids=["relative-url", "unknown-zone", "short-weekday", "zero-per-page", "unknown-security"])
def test_a_wrong_value_names_its_line(tmp_path, text, expected):
    assert str(config_error(tmp_path, text)) == expected


def test_invalid_toml_names_its_line(tmp_path):
    error = config_error(tmp_path, '[site]\ntitle = "unterminated\n')
    assert str(error) == ("touchgen.toml:2: invalid TOML: Illegal character '\\n' "
                          "(check quotes, brackets and '=' on this line)")


def test_a_missing_file_says_how_to_make_one(tmp_path):
    with pytest.raises(ConfigError) as caught:
        load_settings(tmp_path)
    assert str(caught.value) == (f"touchgen.toml: not found in {tmp_path} "
                                 "(run 'touchgen init' to create a site, or pass --site DIR)")
    assert caught.value.line is None


def test_unknown_keys_and_sections_become_warnings_and_the_rest_is_read(tmp_path):
    settings = settings_from(tmp_path, '[site]\ntitle = "T"\ncolour = "blue"\n\n[extras]\nx = 1\n\n'
                                       '[newsletter]\nfrom_ = "a@example.com"\n')
    assert settings.warnings == (
        f"touchgen.toml:3: warning: unknown setting 'colour' in [site] (known: {SITE_KEYS})",
        "touchgen.toml:5: warning: unknown section [extras] (known: site, newsletter, smtp, touches, stages)",
        f"touchgen.toml:9: warning: unknown setting 'from_' in [newsletter] (known: {NEWSLETTER_KEYS})",
    )
    assert settings.site.title == "T"
    assert settings.newsletter.from_ == ""


@pytest.mark.parametrize("reply_to, from_, expected", [
    ("replies@example.com", "Jane Doe <jane@example.com>", "replies@example.com"),
    ("Desk <desk@example.com>", "Jane Doe <jane@example.com>", "desk@example.com"),
    ("", "Jane Doe <jane@example.com>", "jane@example.com"),
    ("", "jane@example.com", "jane@example.com"),
    ("", "", ""),
], ids=["reply-to", "reply-to-with-name", "from-with-name", "bare-from", "neither"])
def test_reply_address_is_reply_to_else_the_address_in_from(tmp_path, reply_to, from_, expected):
    settings = settings_from(tmp_path, f'[newsletter]\nfrom = "{from_}"\nreply_to = "{reply_to}"\n')
    assert settings.reply_address == expected


def test_own_addresses_are_the_lower_cased_author_from_and_reply_to_addresses(tmp_path):
    settings = settings_from(tmp_path, '[newsletter]\nfrom = "Jane Doe <JANE@example.com>"\n'
                                       'reply_to = "Replies@Example.com"\n'
                                       'author_addresses = ["Jane@Example.COM", "old@Example.org"]\n')
    assert settings.own_addresses == {"jane@example.com", "old@example.org", "replies@example.com"}


def test_own_addresses_without_reply_to_hold_the_from_address(tmp_path):
    settings = settings_from(tmp_path, '[newsletter]\nfrom = "Jane <Jane@Example.com>"\n')
    assert settings.own_addresses == {"jane@example.com"}


@pytest.mark.parametrize("url, base_path, absolute", [
    ("https://example.com", "/", "https://example.com/posts/x/"),
    ("https://example.com/", "/", "https://example.com/posts/x/"),
    ("https://example.com/letter", "/letter/", "https://example.com/letter/posts/x/"),
    ("https://example.com/letter/", "/letter/", "https://example.com/letter/posts/x/"),
    ("http://example.com:8000/a/b", "/a/b/", "http://example.com:8000/a/b/posts/x/"),
], ids=["root", "root-slash", "path", "path-slash", "port-and-deep-path"])
def test_base_path_is_the_url_path_ending_in_a_slash(tmp_path, url, base_path, absolute):
    settings = settings_from(tmp_path, f'[site]\nurl = "{url}"\n')
    assert settings.base_path == base_path
    assert settings.absolute("/posts/x/") == absolute


def test_zone_and_weekday_index_follow_the_site_settings(tmp_path):
    settings = settings_from(tmp_path, '[site]\ntimezone = "Europe/Amsterdam"\npublish_weekday = "thursday"\n')
    assert settings.zone == ZoneInfo("Europe/Amsterdam")
    assert settings.publish_weekday_index == 3
