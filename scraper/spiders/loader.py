"""Spider loader that turns every portal profile into a spider named after its slug.

``scrapy list`` lists the profiles; ``scrapy crawl phu_yen`` builds Phú Yên's spider from
``scraper/portals/phu_yen.toml``. A broken profile stops the command with a message naming the
file, before anything is fetched. The archive's other spiders (all portals at once, re-extraction,
recovery) are started by their commands and are not listed.
"""

from __future__ import annotations

from scrapy.spiderloader import SpiderLoader

from scraper.portals import load_profiles
from scraper.spiders.portal import make_spider


class ProfileSpiderLoader(SpiderLoader):
    def _load_all_spiders(self) -> None:
        super()._load_all_spiders()
        for slug, profile in load_profiles().items():
            if slug in self._spiders:
                raise ValueError(f"spider name {slug!r} is used by both a profile and {self._spiders[slug]!r}")
            self._spiders[slug] = make_spider(profile)
