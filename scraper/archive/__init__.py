"""The archive as a library: the SQLite schema and its migrations, buffered writes, search, history,
near-duplicate clusters, crawl runs and portal health, and the WARC files of the raw pages. No
Scrapy: commands, pipelines and tests use the same code."""
