"""A web archive on 127.0.0.1 that speaks the Wayback Machine's formats, for the recovery tests.

It answers the CDX server API (``/cdx/search/cdx``: url and matchType exact/prefix/host/domain,
output json or text, fl, filter=[!]field:regex, from/to, collapse, limit with showResumeKey and
resumeKey, JSON arrays with a header row and the resume key after an empty row) and replays
captures: ``/web/<timestamp>id_/<url>`` gives the original bytes with the original Content-Type and
``X-Archive-Orig-*`` headers, a timestamp that is not a capture's redirects to the nearest one,
``/web/<timestamp>/<url>`` gives the page rewritten with a toolbar (what a crawler must not
store). In ``pywb`` mode it answers as pywb archives do instead: ``/<coll>/cdx`` in JSON lines,
replay at ``/<coll>/<timestamp>id_/<url>``.

The captures are made from the reconstructed Phú Yên mirror (data/mirror/phuyen.gov.vn, a
reconstruction as its meta.json says): the pages are the mirror's, the capture times invented.
"""

from __future__ import annotations

import base64
import datetime as dt
import email.utils
import hashlib
import json
import re
import threading
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qsl, quote_plus, unquote, urlsplit

from scraper.archive.warc import surt


@dataclass
class Capture:
    original: str
    timestamp: str
    body: bytes
    mimetype: str = "text/html"
    status: int = 200
    charset: str | None = "utf-8"

    @property
    def urlkey(self) -> str:
        return surt(unquote(self.original))

    @property
    def digest(self) -> str:
        return base64.b32encode(hashlib.sha1(self.body).digest()).decode()

    def row(self) -> dict:
        return {"urlkey": self.urlkey, "timestamp": self.timestamp, "original": self.original, "mimetype": self.mimetype,
                "statuscode": str(self.status), "digest": self.digest, "length": str(len(self.body) + 400)}


@dataclass
class State:
    captures: list[Capture]
    mode: str = "wayback"            # or "pywb"
    collection: str = "coll"
    throttle: int = 0                # answer the first N replay requests 429 Too Many Requests
    log: list[str] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)


def _host_of_key(key: str) -> str:
    return key.split(")", 1)[0]


def _select(state: State, params: list[tuple[str, str]]) -> list[dict]:
    args = dict(params)
    url = args.get("url", "")
    match = args.get("matchType", "exact")
    if url.endswith("/*"):
        url, match = url[:-2], "prefix"
    if url.startswith("*."):
        url, match = url[2:], "domain"
    key = surt(url if "://" in url else "http://" + url)
    host = _host_of_key(key)
    rows = sorted((c.row() for c in state.captures), key=lambda r: (r["urlkey"], r["timestamp"]))
    if match == "exact":
        rows = [r for r in rows if r["urlkey"] == key]
    elif match == "prefix":
        rows = [r for r in rows if r["urlkey"].startswith(key.rstrip("/"))]
    elif match == "host":
        rows = [r for r in rows if _host_of_key(r["urlkey"]) == host]
    elif match == "domain":
        rows = [r for r in rows if _host_of_key(r["urlkey"]) == host or _host_of_key(r["urlkey"]).startswith(host + ",")]
    for name, value in params:
        if name == "filter":
            negate = value.startswith("!")
            fname, regex = value.lstrip("!").split(":", 1)
            rows = [r for r in rows if bool(re.fullmatch(regex, r.get(fname, ""))) != negate]
    if args.get("from"):
        rows = [r for r in rows if r["timestamp"] >= args["from"].ljust(14, "0")]
    if args.get("to"):
        rows = [r for r in rows if r["timestamp"] <= args["to"].ljust(14, "9")]
    for name, value in params:
        if name == "collapse":
            fname, _, n = value.partition(":")
            kept, last = [], None
            for r in rows:
                mark = r[fname][: int(n)] if n else r[fname]
                if mark != last:
                    kept.append(r)
                last = mark
            rows = kept
    if args.get("resumeKey"):
        after = args["resumeKey"].rstrip("!")
        rows = [r for r in rows if f"{r['urlkey']} {r['timestamp']}" > after]
    return rows


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server_version = "wayback-test/1"

    def __init__(self, *args, state: State, **kwargs):
        self.state = state
        super().__init__(*args, **kwargs)

    def log_message(self, format, *args):
        pass

    def _send(self, status: int, body: bytes, headers: dict[str, str]) -> None:
        self.send_response(status)
        for k, v in headers.items():
            self.send_header(k, v)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def do_GET(self):
        with self.state.lock:
            self.state.log.append(self.path)
        if self.path == "/robots.txt":
            return self._send(200, b"User-agent: *\nAllow: /\n", {"Content-Type": "text/plain"})
        parts = urlsplit(self.path)
        coll = f"/{self.state.collection}"
        if self.state.mode == "wayback" and parts.path == "/cdx/search/cdx":
            return self._cdx(parse_qsl(parts.query, keep_blank_values=True), lines=False)
        if self.state.mode == "pywb" and parts.path == f"{coll}/cdx":
            return self._cdx(parse_qsl(parts.query, keep_blank_values=True), lines=True)
        prefix = "/web/" if self.state.mode == "wayback" else f"{coll}/"
        if self.path.startswith(prefix):
            return self._replay(self.path[len(prefix):], prefix)
        self._send(404, b"not found", {"Content-Type": "text/plain"})

    def _cdx(self, params: list[tuple[str, str]], lines: bool) -> None:
        args = dict(params)
        rows = _select(self.state, params)
        fields = args.get("fl", "urlkey,timestamp,original,mimetype,statuscode,digest,length").split(",")
        limit = int(args.get("limit") or 150000)
        more = len(rows) > limit
        rows = rows[:limit]
        wants_key = more and rows and args.get("showResumeKey") == "true"
        resume = quote_plus(f"{rows[-1]['urlkey']} {rows[-1]['timestamp']}!") if wants_key else None
        if lines:  # pywb: one JSON object per line, its own field names
            names = {"original": "url", "mimetype": "mime", "statuscode": "status"}
            body = "".join(json.dumps({names.get(f, f): r[f] for f in fields}) + "\n" for r in rows)
            return self._send(200, body.encode(), {"Content-Type": "text/x-ndjson"})
        if args.get("output") == "json":
            table = [fields] + [[r[f] for f in fields] for r in rows] if rows else []
            if resume:
                table += [[], [resume]]
            body = "[" + ",\n".join(json.dumps(row) for row in table) + "]"
            return self._send(200, body.encode(), {"Content-Type": "application/json"})
        text = "".join(" ".join(r[f] for f in fields) + "\n" for r in rows) + (f"\n{resume}\n" if resume else "")
        self._send(200, text.encode(), {"Content-Type": "text/plain"})

    def _replay(self, rest: str, prefix: str) -> None:
        m = re.match(r"(\d{1,14})(id_)?/(.+)", rest)
        if not m:
            return self._send(400, b"bad replay URL", {"Content-Type": "text/plain"})
        stamp, raw, target = m.group(1).ljust(14, "0"), bool(m.group(2)), m.group(3)
        if "://" not in target:
            target = "http://" + target
        key = surt(unquote(target))
        found = [c for c in self.state.captures if c.urlkey == key and c.status < 400]
        if not found:
            body = b"<html><body><p>Hrm. The Wayback Machine has not archived that URL.</p></body></html>"
            return self._send(404, body, {"Content-Type": "text/html; charset=utf-8"})
        with self.state.lock:
            if self.state.throttle > 0:
                self.state.throttle -= 1
                return self._send(429, b"Too Many Requests", {"Content-Type": "text/plain", "Retry-After": "0"})
        nearest = min(found, key=lambda c: abs(int(c.timestamp) - int(stamp)))
        if nearest.timestamp != stamp:
            location = f"{prefix}{nearest.timestamp}{'id_' if raw else ''}/{nearest.original}"
            return self._send(302, b"", {"Location": location})
        when = dt.datetime.strptime(nearest.timestamp, "%Y%m%d%H%M%S").replace(tzinfo=dt.timezone.utc)
        ctype = nearest.mimetype + (f"; charset={nearest.charset}" if nearest.charset else "")
        headers = {"Memento-Datetime": email.utils.format_datetime(when, usegmt=True),
                   "Link": f'<{nearest.original}>; rel="original"',
                   "X-Archive-Src": "test-archive-00001.warc.gz"}
        if raw:
            headers.update({"Content-Type": ctype, "X-Archive-Orig-Server": "IBM_HTTP_Server",
                            "X-Archive-Orig-Date": email.utils.format_datetime(when, usegmt=True)})
            return self._send(nearest.status, nearest.body, headers)
        # The rewritten page a reader sees, with the archive's toolbar and links into the archive.
        page = nearest.body.decode(nearest.charset or "utf-8", "replace")
        page = re.sub(r'(href|src)="(https?://)', lambda mm: f'{mm.group(1)}="{prefix}{nearest.timestamp}/{mm.group(2)}', page)
        page = page.replace("<body>", "<body><!-- BEGIN WAYBACK TOOLBAR INSERT --><div id=\"wm-ipp\">Wayback Machine "
                            "toolbar: 1 capture</div><!-- END WAYBACK TOOLBAR INSERT -->", 1)
        headers["Content-Type"] = "text/html; charset=utf-8"
        self._send(200, page.encode("utf-8"), headers)


class WaybackServer:
    def __init__(self, captures: list[Capture], **options):
        self.state = State(list(captures), **options)
        handler = lambda *a, **kw: _Handler(*a, state=self.state, **kw)  # noqa: E731
        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), handler)
        self.origin = f"http://127.0.0.1:{self.httpd.server_address[1]}"
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)

    def __enter__(self) -> WaybackServer:
        self.thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()

    @property
    def log(self) -> list[str]:
        return list(self.state.log)
