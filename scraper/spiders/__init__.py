"""Spiders. Portal spiders are not written by hand: ``scraper.spiderloader`` builds one per profile
from ``PortalSpider``; spiders in this package that are not portal spiders are found as usual."""
