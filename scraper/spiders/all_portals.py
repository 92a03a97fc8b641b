"""Many portals in one crawl (``scrapy crawlall``): one spider, requests carrying their portal and
its download slot, so each portal is fetched at its own polite rate."""

from __future__ import annotations

from scraper.core.profile import Profile
from scraper.portals import load_profiles
from scraper.spiders.portal import PortalSpider


class AllPortalsSpider(PortalSpider):
    name = "portals"
    portal_slots = True  # crawlall gives every portal its slot at its rate, a run of one portal too


def scheduled_profiles(*, subsites: bool = False, retired: bool = False, only: list[str] | None = None) -> list[Profile]:
    """The portals a scheduled crawl covers: live and unverified ones with somewhere to start, not
    retired ones, discovered sub-sites only when asked (`only`: these, whatever they are)."""
    profiles = load_profiles()
    if only:
        missing = [slug for slug in only if slug not in profiles]
        if missing:
            raise KeyError(f"no portal profile named {', '.join(missing)}")
        return [profiles[slug] for slug in only]
    chosen = []
    for profile in profiles.values():
        if profile.discovered and not subsites:
            continue  # crawling sub-sites is opt-in
        if profile.status == "retired" and not retired:
            continue
        if not (profile.start_urls or profile.home or profile.sitemaps or profile.feeds):
            continue
        chosen.append(profile)
    return chosen
