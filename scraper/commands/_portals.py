"""What commands that cover many portals share: the options choosing them, as crawlall chooses them."""

from __future__ import annotations

from scrapy.exceptions import UsageError


class PortalsCommand:
    """Mixed into a ScrapyCommand: --portal, --subsites, --include-retired, and `self.profiles`."""

    def add_portal_options(self, parser) -> None:
        parser.add_argument("--portal", action="append", help="only this portal (repeatable)")
        parser.add_argument("--subsites", action="store_true", help="include the discovered sub-sites")
        parser.add_argument("--include-retired", action="store_true", help="include retired portals (their hosts are gone)")

    def choose_portals(self, opts) -> None:
        from scraper.spiders.all_portals import scheduled_profiles  # (heavy: imported when run)
        try:
            self.profiles = scheduled_profiles(subsites=opts.subsites, retired=opts.include_retired, only=opts.portal)
        except KeyError as exc:
            raise UsageError(exc.args[0]) from None
