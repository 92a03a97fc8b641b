"""`scrapy neardups`: the archive's clusters of republished articles, largest first.

    scrapy neardups                       # clusters with more than one article
    scrapy neardups --portal phu_yen      # those with an article of this portal
    scrapy neardups --rebuild             # signatures and clusters computed afresh for every article

A cluster is shown as its earliest article (the original) and the republications after it. The
rebuild is for an archive made before signatures were kept, or after the similarity rules changed;
it works a batch at a time and can run beside a crawl.
"""

from __future__ import annotations

import sqlite3
import sys

from scrapy.commands import ScrapyCommand

from scraper.archive.schema import has_clusters
from scraper.commands._cli import Help, archive_file, quiet_pipe
from scraper.crawl.progress import ProgressOnReport


class Command(Help, ScrapyCommand):
    requires_project = True
    requires_crawler_process = False
    default_settings = {"LOG_ENABLED": False}

    def syntax(self) -> str:
        return "[options]"

    def short_desc(self) -> str:
        return "List the clusters of republished articles (near-duplicates), or rebuild them"


    def add_options(self, parser) -> None:
        super().add_options(parser)
        parser.add_argument("--portal", help="only clusters with an article of this portal")
        parser.add_argument("--limit", type=int, default=20, help="how many clusters to show (default 20)")
        parser.add_argument("--rebuild", action="store_true", help="compute every signature and cluster afresh")
        parser.add_argument("--db", help="archive file (default: the ARCHIVE_DB setting)")

    def run(self, args: list[str], opts) -> None:
        quiet_pipe()  # `| head` ends it quietly
        from scraper.archive.clusters import rebuild  # heavy: imported when the command runs
        from scraper.archive.store import open_database
        path = archive_file(self, opts)
        if path is None:
            return
        if opts.rebuild:
            db = open_database(path)
            progress = ProgressOnReport("neardups", "articles")
            result = rebuild(db.conn, progress=progress)
            progress.close()
            db.close()
            print(f"Rebuilt signatures of {result['articles']} articles in {result['seconds']:.1f} s: "
                  f"{result['clusters']} clusters of republications holding {result['clustered_articles']} articles.")
            return
        conn = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
        try:
            if not has_clusters(conn):
                print(f"The archive at {path} predates near-duplicate clusters: run scrapy neardups --rebuild", file=sys.stderr)
                self.exitcode = 2
                return
            where, params = "WHERE cluster_id IS NOT NULL", []
            if opts.portal:
                where += " AND cluster_id IN (SELECT cluster_id FROM articles WHERE portal = ?)"
                params = [opts.portal]
            clusters = conn.execute(
                f"SELECT cluster_id, count(*) AS n FROM articles {where} GROUP BY cluster_id HAVING n > 1 "
                "ORDER BY n DESC, cluster_id LIMIT ?", params + [opts.limit]).fetchall()
            total = conn.execute(f"SELECT count(*) FROM (SELECT cluster_id FROM articles {where} GROUP BY cluster_id "
                                 "HAVING count(*) > 1)", params).fetchone()[0]
            unsigned = conn.execute(
                "SELECT count(*) FROM articles WHERE id NOT IN (SELECT article_id FROM article_signatures)").fetchone()[0]
            shown = f" (largest {len(clusters)})" if total > len(clusters) else ""
            print(f"{total} cluster{'s' if total != 1 else ''} of republished articles{shown}")
            for cluster_id, n in clusters:
                members = conn.execute("SELECT id, portal, published_at, title, url FROM articles WHERE cluster_id = ? "
                                       "ORDER BY id = cluster_id DESC, published_at, id", [cluster_id]).fetchall()
                print(f"\n{members[0][3]}  ({n} articles)")
                for i, (_, portal, published, title, url) in enumerate(members):
                    mark = "original " if i == 0 else "         "
                    print(f"  {mark}{(published or '')[:16].replace('T', ' '):16}  {portal:<18} {url}")
            if unsigned:
                print(f"\n{unsigned} articles have no signature yet: run scrapy neardups --rebuild", file=sys.stderr)
        finally:
            conn.close()
