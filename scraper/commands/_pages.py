"""Pages for the commands that read one page a person names: a saved file (with the address and
headers its ``meta.json`` records) or a URL fetched once with the project's user agent.

Not a command; shared by ``detect``, ``subsites``, ``savefixture`` and ``extract``. A page that cannot
be read is a ``PageError`` whose message says why in words.
"""

from __future__ import annotations

import datetime as dt
import http.client
import json
import urllib.error
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit

MAX_BYTES = 20 * 1024 * 1024  # a portal page is well under this; a bigger answer is not a page
VN_OFFSET = dt.timezone(dt.timedelta(hours=7))


class PageError(Exception):
    """A page that could not be read; the message says why."""


@dataclass
class Page:
    url: str | None          # its address (the final one, after redirects)
    body: bytes
    headers: dict[str, str] = field(default_factory=dict)  # lower-case names
    fetched_at: str | None = None
    meta: dict = field(default_factory=dict)  # the meta.json beside a saved file, if any

    @property
    def content_type(self) -> str | None:
        return self.headers.get("content-type")


def is_url(target: str) -> bool:
    return urlsplit(target).scheme in ("http", "https")


def read_saved(path: Path, url: str | None = None) -> Page:
    """A saved page's bytes, and its address and headers from `url` or the meta.json beside it."""
    try:
        body = path.read_bytes()
    except OSError as exc:
        raise PageError(exc.strerror or str(exc)) from None
    meta = {}
    meta_path = path.parent / "meta.json"
    if meta_path.is_file():
        try:
            meta = json.loads(meta_path.read_text(encoding="utf-8"))
        except (OSError, ValueError) as exc:
            raise PageError(f"{meta_path} is not readable JSON: {exc}") from None
    url = url or meta.get("url")
    if url and not is_url(url):
        raise PageError(f"--url {url!r} is not an http(s) URL")
    headers = {k.lower(): v for k, v in (meta.get("headers") or {}).items()}
    return Page(url, body, headers, meta.get("fetched_at"), meta)


def fetch(url: str, user_agent: str, timeout: float = 30.0) -> Page:
    """One GET with the project's User-Agent."""
    request = urllib.request.Request(url, headers={"User-Agent": user_agent, "Accept": "text/html,*/*;q=0.5"})
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:
            body = response.read(MAX_BYTES + 1)
            if len(body) > MAX_BYTES:
                raise PageError(f"the answer is larger than {MAX_BYTES // (1024 * 1024)} MB, not a page")
            headers = {k.lower(): v for k, v in response.headers.items()}
            when = dt.datetime.now(VN_OFFSET).replace(microsecond=0).isoformat()
            return Page(response.geturl(), body, headers, when)
    except urllib.error.HTTPError as exc:
        raise PageError(f"HTTP {exc.code} {exc.reason}") from None
    except urllib.error.URLError as exc:
        raise PageError(str(exc.reason)) from None
    except TimeoutError:
        raise PageError(f"no answer within {timeout:g} seconds") from None
    except (OSError, http.client.HTTPException, ValueError) as exc:
        raise PageError(f"{type(exc).__name__}: {exc}") from None


def read_page(target: str, *, url: str | None, user_agent: str, timeout: float = 30.0) -> Page:
    """A URL fetched, or a saved file read."""
    return fetch(target, user_agent, timeout) if is_url(target) else read_saved(Path(target), url)
