"""NukeViet 4 (the open-source Vietnamese CMS many government sites run; Đồng Nai's post-merger portal).

What the platform's default theme prints (github nukeviet/nukeviet, ``themes/default/modules/news``):
an article is ``/<lang>/<module>/<category>/<slug>-<id>.html`` (the module is ``news`` unless a site
renamed it), its headline ``h1.title``, its date ``span.h5`` as ``l - d/m/Y H:i`` ("Thứ hai -
19/12/2016 20:58"), its sapo ``.hometext``, its body ``#news-bodyhtml``, and ``Tác giả:`` / ``Nguồn
tin:`` lines after it; hidden schema.org spans carry ``datePublished`` in PHP's ``Y-m-dTH:i:s``,
where ``T`` prints the zone's abbreviation ("2024-03-13ICT08:30:00"). Category pages list items in
``.news_column`` panels with the date as ``d/m/Y H:i:s``, page with ``/page-N`` path segments (every
later page number carries ``rel="next"``, the first of them is the next page), and link an RSS feed
per category (``/<lang>/<module>/rss/<category>/``). The generator meta says ``NukeViet v4.x``.
The key of an article is its path, without the query (session and tracking parameters); its
"save as file" and print views (``/<module>/savefile/<category>/…``, seen on Đồng Nai's English
pages) key to the article itself.
"""

from __future__ import annotations

import re

from scraper.core.urls import KeyRules, PathKey, Rewrite
from scraper.pages.paging import PATH_PAGE
from scraper.pages.spec import ArticleLinks, Paging, Platform

SPEC = Platform(
    name="nukeviet",
    article={
        "title": (".news_column h1.title", "h1.title"),
        "published": (".news_column span.h5", "[itemprop=datePublished]"),
        "lead": (".news_column .hometext", ".hometext"),
        "body": ("#news-bodyhtml", ".news_column .bodytext"),
        "author": ('.news_column p.h5.text-right:contains("Tác giả")', '.news_column p.h5.text-right:contains("Author")'),
        "source": ('.news_column p.h5.text-right:contains("Nguồn tin")', '.news_column p.h5.text-right:contains("Source")'),
        # The theme fills .breadcrumbs from the hidden schema.org list in JavaScript.
        "category": (".temp-breadcrumbs li:last-child [itemprop=name]", ".breadcrumbs li:last-child span"),
    },
    listing={
        "item": (".news_column .panel-body",),
        "link": ("h2 a", "h3 a"),
        "title": ("h2 a", "h3 a"),
        "date": (".text-muted li:first-child",),
    },
    exclude=(".news_column .list-inline", "#newsSendMailModal", ".news-download-file", ".news-detail-player"),
    # An article's path names it: its query (sessions, tracking) is not part of the key, and its
    # "save as file" and print views (/<module>/savefile/<category>/…) are the article itself.
    keys=KeyRules(rewrites=(Rewrite(re.compile(r"^(/[a-z]{2}/[^/]+)/(?:savefile|print)/"), r"\1/"),),
                  keys=(PathKey(re.compile(r"^(/[a-z]{2}/[^/]+/[^/]+/[^/]+-\d+\.html)$"), r"\1"),)),
    articles=ArticleLinks(match=(re.compile(r"^https?://[^/]+/[a-z]{2}/[\w-]+/(?:(?:savefile|print)/)?[\w-]+/[^/?#]+-\d+\.html(?:[?#]|$)"),),
                          exclude=(re.compile(r"/(?:rss|tag|topic|search|sendmail)/"),)),
    paging=Paging(paths=PATH_PAGE, labels=True),
)
