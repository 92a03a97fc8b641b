"""What the commands that show one article a person names share (``history``, ``body``): the
argument (an id or a URL), the archive file (``--db``), read-only, and the message for an article
the archive does not hold. Not a command: a mixin put before ScrapyCommand (Scrapy takes every
ScrapyCommand subclass of the commands package for a command)."""

from __future__ import annotations

import sqlite3
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

from scrapy.exceptions import UsageError


class ArticleCommand:
    requires_project = True
    requires_crawler_process = False
    default_settings = {"LOG_ENABLED": False}

    def syntax(self) -> str:
        return "<article URL or id>"

    def add_options(self, parser) -> None:
        super().add_options(parser)
        parser.add_argument("--db", help="archive file (default: the ARCHIVE_DB setting)")

    settings: Any
    exitcode: int

    def archive_path(self, opts) -> Path:
        return Path(opts.db or self.settings.get("ARCHIVE_DB"))

    def read(self, args, opts, reader: Callable[[sqlite3.Connection, str], Any]) -> Any:
        """What `reader` finds in the archive for the one article named in `args`; None (with the
        message said and exit code 2) when the archive holds no such article."""
        if len(args) != 1:
            raise UsageError("give one article URL or id")
        path = self.archive_path(opts)
        if not path.exists():
            raise UsageError(f"no archive at {path}")
        conn = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
        try:
            found = reader(conn, args[0])
        finally:
            conn.close()
        if not found:
            print(f"No article {args[0]!r} in {path}", file=sys.stderr)
            self.exitcode = 2
            return None
        return found
