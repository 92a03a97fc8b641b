"""The Scrapy side of a crawl, shared by the spiders and the pipelines: the page runner, the archive
and WARC components (each opened and closed by one owner), per-portal stats and progress, log lines."""
