"""What went wrong with a page, as a value: a kind, the field it concerns, and a sentence for people.

Pages, the page runner and the spiders record problems; the validate pipeline turns the ones that
make a page unusable into reject reasons, and the stats count every one by kind and field
(``extraction/problems/<kind>[/<field>]``). Nothing parses a problem back from its text.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass

# Kinds. Those in REJECTING make an article page unusable; the rest are reported.
FETCH = "fetch"                  # the article link could not be fetched
EXTRACT = "extract"              # the page class failed on the page
DECODING = "decoding"            # the bytes do not decode to trustworthy text
SELECTOR_MISS = "selector-miss"  # a profile selector matched nothing: the portal changed its markup
DATE_ORDER = "date-order"        # a date that cannot be in the order this page's dates are read in
DATE = "date"                    # the page's own date is unreadable or impossible: another source was taken
PAGING_POSTBACK = "paging-postback"  # the pager posts a form back; later pages cannot be followed
SIZE = "size"                    # the page is over the budget a page may have: kept raw, not read
TRUNCATED = "truncated"          # a body field was cut at its limit

# Problems that make an article page unusable, with how a reject reason opens for each.
REJECTING = {FETCH: "fetch failed", SIZE: "page too large", EXTRACT: "page could not be read", DECODING: "undecodable"}


@dataclass(frozen=True)
class Problem:
    kind: str
    detail: str
    field: str | None = None

    def __str__(self) -> str:
        return f"{self.kind}:{self.field}: {self.detail}" if self.field else f"{self.kind}: {self.detail}"

    @property
    def stat(self) -> str:
        """The stats key it is counted under (after ``extraction/problems/``)."""
        return f"{self.kind}/{self.field}" if self.field else self.kind

    def as_dict(self) -> dict:
        return {k: v for k, v in asdict(self).items() if v is not None}


def first(problems: list[Problem] | None, kind: str) -> Problem | None:
    return next((p for p in problems or () if p.kind == kind), None)
