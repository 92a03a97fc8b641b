"""Raw pages kept as WARC (ISO 28500): the files, their records and their CDXJ indexes.

A response becomes a request and a response record, each its own gzip member (warcio), appended to
the current file under the archive's ``warc/`` directory; files rotate at a size, and each has an
index beside it (``<file>.cdxj``: SURT, 14-digit time, JSON with url, mime, status, digest, length,
offset, filename, portal, kind) in the format pywb reads. The files pass ``warcio check`` and load
in pywb and ReplayWeb.page. Re-extraction reads them back through the same index.

``build_record`` is a pure function of a response, so a page worker can build a page's record
beside reading it; the crawl only appends the finished bytes. Each record is one gzip member,
compressed at level 1 in a single call: for a 30 KB portal page that measured 0.15 ms against
0.31 ms at level 6 and 0.33 ms at warcio's level 9, for files about a tenth larger.

The bodies are stored as the crawl received them after transfer decoding (gzip/deflate undone), so
``Content-Encoding``, ``Transfer-Encoding`` and ``Content-Length`` describe the stored bytes, not
the wire: that is what replay tools expect of a decoded record.
"""

from __future__ import annotations

import datetime as dt
import io
import json
import logging
import os
import socket
from pathlib import Path
from urllib.parse import urlsplit

from isal import isal_zlib
from warcio.archiveiterator import ArchiveIterator
from warcio.statusandheaders import StatusAndHeaders
from warcio.warcwriter import WARCWriter

logger = logging.getLogger(__name__)


def surt(url: str) -> str:
    """The CDX sort key of a URL as the surt library writes it (and cdxj-indexer, pywb, the Wayback
    Machine): 'vn,gov,phuyen)/wps/portal?a=1&b=2', '1,0,0,127:8001)/' (no scheme, no www., query
    sorted, host labels reversed, IP addresses too)."""
    from surt import surt as _surt  # here: 20 MiB of imports (tldextract, requests) a page worker never needs

    return _surt(url)


def build_record(*, url: str, method: str, request_headers: list[tuple[str, str]], status: int, reason: str,
                 response_headers: list[tuple[str, str]], body: bytes, fetched: str) -> dict:
    """The gzip members of a response record and of the request record concurrent with it (in that
    order), with what the index needs: the response member's length and the payload digest.
    `fetched` is the WARC-Date (ISO 8601, UTC). Pure: usable in a page worker."""
    builder = WARCWriter(None, gzip=False)
    http = StatusAndHeaders(f"{status} {reason}".strip(), response_headers, protocol="HTTP/1.1")
    response = builder.create_warc_record(url, "response", payload=io.BytesIO(body), length=len(body),
                                          http_headers=http, warc_headers_dict={"WARC-Date": fetched})
    parts = urlsplit(url)
    target = (parts.path or "/") + ("?" + parts.query if parts.query else "")
    req_http = StatusAndHeaders(f"{method} {target} HTTP/1.1", request_headers, is_http_request=True)
    request = builder.create_warc_record(url, "request", payload=io.BytesIO(b""), length=0, http_headers=req_http,
                                         warc_headers_dict={"WARC-Date": fetched,
                                                            "WARC-Concurrent-To": response.rec_headers.get_header("WARC-Record-ID")})
    first = _member(builder, response)
    return {"members": first + _member(builder, request), "response_length": len(first),
            "digest": response.rec_headers.get_header("WARC-Payload-Digest")}


def _member(builder: WARCWriter, record) -> bytes:
    """One record as one gzip member: warcio serializes it, one ISA-L deflate call compresses it
    (level 2 of ISA-L's 0–3: measured on the benchmark site's pages, side by side, 42–48 µs a page
    and 19.4% of the size, against zlib's level 1 at 165–233 µs and 19.9%)."""
    buffer = io.BytesIO()
    builder.out = buffer
    builder.write_record(record)
    compressor = isal_zlib.compressobj(2, isal_zlib.DEFLATED, isal_zlib.MAX_WBITS + 16)
    return compressor.compress(buffer.getvalue()) + compressor.flush()


class WarcWriter:
    """Rotating gzip WARC files plus their CDXJ indexes."""

    def __init__(self, directory: Path, prefix: str, max_bytes: int):
        self.directory = directory
        self.prefix = prefix
        self.max_bytes = max_bytes
        self.serial = 0
        self.file = None
        self.index = None
        self.path: Path | None = None
        self.records = 0

    def _open(self) -> None:
        self.directory.mkdir(parents=True, exist_ok=True)
        stamp = dt.datetime.now(dt.timezone.utc).strftime("%Y%m%d%H%M%S")
        self.serial += 1
        name = f"{self.prefix}-{stamp}-{os.getpid()}-{self.serial:05d}.warc.gz"
        self.path = self.directory / name
        self.file = open(self.path, "ab")
        self.index = open(self.path.with_name(name + ".cdxj"), "a", encoding="utf-8")
        builder = WARCWriter(None, gzip=False)
        info = builder.create_warcinfo_record(name, {
            "software": "vn-portal-archive (Scrapy, warcio)",
            "format": "WARC File Format 1.1",
            "hostname": socket.gethostname(),
            "description": "Pages of Vietnamese provincial government portals, as the archive crawled them",
        })
        self.file.write(_member(builder, info))

    def write(self, *, portal: str | None = None, kind: str | None = None, extra: dict | None = None, **fields) -> dict:
        """Build and append the records of one response (see build_record for `fields`)."""
        return self.append(build_record(**fields), url=fields["url"], status=fields["status"],
                           response_headers=fields["response_headers"], fetched=fields["fetched"],
                           portal=portal, kind=kind, extra=extra)

    def append(self, built: dict, *, url: str, status: int, response_headers: list[tuple[str, str]], fetched: str,
               portal: str | None, kind: str | None, extra: dict | None = None) -> dict:
        """Append records made by build_record, and their line in the index."""
        if self.file is None or self.file.tell() >= self.max_bytes:
            self.close()
            self._open()
        offset = self.file.tell()
        self.file.write(built["members"])
        self.file.flush()
        entry = {
            "url": url, "mime": (dict((k.lower(), v) for k, v in response_headers).get("content-type") or "").split(";")[0],
            "status": str(status), "digest": built["digest"],
            "length": str(built["response_length"]), "offset": str(offset), "filename": self.path.name,
        }
        if portal:
            entry["portal"] = portal
        if kind:
            entry["kind"] = kind
        entry.update(extra or {})  # the page's original URL when a copy or an archive was crawled, its listing entry, capture
        stamp = "".join(ch for ch in fetched if ch.isdigit())[:14]
        self.index.write(f"{surt(url)} {stamp} {json.dumps(entry, ensure_ascii=False)}\n")
        self.index.flush()
        self.records += 1
        return entry

    def close(self) -> None:
        if self.file is not None:
            self.file.close()
            self.index.close()
            self.file = self.index = None


def index_entries(warc_dir: Path) -> list[dict]:
    """Every CDXJ line of the WARC files in `warc_dir`, oldest capture first."""
    entries = []
    for index in sorted(warc_dir.glob("*.cdxj")):
        for number, line in enumerate(index.read_text(encoding="utf-8", errors="replace").splitlines(), 1):
            try:
                _, stamp, data = line.split(" ", 2)
                fields = json.loads(data)
                entries.append({**fields, "timestamp": stamp, "warc": str(index.parent / fields["filename"])})
            except (ValueError, KeyError):  # a line cut short by a killed crawl, say
                logger.error("reextract: line %d of %s is not an index entry; skipped", number, index)
    entries.sort(key=lambda e: (e["timestamp"], e["warc"], int(e["offset"])))
    return entries


def read_response(path: str, offset: int) -> tuple[int, dict, bytes, str]:
    """(status, headers, body, WARC-Date) of the response record at `offset`."""
    with open(path, "rb") as fh:
        fh.seek(offset)
        record = next(iter(ArchiveIterator(fh)))
        headers = {k.lower(): v for k, v in record.http_headers.headers}
        status = int(record.http_headers.get_statuscode() or 0)
        return status, headers, record.content_stream().read(), record.rec_headers.get_header("WARC-Date")
