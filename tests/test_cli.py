"""The command line as a user meets it: help that keeps its examples, arguments checked before a
crawl starts, and no traceback for a user's mistake or a closed pipe."""

from __future__ import annotations

import importlib
import json
import pkgutil
import re
import subprocess
import sys
import time

import pytest

import scraper.commands
from tests.conftest import MIRROR, ROOT, scrapy

COMMANDS = sorted(m.name for m in pkgutil.iter_modules(scraper.commands.__path__) if not m.name.startswith("_"))


def _examples(name: str) -> list[str]:
    doc = importlib.import_module(f"scraper.commands.{name}").Command().long_desc() or ""
    return [line.strip() for line in doc.splitlines() if line.strip().startswith("scrapy ") and line.startswith("  ")]


@pytest.mark.parametrize("name", [n for n in COMMANDS if _examples(n)])
def test_help_keeps_every_example_on_its_own_line(name):
    shown = [line.strip() for line in scrapy(name, "-h").stdout.splitlines()]
    for example in _examples(name):
        assert example in shown, f"scrapy {name} -h reflowed {example!r}"


def test_crawl_help_lists_the_spider_arguments():
    out = scrapy("crawl", "-h").stdout
    for argument in ("since=YYYY-MM-DD", "recheck=1", "full=1", "start_urls=URL", "home=URL", "recover=ARCHIVE", "captures=",
                     "--redis URL"):
        assert argument in out


@pytest.mark.parametrize(("args", "message"), [
    (("crawl", "quang_ngai", "-a", "since=yesterday"), "since takes a date as YYYY-MM-DD"),
    (("crawl", "quang_ngai", "-a", "recheck=maybe"), "recheck takes 1 or 0"),
    (("crawl", "quang_ngai", "-a", "home=ftp://example.org/"), "home takes http(s) URLs"),
    (("crawlall", "--portal", "quang_ngai", "-a", "since=2024-13-45"), "since takes a date as YYYY-MM-DD"),
    (("crawlall", "--portal", "quang_ngai", "-a", "since"), "-a takes NAME=VALUE"),
    (("crawlall", "--portal", "nowhere"), "no portal profile named nowhere"),
    (("subsites", "ha_noi", "--page", "missing.html"), "Cannot read missing.html"),
    (("search", "ban", "--since", "banana"), "takes a date as YYYY-MM-DD"),
])
def test_a_users_mistake_is_a_message_and_a_non_zero_exit(tmp_path, args, message):
    proc = scrapy(*args, "-s", f"ARCHIVE_DB={tmp_path / 'a.db'}", check=False)
    assert proc.returncode != 0
    assert message in proc.stderr and "Traceback" not in proc.stderr
    assert not (tmp_path / "a.db").exists()  # nothing was started


def test_a_closed_pipe_ends_a_command_quietly(tmp_path):
    # Every article page of the sample mirror at its address, three times over: each line carries
    # the page's row, so the output outgrows the pipe and the command is still writing when the
    # reader goes away, however fast or slow the machine.
    site = MIRROR / "phuyen.gov.vn"
    routes = json.loads((site / "routes.json").read_text(encoding="utf-8"))
    entries = [{"path": str(site / r["file"]), "url": "https://phuyen.gov.vn" + route, "portal": "phu_yen"}
               for route, r in routes.items() if r.get("file", "").startswith("pages/article-")] * 3
    manifest = tmp_path / "pages.jsonl"
    manifest.write_text("".join(json.dumps(e) + "\n" for e in entries), encoding="utf-8")
    whole = scrapy("extract", "--manifest", str(manifest))
    assert whole.returncode == 0 and len(whole.stdout.encode()) > 4 * 65536  # past any pipe's buffer
    proc = subprocess.Popen([sys.executable, "-m", "scrapy", "extract", "--manifest", str(manifest)], cwd=ROOT,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    proc.stdout.read(100)  # `| head -c 100`: the reader goes away
    proc.stdout.close()
    err = proc.stderr.read().decode()
    assert proc.wait(timeout=120) == 0
    assert "BrokenPipeError" not in err and "Traceback" not in err


class _Terminal:
    """A stream that says it is a terminal, as standard error is in an interactive shell."""

    def __init__(self):
        self.text = ""

    def isatty(self) -> bool:
        return True

    def write(self, s: str) -> int:
        self.text += s
        return len(s)

    def flush(self) -> None:
        pass


def test_long_work_shows_a_bar_with_the_time_left_on_a_terminal_and_lines_otherwise():
    import io

    from scraper.crawl.progress import Progress
    terminal = _Terminal()
    bar = Progress(200, "reextract", "pages", stream=terminal)
    for _ in range(200):
        bar.update()
    bar.close()
    assert "reextract: 100%" in terminal.text and "200/200" in terminal.text and "pages/s" in terminal.text
    piped = io.StringIO()
    lines = Progress(200, "reextract", "pages", every=3600, stream=piped)
    for _ in range(200):
        lines.update()
    lines.close()
    assert piped.getvalue().startswith("reextract: 200 of 200 pages, ") and "\r" not in piped.getvalue()


def test_a_mirror_crawl_says_where_its_articles_are_stored_and_logs_each_commit_once(tmp_path, phuyen_mirror):
    from tests.conftest import crawl
    db = tmp_path / "a.db"
    err = crawl("phu_yen", phuyen_mirror, db).stderr
    import sqlite3
    with sqlite3.connect(db) as conn:
        url = conn.execute("SELECT url FROM articles LIMIT 1").fetchone()[0]
    said = re.search(r"articles are stored under (\S+)", err).group(1)
    assert url.startswith(said + "/")  # the portal's URLs as the rows hold them
    commits = re.findall(r"archive: committed ", err)
    assert len(commits) >= 1 and "stored so far" not in err


def run_in_terminal(args: list[str], timeout: float = 300) -> str:
    """A command run with its output on a terminal (a pseudo-terminal 120 columns wide), as a user
    runs it; what the terminal showed, carriage returns as new lines."""
    import fcntl
    import os
    import pty
    import select
    import struct
    import termios
    master, slave = pty.openpty()
    fcntl.ioctl(slave, termios.TIOCSWINSZ, struct.pack("HHHH", 40, 120, 0, 0))
    proc = subprocess.Popen(args, cwd=ROOT, stdin=slave, stdout=slave, stderr=slave)
    os.close(slave)
    out, deadline = b"", time.monotonic() + timeout
    while time.monotonic() < deadline:
        ready, _, _ = select.select([master], [], [], 1.0)
        if ready:
            try:
                chunk = os.read(master, 65536)
            except OSError:
                break
            if not chunk:
                break
            out += chunk
        elif proc.poll() is not None:
            break
    proc.wait(timeout=30)
    os.close(master)
    assert proc.returncode == 0, out.decode(errors="replace")[-3000:]
    return out.decode(errors="replace").replace("\r", "\n")


def test_a_crawl_on_a_terminal_shows_a_bar_of_the_articles_found_and_read(tmp_path, quangngai_mirror):
    shown = run_in_terminal([sys.executable, "-m", "scrapy", "crawlall", "--portal", "quang_ngai",
                             "--mirror", f"quang_ngai={quangngai_mirror.origin}", "--delay", "0.05",
                             "-s", f"ARCHIVE_DB={tmp_path / 'a.db'}", "-s", "LOG_LEVEL=WARNING"])
    bars = [line for line in shown.splitlines() if line.startswith("crawl:")]
    assert bars and re.search(r"100%\|.*\| 26/26 \[[\d:]+<[\d:]+, +[\d.]+(s/ articles| articles/s)\]", bars[-1]), bars[-3:]


def test_reextract_on_a_terminal_shows_a_bar_with_the_time_left(tmp_path, sample_archive):
    shown = run_in_terminal([sys.executable, "-m", "scrapy", "reextract", "--warc-dir", str(sample_archive.parent / "warc"),
                             "-s", f"ARCHIVE_DB={tmp_path / 'fresh.db'}"])
    assert re.search(r"reextract: 100%\|.*\| 50/50 \[", shown), shown[-2000:]
