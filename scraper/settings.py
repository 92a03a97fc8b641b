"""Every setting of the project. Environment overrides are read here and only here (prefix VNARCHIVE_)."""

import os
from pathlib import Path

PROJECT_ROOT = Path(__file__).resolve().parent.parent

BOT_NAME = "vn_portal_archive"
# Every spider is a portal profile (scraper/portals/<slug>.toml): the loader makes them.
SPIDER_MODULES: list[str] = []
SPIDER_LOADER_CLASS = "scraper.spiders.loader.ProfileSpiderLoader"
COMMANDS_MODULE = "scraper.commands"

# The archive. `scrapy crawl <slug> -s ARCHIVE_DB=/some/file.db` writes elsewhere.
ARCHIVE_DB = os.environ.get("VNARCHIVE_DB") or str(PROJECT_ROOT / "data" / "archive.db")
# Rows are committed in batches: at most this many articles, or this many seconds, per transaction.
# A commit holds the crawl's thread, and the page worker runs dry once it has read what was queued
# before: with 200, it waited through a fifth of the crawl. Measured on the benchmark site (5,000
# articles, the default configuration, two rounds): 200 → 228 and 223 items/s, 100 → 242 and 232,
# 50 → 252 and 256, at 6.14–6.33 ms CPU a page for all three.
ARCHIVE_BATCH_SIZE = 50
ARCHIVE_BATCH_SECONDS = 5.0

# The sample mirror `scrapy demo` serves and crawls.
DEMO_MIRROR = str(PROJECT_ROOT / "data" / "mirror")

# Attachments (PDF, DOC, XLS linked from articles) are listed always, downloaded only when asked.
DOWNLOAD_ATTACHMENTS = False
FILES_STORE = str(PROJECT_ROOT / "data" / "files")

# Page objects run in this many worker processes (0: in the crawl process). One per spare core,
# at most two: Scrapy itself keeps one core busy.
PAGE_WORKERS = int(os.environ.get("VNARCHIVE_PAGE_WORKERS", max(0, min(2, (os.cpu_count() or 1) - 1))))
# A budget per page, whatever a server sends. A response (after decompression) over DOWNLOAD_MAXSIZE
# is not downloaded; a page over PAGE_MAX_BYTES is kept in the WARC files and rejected, never parsed;
# a page that takes a worker longer than PAGE_TIMEOUT seconds is rejected and the worker restarted;
# a worker may use PAGE_WORKER_MEMORY_MB (past it, its page fails, not the crawl). An article's
# body fields stop at scraper.core.article.BODY_MAX_CHARS characters, and say so.
DOWNLOAD_MAXSIZE = 64 * 1024 * 1024
DOWNLOAD_WARNSIZE = 8 * 1024 * 1024
PAGE_MAX_BYTES = 5 * 1024 * 1024
PAGE_TIMEOUT = 60.0
PAGE_WORKER_MEMORY_MB = 768
ATTACHMENT_MAXSIZE = 256 * 1024 * 1024  # attachments (opt-in downloads) may be larger than pages

# Items arrive normalized (the page runner normalizes once, right after the page): validate, dedupe, store.
ITEM_PIPELINES = {
    "pipelines.validate.ValidatePipeline": 100,
    "pipelines.dedupe.DedupePipeline": 300,
    "pipelines.attachments.AttachmentsPipeline": 350,  # only with DOWNLOAD_ATTACHMENTS: new and changed articles
    "pipelines.store.SqlitePipeline": 400,
}

# Polite by default. Profiles set their own delay and concurrency (DOWNLOAD_DELAY and
# CONCURRENT_REQUESTS_PER_DOMAIN at spider priority); `-s` on the command line still wins.
USER_AGENT = (
    "vn-portal-archive/0.1 (+https://github.com/vn-portal-archive/vn-portal-archive; "
    "archiving Vietnamese provincial government news; contact: archive@vn-portal-archive.org)"
)
ROBOTSTXT_OBEY = True
CONCURRENT_REQUESTS = 16
CONCURRENT_REQUESTS_PER_DOMAIN = 1
# Scrapy starts this many tasks for the output of every response, however short (an article page
# yields one item, a listing page a few dozen requests). Measured on the benchmark site (2,000
# articles, default configuration): 16 gives 70 items/s at 21.0 ms CPU a page, Scrapy's 100 gives
# 65 items/s at 23.4 ms, 1 gives 60 items/s at 21.2 ms.
CONCURRENT_ITEMS = 16
DOWNLOAD_DELAY = 1.0
DOWNLOAD_DELAY_JITTER = 0  # a fixed delay: exactly the rate the profile promises (see performance notes)
DOWNLOAD_TIMEOUT = 60
AUTOTHROTTLE_ENABLED = True
AUTOTHROTTLE_START_DELAY = 1.0
AUTOTHROTTLE_MAX_DELAY = 30.0
AUTOTHROTTLE_TARGET_CONCURRENCY = 1.0
RETRY_ENABLED = True
RETRY_TIMES = 2
RETRY_AFTER_MAX = 60.0
COOKIES_ENABLED = False  # portals set session cookies we never need; they only make URLs stateful
HTTPCACHE_ENABLED = False

# Raw pages as WARC files (request and response records, gzip per record) with CDXJ indexes.
WARC_ENABLED = True
WARC_DIR = None  # default: warc/ beside ARCHIVE_DB
WARC_MAX_BYTES = 1024 * 1024 * 1024

# Near-duplicate clusters (scraper.archive.clusters): filed as articles are stored. Off, articles get no
# cluster until `scrapy neardups --rebuild`.
NEARDUP_ENABLED = True

# A distributed crawl (scraper.crawl.distributed): with a Redis URL (or `--redis URL` on crawl and
# crawlall) a crawl is one worker of many, sharing the frontier; `scrapy archive-writer` stores what
# they find. A portal's lease lasts REDIS_LEASE_SECONDS (a dead worker's portals are taken over after
# it); a worker leaves once the run has had no work for REDIS_IDLE_SECONDS; it waits at most
# REDIS_WRITER_WAIT seconds for the writer to publish what the archive holds.
REDIS_URL = os.environ.get("VNARCHIVE_REDIS_URL") or None
REDIS_PREFIX = "vnarchive"
REDIS_LEASE_SECONDS = 30.0
REDIS_IDLE_SECONDS = 10.0
REDIS_WRITER_WAIT = 60.0

# Public web archives a dead portal can be recovered from (scrapy crawl <portal> -a recover=wayback):
# their CDX index and the original bytes of a capture ({timestamp}id_). See scraper/pages/cdx.py.
RECOVERY_ARCHIVES = {
    "wayback": {"name": "web.archive.org", "cdx": "https://web.archive.org/cdx/search/cdx",
                "replay": "https://web.archive.org/web/{timestamp}id_/{url}"},
    "arquivo": {"name": "arquivo.pt", "cdx": "https://arquivo.pt/wayback/cdx",
                "replay": "https://arquivo.pt/wayback/{timestamp}id_/{url}"},
}
RECOVERY_CDX_LIMIT = 5000  # captures per CDX query; more come with the resume key
# Connections kept alive for every request in flight (see scraper.crawl.connections).
DOWNLOAD_HANDLERS = {
    "http": "scraper.crawl.connections.KeepAliveDownloadHandler",
    "https": "scraper.crawl.connections.KeepAliveDownloadHandler",
}
DOWNLOADER_MIDDLEWARES = {
    # robots.txt per RFC 9309: unreachable or 5xx means disallow (Scrapy's own allows everything then).
    "scrapy.downloadermiddlewares.robotstxt.RobotsTxtMiddleware": None,
    "scraper.crawl.robots.Rfc9309RobotsTxtMiddleware": 100,
    # Retry-After honoured up to RETRY_AFTER_MAX seconds; beyond, the page waits for the next run.
    "scrapy.downloadermiddlewares.retry.RetryMiddleware": None,
    "scraper.crawl.retry.RetryAfterMiddleware": 550,
    # A redirect must stay on the portal's hosts, ports compared (before the download, after redirects).
    "scraper.crawl.bounds.RedirectBoundsMiddleware": 560,
    # After decompression (590), before the spider: the bytes a page class reads are the bytes kept.
    "scraper.crawl.warc.WarcMiddleware": 585,
}

EXTENSIONS = {
    "scraper.crawl.services.ArchiveService": 400,  # the crawl's archive: opened once, closed when the engine stops
    "scraper.crawl.stats.PortalStats": 500,
    "scraper.crawl.progress.PortalProgress": 510,
}
# A progress line per portal every this many seconds (0: none).
PROGRESS_INTERVAL = 60.0
# Incremental crawls: a listing stops paging after this many archived articles in a row (when the
# previous run walked it to its end).
INCREMENTAL_KNOWN_STOP = 3
# Listings: stop paging after this many pages in a row that bring no article the run has not seen
# (pages that repeat earlier ones, or list nothing, yet offer a next page), and after this many pages.
LISTING_STALE_PAGES = 3
LISTING_MAX_PAGES = 5000
# Discovery from a home page (a profile without start URLs, or -a home=URL): news sections are
# followed this many levels down (1: the home page's own), at most this many a portal.
DISCOVERY_DEPTH = 2
DISCOVERY_MAX_SECTIONS = 60

# No consoles into a running crawl: RemoteControl runs code sent to it, Telnet likewise.
TELNETCONSOLE_ENABLED = False
REMOTE_CONTROL_ENABLED = False

LOG_LEVEL = os.environ.get("VNARCHIVE_LOG_LEVEL", "INFO")
LOG_FORMATTER = "scraper.crawl.logformatter.ArchiveLogFormatter"
DEFAULT_DROPITEM_LOG_LEVEL = "INFO"

FEED_EXPORT_ENCODING = "utf-8"
