"""AttachmentsPipeline: download the files an article links to (decisions, plans: PDF, DOC, XLS …).

Opt-in (``-s DOWNLOAD_ATTACHMENTS=True``): Scrapy's files pipeline fetches each attachment of a new
or changed article, politely and under robots.txt like any request, into ``FILES_STORE`` (default
``data/files/``), and the article's ``attachments`` entries gain the stored ``path``, its
``checksum`` and the download ``status``. It runs after dedupe, so an unchanged article downloads
nothing. A failed download is recorded on the entry and never drops the article.
"""

from __future__ import annotations

import hashlib
from pathlib import PurePosixPath
from urllib.parse import urlsplit

from itemadapter import ItemAdapter
from scrapy import Request
from scrapy.exceptions import NotConfigured
from scrapy.pipelines.files import FilesPipeline


class AttachmentsPipeline(FilesPipeline):
    @classmethod
    def from_crawler(cls, crawler):
        settings = crawler.settings
        if not settings.getbool("DOWNLOAD_ATTACHMENTS"):
            raise NotConfigured  # no message: Scrapy then notes it quietly (attachments stay listed)
        cls._update_stores(settings)
        pipeline = cls(settings.get("FILES_STORE"), crawler=crawler)
        pipeline.maxsize = settings.getint("ATTACHMENT_MAXSIZE", settings.getint("DOWNLOAD_MAXSIZE"))  # files may outweigh pages
        return pipeline

    def get_media_requests(self, item, info):
        adapter = ItemAdapter(item)
        return [
            Request(att.get("fetched_url") or att["url"], meta={"attachment_url": att["url"], "portal": adapter.get("portal"),
                                                                "download_maxsize": self.maxsize})
            for att in adapter.get("attachments") or []
        ]

    def file_path(self, request, response=None, info=None, *, item=None):
        """<portal>/<sha1 of the attachment's archive URL>.<its extension>: one file per attachment."""
        url = request.meta.get("attachment_url", request.url)
        digest = hashlib.sha1(url.encode("utf-8")).hexdigest()
        suffix = PurePosixPath(urlsplit(url).path).suffix.lower()[:8]
        return f"{request.meta.get('portal') or 'unknown'}/{digest}{suffix}"

    def item_completed(self, results, item, info):
        adapter = ItemAdapter(item)
        attachments = adapter.get("attachments") or []
        for attachment, (ok, result) in zip(attachments, results):
            attachment.pop("fetched_url", None)
            if ok:
                attachment.update(path=result["path"], checksum=result["checksum"], download=result["status"])
                self.crawler.stats.inc_value("attachments/stored")
            else:
                attachment["download"] = f"failed: {result.getErrorMessage() if hasattr(result, 'getErrorMessage') else result}"
                self.crawler.stats.inc_value("attachments/failed")
        return item
