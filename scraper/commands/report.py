"""`scrapy report`: one HTML page with the archive's pictures, and the charts beside it as SVG files:
articles per portal per month as a heat map (a broken selector or a dead portal shows as a gap),
crawl health over time, and coverage of the 63 provinces as they were, in the 34 since 2025.

    scrapy report                                  # data/report/report.html
    scrapy report --db /srv/archive/archive.db --out /srv/www/report
    scrapy report --datasette http://127.0.0.1:8001  # with links to the same numbers in Datasette
"""

from __future__ import annotations

import sqlite3
import sys
from pathlib import Path

from scrapy.commands import ScrapyCommand

from scraper.commands._cli import Help, archive_file


class Command(Help, ScrapyCommand):
    requires_project = True
    requires_crawler_process = False
    default_settings = {"LOG_ENABLED": False}

    def short_desc(self) -> str:
        return "Write the archive's pictures: articles per portal per month, crawl health, coverage (HTML and SVG)"


    def add_options(self, parser) -> None:
        super().add_options(parser)
        parser.add_argument("--db", help="archive file (default: the ARCHIVE_DB setting)")
        parser.add_argument("--out", help="directory for report.html and its charts (default: report/ beside the archive)")
        parser.add_argument("--datasette", metavar="URL", help="link the charts to the same numbers in Datasette at URL")

    def run(self, args, opts) -> None:
        from scraper.archive.report import coverage_svg, gather, health_svg, heatmap_svg, report_html
        path = archive_file(self, opts)
        if path is None:
            return
        out = Path(opts.out) if opts.out else path.parent / "report"
        conn = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
        try:
            report = gather(conn)
        except sqlite3.OperationalError as exc:
            print(f"Cannot read {path} as an archive: {exc}", file=sys.stderr)
            self.exitcode = 2
            return
        finally:
            conn.close()
        try:
            out.mkdir(parents=True, exist_ok=True)
            charts = {"articles-per-month.svg": ("Articles per portal per month", heatmap_svg(report)),
                      "crawl-health.svg": ("Crawl health over time", health_svg(report)),
                      "coverage.svg": ("Coverage of the provinces", coverage_svg(report))}
            for name, (_, svg) in charts.items():
                (out / name).write_text(svg, encoding="utf-8")
            (out / "report.html").write_text(report_html(report, {n: t for n, (t, _) in charts.items()}, opts.datasette),
                                             encoding="utf-8")
        except OSError as exc:
            print(f"Cannot write the report in {out}: {exc}", file=sys.stderr)
            self.exitcode = 2
            return
        print(f"{out / 'report.html'}: {sum(sum(c.values()) for c in report.per_month.values()):,} articles of "
              f"{len(report.per_month)} portals over {len(report.months)} months, {len(report.runs)} runs; "
              f"charts {', '.join(charts)}")
