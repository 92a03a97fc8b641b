"""Recovering a dead portal from public web archives: their capture index (the CDX API) and the
original bytes of each capture (the ``id_`` replay form).

The Wayback Machine's CDX server answers ``/cdx/search/cdx?url=<host>&matchType=domain&output=json``
with a JSON array: a header row of field names, one row per capture, and (with
``showResumeKey=true``, when more remain) an empty row and a row holding the resume key. pywb
archives answer the same query with one JSON object per line; both are read here, as is the plain
space-separated form. A capture's original bytes, without the archive's toolbar or rewritten links,
are at ``/web/<timestamp>id_/<original URL>``.

Archives are named in the ``RECOVERY_ARCHIVES`` setting (``wayback`` is the Internet Archive's
Wayback Machine); any other Wayback-style archive is given by its base URL, and an archive with
another layout by two templates (``cdx=…`` and ``replay=…`` with ``{timestamp}`` and ``{url}``).
Capture times are UTC in the index; they are stored at +07:00 like every other time.
"""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass
from urllib.parse import urlencode, urlsplit

from scraper.core.dates import VN_TZ

CDX_FIELDS = ["urlkey", "timestamp", "original", "mimetype", "statuscode", "digest", "length"]
# pywb names some fields differently in its JSON lines.
_PYWB_NAMES = {"url": "original", "mime": "mimetype", "status": "statuscode"}


@dataclass(frozen=True)
class WebArchive:
    name: str       # what articles record as their capture_archive
    cdx: str        # the CDX endpoint
    replay: str     # the original-bytes URL of a capture: {timestamp}, {url}

    @classmethod
    def resolve(cls, spec: str, known: dict[str, dict]) -> WebArchive:
        """`spec`: a name in `known` (the RECOVERY_ARCHIVES setting), a Wayback-style base URL
        (``http://host[/prefix]``), or ``cdx=<url>;replay=<template>``."""
        spec = spec.strip()
        if spec in known:
            entry = known[spec]
            return cls(entry.get("name") or urlsplit(entry["cdx"]).netloc, entry["cdx"], entry["replay"])
        if spec.startswith("cdx="):
            parts = dict(p.split("=", 1) for p in spec.split(";") if "=" in p)
            if "replay" not in parts or "{url}" not in parts["replay"] or "{timestamp}" not in parts["replay"]:
                raise ValueError("an archive given as cdx=…;replay=… needs a replay template with {timestamp} and {url}")
            return cls(urlsplit(parts["cdx"]).netloc, parts["cdx"], parts["replay"])
        parts = urlsplit(spec)
        if parts.scheme not in ("http", "https") or not parts.netloc:
            names = ", ".join(sorted(known)) or "none"
            raise ValueError(f"unknown web archive {spec!r}: give one of {names}, a Wayback-style base URL, "
                             "or cdx=<CDX URL>;replay=<URL template with {{timestamp}} and {{url}}>")
        base = spec.rstrip("/")
        return cls(parts.netloc, f"{base}/cdx/search/cdx", f"{base}/web/{{timestamp}}id_/{{url}}")

    @property
    def hosts(self) -> set[str]:
        return {urlsplit(self.cdx).hostname or "", urlsplit(self.replay.split("{", 1)[0]).hostname or ""} - {""}

    def query(self, domain: str, *, since: str | None = None, resume_key: str | None = None, limit: int = 5000) -> str:
        """The CDX query for every HTML capture answered 200 on `domain` and its sub-domains."""
        params = [("url", domain), ("matchType", "domain"), ("output", "json"), ("fl", ",".join(CDX_FIELDS)),
                  ("filter", "statuscode:200"), ("filter", "mimetype:text/html"), ("collapse", "digest"),
                  ("limit", str(limit)), ("showResumeKey", "true")]
        if since:
            params.append(("from", since.replace("-", "")))
        query = f"{self.cdx}?{urlencode(params)}"
        # The key comes URL-encoded in the answer and goes back verbatim.
        return query + f"&resumeKey={resume_key}" if resume_key else query

    def capture_url(self, timestamp: str, original: str) -> str:
        return self.replay.format(timestamp=timestamp, url=original)


def parse_cdx(body: bytes) -> tuple[list[dict], str | None]:
    """(captures as dicts of CDX_FIELDS, the resume key if more remain) from a CDX response in the
    Wayback JSON, pywb JSON-lines or plain text form."""
    text = body.decode("utf-8", "replace").strip()
    if not text:
        return [], None
    if text.startswith("["):
        table = json.loads(text)
        resume = None
        if len(table) >= 2 and table[-2] == [] and len(table[-1]) == 1:
            resume, table = table[-1][0], table[:-2]
        if not table:
            return [], resume
        header, rows = table[0], table[1:]
        return [dict(zip(header, row)) for row in rows if row], resume
    if text.startswith("{"):
        rows = []
        for line in text.splitlines():
            if line.strip():
                data = json.loads(line)
                rows.append({_PYWB_NAMES.get(k, k): v for k, v in data.items()})
        return rows, None
    rows, resume, lines = [], None, text.splitlines()
    if len(lines) >= 2 and lines[-2] == "" and " " not in lines[-1]:
        resume, lines = lines[-1], lines[:-2]
    for line in lines:
        fields = line.split(" ")
        if len(fields) >= len(CDX_FIELDS):
            rows.append(dict(zip(CDX_FIELDS, fields)))
    return rows, resume


def capture_time(timestamp: str) -> str:
    """A 14-digit CDX timestamp (UTC) as ISO 8601 at +07:00."""
    stamp = (timestamp + "00000000000000")[:14]
    when = dt.datetime.strptime(stamp, "%Y%m%d%H%M%S").replace(tzinfo=dt.timezone.utc)
    return when.astimezone(VN_TZ).isoformat()


def clean_original(url: str) -> str:
    """A CDX 'original' URL as a browser would write it: without the default port the index keeps."""
    parts = urlsplit(url)
    netloc = parts.netloc
    if (parts.scheme == "http" and netloc.endswith(":80")) or (parts.scheme == "https" and netloc.endswith(":443")):
        netloc = netloc.rsplit(":", 1)[0]
    return parts._replace(netloc=netloc).geturl()
