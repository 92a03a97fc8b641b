"""`scrapy history <url-or-id>`: the versions of an article, when each was seen, and what changed.

    scrapy history https://phuyen.gov.vn/wps/portal/Home/chi-tiet-tin?urile=wcm:path:/…
    scrapy history 42
"""

from __future__ import annotations

from scrapy.commands import ScrapyCommand

from scraper.archive.history import diff, versions
from scraper.commands._article import ArticleCommand
from scraper.commands._cli import Help, quiet_pipe


class Command(Help, ArticleCommand, ScrapyCommand):
    def short_desc(self) -> str:
        return "Show an article's versions and what changed between them"

    def run(self, args, opts) -> None:
        quiet_pipe()  # `| head` ends it quietly
        found = self.read(args, opts, versions)
        if found is None:
            return
        print(f"{found[-1]['title']}\n{found[-1]['url']}\n{len(found)} version{'s' if len(found) != 1 else ''}")
        for n, v in enumerate(found, 1):
            until = f" until {v['replaced_at']}" if v.get("replaced_at") else " (current)"
            print(f"\nversion {n}: seen from {v.get('seen_from')}{until}")
            if n > 1:
                print("\n".join(diff(found[n - 2], v)) or "  (no difference in the text)")
