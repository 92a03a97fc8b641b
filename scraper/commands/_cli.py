"""What every command of the project shares on the command line: help that keeps its example lines,
output that stops quietly when the reader of a pipe has had enough (``scrapy search … | head``), and
the archive file it reads, or a clear word that there is none."""

from __future__ import annotations

import os
import sys
import textwrap
from pathlib import Path

from scrapy.commands import ScrapyHelpFormatter


class HelpFormatter(ScrapyHelpFormatter):
    """Scrapy's help layout, but paragraphs stay paragraphs and indented example lines stay lines."""

    def _fill_text(self, text: str, width: int, indent: str) -> str:
        out = []
        for para in text.split("\n\n"):
            lines = para.splitlines()
            kept = [line for line in lines if line.startswith("  ")]
            prose = " ".join(line.strip() for line in lines if not line.startswith("  "))
            if prose:
                out.append(textwrap.fill(prose, width, initial_indent=indent, subsequent_indent=indent))
            out.extend(indent + line for line in kept)
            out.append("")
        return "\n".join(out).rstrip() + "\n"


class Help:
    """Mixed in before ScrapyCommand: its help is the docstring of the command's module, examples
    kept line by line."""

    def long_desc(self) -> str:
        return sys.modules[type(self).__module__].__doc__ or ""

    def add_options(self, parser) -> None:
        super().add_options(parser)
        parser.formatter_class = HelpFormatter


def quiet_pipe() -> None:
    """A command that prints what it reads from the archive: a closed pipe ends it quietly, as it
    ends `head` or `grep -m1`'s other tools (exit 0), with no BrokenPipeError. Never for a crawl."""
    sys.excepthook = _pipe_hook(sys.excepthook)


def _pipe_hook(previous):
    def hook(kind, value, tb):
        if issubclass(kind, BrokenPipeError):
            # Python flushes stdout again at exit; point it at /dev/null so that flush cannot fail.
            os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
            os._exit(0)
        previous(kind, value, tb)
    return hook


def archive_file(command, opts) -> Path | None:
    """The archive `command` reads (``--db``, else the ARCHIVE_DB setting); None, with exit code 2
    and a line saying so, when there is none yet."""
    path = Path(opts.db or command.settings.get("ARCHIVE_DB"))
    if path.exists():
        return path
    print(f"No archive at {path}: run a crawl first (make demo).", file=sys.stderr)
    command.exitcode = 2
    return None
