"""ArticleItem, the one item type: what a spider knows about one article page.

The first block of fields is the archive's record of the article (they become the columns of the
``articles`` table). The second block is crawl bookkeeping the pipelines read but do not store as
article columns.
"""

from __future__ import annotations

import scrapy


class ArticleItem(scrapy.Item):
    # The archive's record of the article: these become the columns of the `articles` table.
    url = scrapy.Field()            # canonical URL: the article's key
    portal = scrapy.Field()         # portal slug (phu_yen)
    province = scrapy.Field()       # province the portal belonged to when it published (Phú Yên)
    title = scrapy.Field()
    lead = scrapy.Field()           # the sapo/summary, outlet prefix cut
    published_at = scrapy.Field()   # ISO 8601 with +07:00, or a bare date when the page gives no time
    updated_at = scrapy.Field()
    author = scrapy.Field()
    source = scrapy.Field()         # "Nguồn: …" / "Theo …"
    category = scrapy.Field()
    body_text = scrapy.Field()      # paragraphs separated by one blank line; no captions, no byline
    body_html = scrapy.Field()      # the article body element only, sanitized
    captions = scrapy.Field()       # list of caption strings, in page order
    images = scrapy.Field()         # list of {"url", "caption"}
    attachments = scrapy.Field()    # list of {"url", "name", "type"}
    fetched_at = scrapy.Field()     # when the page was fetched (ISO 8601, +07:00)
    content_hash = scrapy.Field()   # sha256 of the normalized body_text
    extraction = scrapy.Field()     # {field: "profile" | "platform" | "generic"}
    published_raw = scrapy.Field()  # the date string as printed, kept for re-parsing
    charset = scrapy.Field()        # how the bytes were decoded (utf-8, cp1258, tcvn3, …)
    fetched_url = scrapy.Field()    # the URL actually fetched (a mirror's, when crawling one)
    etag = scrapy.Field()           # HTTP validators of the fetched page, for conditional re-checks
    last_modified = scrapy.Field()
    captured_at = scrapy.Field()    # recovered from a web archive: its capture time …
    capture_archive = scrapy.Field()  # … and which archive (web.archive.org, …)
    minhash = scrapy.Field()        # MinHash signature of the normalized lead and body (hex), for near-duplicates
    shingles = scrapy.Field()       # how many word shingles the signature summarizes

    # Crawl bookkeeping: read by the pipelines, not stored as article columns.
    http_status = scrapy.Field()    # status of the response the item came from
    problems = scrapy.Field()       # what the page noticed while extracting (list of strings)
    looks_like_article = scrapy.Field()  # False when the page has none of the marks of an article
    archive_action = scrapy.Field()  # set by dedupe: "new" or "changed"
    prepared = scrapy.Field()       # stamp of the normalization done where the page was read (see pipelines.normalize.prepare)
    folds = scrapy.Field()          # the folded search columns computed there


CRAWL_FIELDS = ("http_status", "problems", "looks_like_article", "archive_action", "prepared", "folds")
ARTICLE_FIELDS = tuple(name for name in ArticleItem.fields if name not in CRAWL_FIELDS)
