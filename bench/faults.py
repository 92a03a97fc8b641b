"""A hostile portal on 127.0.0.1: the Quảng Ngãi sample mirror, with article links that misbehave.

Each fault is an article link in the first listing page of ``tin-noi-bat`` (as ``box-news-xx``
items, the profile's own markup), answered the way a broken or hostile server answers: errors,
resets, stalls, lies about lengths and types, redirects in circles or off the site, decompression
bombs, pages of tens of megabytes, pages nested ten thousand deep, error pages served with 200, a
``Retry-After`` of an hour. A second listing, ``tin-lap``, pages forever with the same entries, a
third, ``tin-rong``, offers a next page on empty pages. ``robots`` makes robots.txt answer 500, stall
or 404. A crawl starts at ``tin-noi-bat``, ``tin-lap`` and ``tin-rong`` (``START``). What it should
make of each fault is ``FAULTS[name].outcome``; ``tests/test_faults.py`` checks it, and a person can
point any crawl at it:

    python -m bench.faults --port 8010 [--robots 500|stall|404]
"""

from __future__ import annotations

import argparse
import contextlib
import json
import re
import socket
import struct
import threading
import time
import zlib
from dataclasses import dataclass
from html import escape
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import unquote, urlsplit

ROOT = Path(__file__).resolve().parent.parent
MIRROR = ROOT / "data" / "mirror" / "quangngai.gov.vn"
LISTING = "/web/portal-qni/tin-noi-bat"
ARTICLE = "/web/portal-qni/xem-chi-tiet/-/asset_publisher/Content/{slug}?{id}"
START = (LISTING, "/web/portal-qni/tin-lap", "/web/portal-qni/tin-rong")
STALL_SECONDS = 30  # longer than the DOWNLOAD_TIMEOUT the tests give the crawl


@dataclass(frozen=True)
class Fault:
    title: str
    outcome: str  # "stored", "rejected", "alias", "not fetched": what the archive should end with


FAULTS = {
    "http-500": Fault("Lỗi máy chủ nội bộ khi mở bài", "rejected"),
    "http-503": Fault("Máy chủ tạm thời quá tải khi mở bài", "rejected"),
    "retry-after-long": Fault("Máy chủ yêu cầu chờ một giờ mới mở bài", "rejected"),
    "retry-after-short": Fault("Máy chủ yêu cầu chờ một giây rồi mở bài", "stored"),
    "reset": Fault("Kết nối bị ngắt giữa chừng khi mở bài", "rejected"),
    "stall": Fault("Máy chủ treo không trả lời khi mở bài", "rejected"),
    "truncated": Fault("Trang bài viết bị cắt cụt giữa chừng", "rejected"),
    "redirect-loop": Fault("Bài viết chuyển hướng vòng quanh mãi", "rejected"),
    "redirect-offsite": Fault("Bài viết chuyển hướng sang máy chủ khác", "rejected"),
    "bomb": Fault("Bài viết nén thành ba trăm megabyte", "rejected"),
    "huge": Fault("Bài viết nặng năm mươi megabyte", "rejected"),
    "big": Fault("Bài viết nặng tám megabyte vượt ngân sách", "rejected"),
    "deep": Fault("Bài viết lồng mười nghìn thẻ div", "stored"),
    "soft-404": Fault("Bài viết đã bị gỡ khỏi cổng thông tin", "rejected"),
    "binary": Fault("Trang bài viết toàn byte rác nhị phân", "rejected"),
    "pdf-as-html": Fault("Tệp PDF gửi kèm nhãn trang HTML", "rejected"),
    "no-title": Fault("Bài viết không có tiêu đề nào cả", "rejected"),
    "absurd-date": Fault("Bài viết ghi ngày đăng năm hai nghìn chín mươi chín", "stored"),
    "duplicate": Fault("Bài viết trùng nội dung dưới địa chỉ khác", "alias"),
    "wrong-charset": Fault("Bài viết khai báo sai bảng mã ký tự", "stored"),
}


def _repeated(n: int) -> str:
    return ARTICLE.format(slug="lap-lai", id=98_000_000 + n)


def fault_url(name: str) -> str:
    return ARTICLE.format(slug=f"su-co-{name}", id=99_000_000 + list(FAULTS).index(name))


def _article(title: str, body: str, date: str = "20/06/2025 08:30") -> str:
    """An article page in the mirror's Liferay theme (what the quang_ngai profile reads)."""
    template = (MIRROR / "pages" / "article-001.html").read_text(encoding="utf-8")
    template = re.sub(r"<title>.*?</title>", f"<title>{escape(title)}</title>" if title else "<title></title>", template, count=1,
                      flags=re.S)
    head, rest = template.split('<div class="asset-full-content show-asset-title">', 1)
    tail = rest.split("</section>", 1)[1]
    main = (f'<div class="asset-full-content show-asset-title"><div class="taglib-header"><h1 class="header-title"><span>'
            f'{escape(title)}</span></h1></div><div class="date-view-xx"><span class="date">{date}</span></div>'
            f'<div class="asset-content"><div class="journal-content-article">{body}</div></div></div></div></div>\n')
    return head + main + "</section>" + tail


def _paragraphs(name: str) -> str:
    """A body of its own for each fault's article (alike bodies would be aliases of each other)."""
    return "".join(f"<p>Đoạn {n} của bài viết thử nghiệm về sự cố «{name}» của máy chủ cổng thông tin điện tử tỉnh, số {len(name) * n}.</p>"
                   for n in range(6))


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server_version = "faults/1"

    def log_message(self, format, *args):
        pass

    def handle(self):
        try:
            super().handle()
        except (ConnectionError, TimeoutError, ValueError):
            pass  # the crawler gave up on a stalled answer, or a reset (its stream closed) was the point

    def do_GET(self):
        server: FaultServer = self.server.owner
        path = unquote(self.path)
        with server.lock:
            server.paths.append(path)
            tries = server.tries[path] = server.tries.get(path, 0) + 1
        parts = urlsplit(path)
        if parts.path == "/robots.txt":
            return self._robots(server.robots)
        if parts.path.startswith("/web/portal-qni/tin-lap"):
            return self._repeating(parts.query)
        if parts.path.startswith("/web/portal-qni/tin-rong"):
            return self._empty(parts.query)
        for name in FAULTS:
            if path == unquote(fault_url(name)):
                return self._fault(name, tries, server)
        if path.startswith(unquote(ARTICLE.format(slug="lap-lai", id=""))):
            return self._send(200, _article(f"Bài viết lặp lại {parts.query}", _paragraphs(parts.query)).encode())
        if parts.path == LISTING and not parts.query:
            return self._send(200, self._listing().encode())
        route = server.routes.get(path)
        if route and route.get("file"):
            return self._send(200, (MIRROR / route["file"]).read_bytes())
        return self._send(404, b"<html><body><h1>404</h1></body></html>")

    # -- answers -----------------------------------------------------------------------------------

    def _send(self, status: int, body: bytes, ctype: str = "text/html; charset=utf-8", headers: dict | None = None):
        self.send_response(status)
        self.send_header("Content-Type", ctype)
        self.send_header("Content-Length", str(len(body)))
        for k, v in (headers or {}).items():
            self.send_header(k, v)
        self.end_headers()
        self.wfile.write(body)

    def _reset(self) -> None:
        """Drop the connection with a TCP reset, the way a crashing server or a middlebox does."""
        self.connection.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
        self.close_connection = True
        for stream in (self.rfile, self.wfile):
            with contextlib.suppress(OSError):
                stream.close()
        with contextlib.suppress(OSError):
            self.connection.close()

    def _robots(self, mode: str):
        if mode == "500":
            return self._send(500, b"Internal Server Error", "text/plain")
        if mode == "stall":
            time.sleep(STALL_SECONDS)
            return None
        if mode == "404":
            return self._send(404, b"Not Found", "text/plain")
        return self._send(200, b"User-agent: *\nDisallow: /c/\nDisallow: /group/\n", "text/plain")

    def _listing(self) -> str:
        page = (MIRROR / "pages" / "listing-tin-noi-bat-1.html").read_text(encoding="utf-8")
        items = "".join(
            f'<div class="box-news-xx"><h2 class="h2-title-xx"><a href="{escape(fault_url(name))}">{escape(f.title)}</a></h2>'
            f'<p class="date_post">20/06/2025</p></div>'
            for name, f in FAULTS.items()
        )
        return page.replace('<div class="list-news-xx">', f'<div class="list-news-xx">{items}', 1)

    def _repeating(self, query: str):
        """Every page lists the same five articles and offers the next one."""
        page = int(query.split("=")[-1]) if query.startswith("page=") else 1
        items = "".join(f'<div class="box-news-xx"><h2 class="h2-title-xx"><a href="{escape(_repeated(n))}">'
                        f"Bài viết lặp lại số {n} trong chuyên mục</a></h2><p class=\"date_post\">19/06/2025</p></div>" for n in range(5))
        body = (f'<html><body><div class="list-news-xx">{items}</div><a rel="next" href="/web/portal-qni/tin-lap?page={page + 1}">Sau</a>'
                "</body></html>")
        return self._send(200, body.encode())

    def _empty(self, query: str):
        page = int(query.split("=")[-1]) if query.startswith("page=") else 1
        following = f"/web/portal-qni/tin-rong?page={page + 1}"
        body = f'<html><body><div class="list-news-xx"></div><a rel="next" href="{following}">Sau</a></body></html>'
        return self._send(200, body.encode())

    def _fault(self, name: str, tries: int, server: FaultServer):
        title = FAULTS[name].title
        ok = _article(title, _paragraphs(name)).encode()
        if name == "http-500":
            return self._send(500, b"<html><body><h1>500</h1></body></html>")
        if name == "http-503":
            return self._send(503, b"<html><body><h1>503</h1></body></html>")
        if name == "retry-after-long":
            return self._send(503, b"<html><body>Busy</body></html>", headers={"Retry-After": "3600"})
        if name == "retry-after-short":
            if tries == 1:
                return self._send(503, b"<html><body>Busy</body></html>", headers={"Retry-After": "1"})
            return self._send(200, ok)
        if name == "reset":
            self._reset()
            return None
        if name == "stall":
            time.sleep(STALL_SECONDS)
            return None
        if name == "truncated":
            self.send_response(200)
            self.send_header("Content-Type", "text/html; charset=utf-8")
            self.send_header("Content-Length", str(len(ok) * 2))
            self.end_headers()
            self.wfile.write(ok[: len(ok) // 2])
            self.wfile.flush()
            self._reset()
            return None
        if name == "redirect-loop":
            return self._send(302, b"", headers={"Location": fault_url(name)})
        if name == "redirect-offsite":
            return self._send(302, b"", headers={"Location": f"http://127.0.0.1:{server.elsewhere_port}/bai-viet.html"})
        if name == "bomb":
            return self._send(200, server.bomb, headers={"Content-Encoding": "gzip"})
        if name == "huge":
            return self._send(200, _article(title, _paragraphs(name) + "<p>" + "dữ liệu " * 4_200_000 + "</p>").encode())
        if name == "big":
            return self._send(200, _article(title, _paragraphs(name) + "<p>" + "dữ liệu " * 1_000_000 + "</p>").encode())
        if name == "deep":
            return self._send(200, _article(title, "<div>" * 10_000 + _paragraphs(name) + "</div>" * 10_000).encode())
        if name == "soft-404":
            return self._send(200, _article("404 - Trang không tồn tại", "<p>Trang bạn yêu cầu không tồn tại hoặc đã bị xóa.</p>").encode())
        if name == "binary":
            return self._send(200, bytes(range(256)) * 400)
        if name == "pdf-as-html":
            return self._send(200, b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n1 0 obj\n<< /Type /Catalog >>\nendobj\n" * 300)
        if name == "no-title":
            return self._send(200, _article("", _paragraphs(name)).encode())
        if name == "absurd-date":
            return self._send(200, _article(title, _paragraphs(name), date="20/06/2099 08:30").encode())
        if name == "duplicate":
            first = next(r["file"] for t, r in sorted(server.routes.items()) if "article" in r.get("file", ""))
            return self._send(200, (MIRROR / first).read_bytes())
        if name == "wrong-charset":
            return self._send(200, ok, "text/html; charset=iso-8859-1")
        raise AssertionError(name)


class FaultServer:
    """The hostile portal, served on 127.0.0.1 (and a second, empty server an off-site redirect leads to)."""

    def __init__(self, port: int = 0, robots: str = "ok"):
        self.robots = robots
        self.paths: list[str] = []
        self.tries: dict[str, int] = {}
        self.lock = threading.Lock()
        self.routes = {unquote(k): v for k, v in json.loads((MIRROR / "routes.json").read_text(encoding="utf-8")).items()}
        # 300 MB of zeros, gzipped: about 300 KB on the wire.
        compressor = zlib.compressobj(9, zlib.DEFLATED, 31)
        chunk = b"\0" * (1 << 20)
        self.bomb = b"".join(compressor.compress(chunk) for _ in range(300)) + compressor.flush()
        self.httpd = ThreadingHTTPServer(("127.0.0.1", port), _Handler)
        self.httpd.daemon_threads = True
        self.httpd.owner = self
        self.elsewhere = ThreadingHTTPServer(("127.0.0.1", 0), _Handler)
        self.elsewhere.daemon_threads = True
        self.elsewhere.owner = self
        self.elsewhere_port = self.elsewhere.server_address[1]

    @property
    def origin(self) -> str:
        return f"http://127.0.0.1:{self.httpd.server_address[1]}"

    def __enter__(self) -> FaultServer:
        for httpd in (self.httpd, self.elsewhere):
            threading.Thread(target=httpd.serve_forever, daemon=True).start()
        return self

    def __exit__(self, *exc) -> None:
        for httpd in (self.httpd, self.elsewhere):
            httpd.shutdown()
            httpd.server_close()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--port", type=int, default=8010)
    parser.add_argument("--robots", choices=("ok", "500", "stall", "404"), default="ok")
    args = parser.parse_args()
    with FaultServer(args.port, args.robots) as server:
        print(f"Serving the hostile portal at {server.origin}{LISTING} (Ctrl-C stops)", flush=True)
        try:
            while True:
                time.sleep(3600)
        except KeyboardInterrupt:
            pass


if __name__ == "__main__":
    main()
