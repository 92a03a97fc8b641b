"""Portal profiles: every one loads and is a spider; bad profiles fail with a message naming the file."""

from __future__ import annotations

import pytest

from scraper.core.profile import ProfileError
from scraper.platforms import PLATFORM_NAMES, PLATFORMS
from scraper.portals import load_profile, load_profiles
from tests.conftest import scrapy
from tests.pages import cases


def test_every_profile_loads_and_names_a_known_platform():
    profiles = load_profiles()
    assert {"phu_yen", "quang_ngai", "dak_lak"} <= set(profiles)
    for slug, profile in profiles.items():
        assert profile.slug == slug and profile.platform in PLATFORM_NAMES
        assert profile.name and profile.province


def test_every_platform_has_article_listing_and_last_page_fixtures():
    by_platform: dict[str, set[str]] = {}
    profiles = load_profiles()
    for case in cases():
        platform = case.meta.get("platform", profiles[case.slug].platform)  # a page of another era says which
        platform = "generic" if platform == "unknown" else platform
        kinds = by_platform.setdefault(platform, set())
        kinds.add(case.kind)
        if case.name.startswith("listing-last-page"):
            kinds.add("last page")
    for platform in PLATFORMS:
        expected = {"article", "listing", "last page"}
        assert by_platform.get(platform) == expected, f"{platform} needs an article, a listing and a last-page fixture"


def test_scrapy_list_lists_every_profile():
    listed = scrapy("list").stdout.split()
    assert sorted(listed) == sorted(load_profiles())


@pytest.mark.parametrize("text,message", [
    ('name = "x"\nprovince = "y"\nplatform = "liferay"\nstart_url = ["https://a"]\n', "unknown key 'start_url'"),
    ('name = "x"\nplatform = "liferay"\n', "missing required key 'province'"),
    ('name = "x"\nprovince = "y"\nplatform = "drupal8"\n', "unknown platform 'drupal8'"),
    ('name = "x"\nprovince = "y"\nplatform = "liferay"\n[article]\ntitel = "h1"\n', "unknown key 'titel' in [article]"),
    ('name = "x"\nprovince = "y"\nplatform = "liferay"\nstatus = "dead"\n', "status must be one of"),
    ('name = "x"\nprovince = "y"\nplatform = "liferay"\nstart_urls = ["ftp://a"]\n', "is not an http(s) URL"),
    ('name = "x\nprovince', "not valid TOML"),
])
def test_a_bad_profile_is_a_clear_error_naming_the_file(tmp_path, text, message):
    path = tmp_path / "ten_tinh.toml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(ProfileError) as err:
        load_profile(path)
    assert str(err.value).startswith(str(path)) and message in str(err.value)


def test_a_slug_must_be_snake_case(tmp_path):
    path = tmp_path / "Phu-Yen.toml"
    path.write_text('name = "x"\nprovince = "y"\nplatform = "liferay"\n', encoding="utf-8")
    with pytest.raises(ProfileError, match="is not a portal slug"):
        load_profile(path)


def test_profile_politeness_reaches_the_crawler_settings():
    from scraper.spiders.portal import make_spider

    spider = make_spider(load_profiles()["phu_yen"])
    assert spider.name == "phu_yen"
    assert spider.custom_settings == {"DOWNLOAD_DELAY": 1.0, "CONCURRENT_REQUESTS_PER_DOMAIN": 1, "ROBOTSTXT_OBEY": True}
