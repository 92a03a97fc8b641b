"""A local copy of a portal served over HTTP on 127.0.0.1: the demo, the tests and the benchmarks
crawl these, never the internet.

A mirror is a directory. Files are served at their paths; ``routes.json`` maps request targets
that carry a query string (WebSphere and Liferay URLs do) to files, and can give a target a status
(404, 500) to stand for a broken page, a redirect (a status and a ``Location`` header) or headers
of its own (``null`` takes one away). Responses carry ``Last-Modified`` and ``ETag`` and answer
conditional requests with 304, as a real portal's web server would.

    python -m scraper.mirror data/mirror/phuyen.gov.vn --port 8001
"""

from __future__ import annotations

import argparse
import email.utils
import hashlib
import json
import mimetypes
import signal
import threading
import time
from functools import partial
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import unquote, urlsplit

LOOPBACK = "127.0.0.1"


def route_key(target: str) -> str:
    """Request targets are compared unquoted, so %3A and : name the same page."""
    parts = urlsplit(target)
    key = unquote(parts.path)
    return key + ("?" + unquote(parts.query) if parts.query else "")


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server_version = "mirror/1"

    def __init__(self, *args, root: Path, routes: dict, counter: dict, latency: float = 0.0, **kwargs):
        self.root, self.routes, self.counter, self.latency = root, routes, counter, latency
        super().__init__(*args, **kwargs)

    def log_message(self, format, *args):  # quiet: the crawler logs what it fetched
        pass

    def handle(self):
        try:
            super().handle()
        except (ConnectionError, TimeoutError):
            pass  # the crawler went away mid-answer (stopped, or killed): nothing to report

    def do_HEAD(self):
        self.do_GET(head=True)

    def do_GET(self, head: bool = False):
        key = route_key(self.path)
        with self.counter["lock"]:
            self.counter["requests"] += 1
            self.counter["paths"].append(key)
            self.counter["times"].append(time.monotonic())
            if self.counter["log"]:
                self.counter["log"].write(f"{time.time():.4f} {key}\n")
        if self.latency:
            time.sleep(self.latency)  # a slow portal, for tests of politeness and interrupted crawls
        route = self.routes.get(key)
        status = 200
        if route is not None:
            status = route.get("status", 200)
            path = self.root / route["file"] if route.get("file") else None
        else:
            rel = unquote(urlsplit(self.path).path).lstrip("/")
            path = (self.root / rel).resolve()
            if path.is_dir():
                path = path / "index.html"
            if self.root not in path.parents and path != self.root:
                path = None
        if path is None or not path.is_file():
            if status == 200:
                status = 404
            body = f"<html><body><h1>{status}</h1></body></html>".encode()
            return self._send(status, body, "text/html; charset=utf-8", head=head, extra=(route or {}).get("headers"))
        body = path.read_bytes()
        ctype = (route or {}).get("content_type") or _content_type(path)
        etag = '"' + hashlib.md5(body).hexdigest() + '"'
        mtime = email.utils.formatdate(path.stat().st_mtime, usegmt=True)
        if status == 200 and (self.headers.get("If-None-Match") == etag or self.headers.get("If-Modified-Since") == mtime):
            return self._send(304, b"", None, head=True, extra={"ETag": etag, "Last-Modified": mtime})
        self._send(status, body, ctype, head=head, extra={"ETag": etag, "Last-Modified": mtime, **(route or {}).get("headers", {})})

    def _send(self, status, body, ctype, *, head=False, extra=None):
        self.send_response(status)
        if ctype:
            self.send_header("Content-Type", ctype)
        self.send_header("Content-Length", str(len(body)))
        for k, v in (extra or {}).items():
            if v is not None:  # a route may take a header away ("Last-Modified": null)
                self.send_header(k, v)
        self.end_headers()
        if not head and status != 304:
            self.wfile.write(body)


def _content_type(path: Path) -> str:
    if path.suffix in ("", ".html", ".htm"):
        return "text/html; charset=utf-8"
    if path.name == "robots.txt":
        return "text/plain; charset=utf-8"
    return mimetypes.guess_type(path.name)[0] or "application/octet-stream"


class _Server(ThreadingHTTPServer):
    request_queue_size = 128  # http.server's default backlog of 5 drops connections under load


class MirrorServer:
    """Serve one mirror directory on 127.0.0.1 (a free port unless one is given), in a thread."""

    def __init__(self, root: str | Path, port: int = 0, latency: float = 0.0, access_log: str | None = None):
        self.root = Path(root).resolve()
        routes_file = self.root / "routes.json"
        routes = json.loads(routes_file.read_text(encoding="utf-8")) if routes_file.exists() else {}
        self.routes = {route_key(k): v for k, v in routes.items()}
        self.counter = {"requests": 0, "paths": [], "times": [], "lock": threading.Lock(),
                        "log": open(access_log, "a", buffering=1, encoding="utf-8") if access_log else None}
        handler = partial(_Handler, root=self.root, routes=self.routes, counter=self.counter, latency=latency)
        self.httpd = _Server((LOOPBACK, port), handler)
        self.httpd.daemon_threads = True
        self._thread: threading.Thread | None = None

    @property
    def origin(self) -> str:
        return f"http://{LOOPBACK}:{self.httpd.server_address[1]}"

    @property
    def requests(self) -> int:
        return self.counter["requests"]

    def start(self) -> "MirrorServer":
        self._thread = threading.Thread(target=self.httpd.serve_forever, name=f"mirror:{self.root.name}", daemon=True)
        self._thread.start()
        return self

    def stop(self) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()

    def __enter__(self) -> "MirrorServer":
        return self.start()

    def __exit__(self, *exc) -> None:
        self.stop()


def _interrupt(*_) -> None:
    raise KeyboardInterrupt


def main() -> None:
    parser = argparse.ArgumentParser(description="Serve a portal mirror on 127.0.0.1.")
    parser.add_argument("root", help="mirror directory (e.g. data/mirror/phuyen.gov.vn)")
    parser.add_argument("--port", type=int, default=0, help="port (default: any free port)")
    parser.add_argument("--latency", type=float, default=0.0, help="seconds to wait before each answer (a slow portal)")
    parser.add_argument("--access-log", help="append 'epoch-seconds path' per request to this file (benchmarks)")
    args = parser.parse_args()
    server = MirrorServer(args.root, args.port, args.latency, access_log=args.access_log)
    print(f"serving {server.root} at {server.origin}/ (Ctrl-C stops)", flush=True)
    signal.signal(signal.SIGTERM, _interrupt)  # stop cleanly when a benchmark ends the server
    try:
        server.httpd.serve_forever()
    except KeyboardInterrupt:
        pass
    finally:
        server.httpd.server_close()


if __name__ == "__main__":
    main()
