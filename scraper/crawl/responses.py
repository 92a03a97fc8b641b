"""What the spiders read off a Scrapy response besides its body: the headers the page runner uses."""

from __future__ import annotations

from scrapy.http import Response

PAGE_HEADERS = (b"Content-Type", b"Last-Modified")  # the declared charset; a date when the page gives none


def page_headers(response: Response) -> dict[str, str]:
    """The headers the page runner reads, lower-case."""
    return {name.decode().lower(): value.decode("latin-1") for name in PAGE_HEADERS if (value := response.headers.get(name))}


def header(response: Response, name: bytes) -> str | None:
    value = response.headers.get(name)
    return value.decode("latin-1") if value else None
