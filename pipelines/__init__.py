"""Item pipelines: validate → dedupe → store. They decide what the archive keeps.

Thin Scrapy adapters over the archive library (``scraper.archive``): items arrive normalized (the
page runner normalizes once, right after the page), the archive is the crawl's one ``Archive``
(``scraper.crawl.services``), and nothing here knows any portal's HTML.
"""
