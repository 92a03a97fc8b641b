"""The article body element turned into paragraphs, captions, images, attachments and clean HTML.

Pure: an lxml element and the page URL in, a ``Body`` out. Shared by every platform: platforms and
profiles only choose which element is the body and which parts of it to exclude.
"""

from __future__ import annotations

import copy
import html
import re
from dataclasses import dataclass, field
from urllib.parse import urljoin, urlsplit

from lxml import etree
from lxml import html as lxml_html

from scraper.core.text import clean_inline, is_photo_credit

BLOCK_TAGS = frozenset(
    "p div section article aside header footer main h1 h2 h3 h4 h5 h6 li ul ol dl dt dd blockquote pre "
    "table thead tbody tfoot tr td th caption figure figcaption center address hr".split()
)
DROP_TAGS = frozenset(
    "script style noscript iframe object embed form input button select option textarea svg canvas "
    "template nav link meta audio video source map area head title".split()
)
ITALIC_TAGS = frozenset({"em", "i"})
CAPTION_CLASS = re.compile(r"caption|chu-?thich|image-?desc|img-?desc|photo-?desc|ghi-?chu-?anh|PhotoCMS_Caption|expNoEdit", re.IGNORECASE)
CENTERED = re.compile(r"text-align\s*:\s*center", re.IGNORECASE)
ATTACHMENT_EXT = re.compile(r"\.(pdf|docx?|xlsx?|pptx?|odt|ods|rtf|zip|rar|7z)$", re.IGNORECASE)
ATTACHMENT_LABEL = 50  # characters of label text a download line may carry besides its link
HIDDEN = re.compile(r"display\s*:\s*none|visibility\s*:\s*hidden", re.IGNORECASE)

ALLOWED_ATTRS = {"href", "src", "alt", "title", "colspan", "rowspan"}
UNWRAP_TAGS = frozenset({"span", "font", "o:p", "center"})


@dataclass
class Body:
    paragraphs: list[str] = field(default_factory=list)
    captions: list[str] = field(default_factory=list)
    images: list[dict] = field(default_factory=list)
    attachments: list[dict] = field(default_factory=list)
    html: str | None = None

    @property
    def text(self) -> str | None:
        return "\n\n".join(self.paragraphs) or None


@dataclass
class _Block:
    kind: str  # "text" | "image" | "caption"
    text: str = ""
    italic: int = 0
    centered: bool = False
    image: dict | None = None
    link_text: int = 0  # characters of the block that are attachment link text


class _Walker:
    def __init__(self, base_url: str):
        self.base_url = base_url
        self.blocks: list[_Block] = []
        self.attachments: list[dict] = []
        self._buf: list[str] = []
        self._italic_chars = 0
        self._italic_depth = 0
        self._centered = False
        self._attachment_chars = 0

    def _text(self, s: str | None) -> None:
        if s:
            self._buf.append(s)
            if self._italic_depth:
                self._italic_chars += len(s.strip())

    def flush(self) -> None:
        # The page was decoded to NFC and the parser resolved entities: folding whitespace is all
        # a line needs here (the normalize pipeline does the full clean-up of every field).
        text = " ".join("".join(self._buf).split()) if self._buf else None
        if text:
            italic = self._italic_chars >= max(1, len(text.replace(" ", "")) - 2)
            self.blocks.append(_Block("text", text, italic=int(italic), centered=self._centered, link_text=self._attachment_chars))
        self._buf, self._italic_chars, self._attachment_chars = [], 0, 0

    def image(self, el: etree._Element) -> None:
        src = el.get("src") or el.get("data-src") or el.get("data-original")
        if not src or src.startswith("data:"):
            return
        self.flush()
        alt = clean_inline(el.get("alt") or el.get("title"))
        self.blocks.append(_Block("image", image={"url": urljoin(self.base_url, src.strip()), "alt": alt, "caption": None}))

    def walk(self, el: etree._Element) -> None:
        tag = el.tag if isinstance(el.tag, str) else None
        if tag is None:  # comment or processing instruction: only its tail is text
            self._text(el.tail)
            return
        tag = tag.lower()
        style = el.get("style")
        if tag in DROP_TAGS or (style and HIDDEN.search(style)):
            self._text(el.tail)
            return
        if tag == "img":
            self.image(el)
            self._text(el.tail)
            return
        if tag == "br":
            self.flush()
            self._text(el.tail)
            return
        if tag == "a" and self._attachment(el):
            self._attachment_chars += len(el.text_content().strip()) or 1
        classes = el.get("class")
        if tag == "figcaption" or (classes and CAPTION_CLASS.search(classes)):
            self._caption(el)
            self._text(el.tail)
            return
        block = tag in BLOCK_TAGS
        if block:
            if self._buf:
                self.flush()
            centered_before = self._centered
            if (style and CENTERED.search(style)) or tag == "center" or (el.get("align") or "").lower() == "center":
                self._centered = True
        italic = tag in ITALIC_TAGS
        self._italic_depth += italic
        self._text(el.text)
        for child in el:
            self.walk(child)
        self._italic_depth -= italic
        if block:
            if self._buf:
                self.flush()
            self._centered = centered_before
        self._text(el.tail)

    def _caption(self, el: etree._Element) -> None:
        self.flush()
        for img in el.iter("img"):
            self.image(img)
        for a in el.iter("a"):
            self._attachment(a)
        text = clean_inline(" ".join(t for t in el.xpath(".//text()[not(ancestor::script or ancestor::style)]")))
        if text:
            self.blocks.append(_Block("caption", text))

    def _attachment(self, a: etree._Element) -> bool:
        href = a.get("href")
        if not href:
            return False
        url = urljoin(self.base_url, href.strip())
        path = urlsplit(url).path
        m = ATTACHMENT_EXT.search(path)
        if m:
            name = clean_inline(a.text_content()) or path.rsplit("/", 1)[-1]
            if not any(x["url"] == url for x in self.attachments):
                self.attachments.append({"url": url, "name": name, "type": m.group(1).lower()})
            return True
        return False


def extract_body(element: etree._Element, base_url: str, *, title: str | None = None, owned: bool = False) -> Body:
    """Paragraphs, captions, images and attachments of a body element, plus its sanitized HTML.

    A caption is a <figcaption>, an element whose class says caption, or a short italic or centred
    line right after an image. A line repeating the article title next to an image is that image's
    caption (alt text shown for a missing image, or the caption itself), never a paragraph.
    """
    walker = _Walker(base_url)
    walker.walk(element)
    walker.flush()
    body = Body(attachments=walker.attachments)
    blocks = walker.blocks
    title_key = (title or "").casefold()
    last_image: dict | None = None
    for i, block in enumerate(blocks):
        if block.kind == "image":
            last_image = block.image
            body.images.append(block.image)
            continue
        after_image = i > 0 and blocks[i - 1].kind in ("image", "caption") and last_image is not None
        is_caption = block.kind == "caption" or (
            after_image
            and len(block.text) <= 300
            and (block.italic or block.centered or is_photo_credit(block.text)
                 or block.text.casefold() in (title_key, (last_image.get("alt") or "").casefold()))
        )
        if is_caption and last_image is not None:
            last_image["caption"] = f"{last_image['caption']} {block.text}" if last_image["caption"] else block.text
            body.captions.append(block.text)
        elif is_caption:
            body.captions.append(block.text)
        elif block.link_text and len(block.text) - block.link_text <= ATTACHMENT_LABEL:
            continue  # "Tải về: ke-hoach.pdf": the attachment is listed in attachments, not read as text
        else:
            body.paragraphs.append(block.text)
            last_image = None
    body.html = sanitize_html(element, base_url, in_place=owned)
    return body


# Blocks inside a body found by density that are lists of links, not text: menus, tag clouds,
# "Tin liên quan" and "Đọc nhiều" boxes. A block is one when most of its text is link text.
LINK_BLOCKS = ("ul", "ol", "nav", "div", "table", "section", "aside", "dl", "p")
MAX_LINK_SHARE = 0.6


def drop_link_blocks(body: etree._Element) -> None:
    """Remove from `body` (in place) the blocks whose text is mostly link text."""
    for el in list(body.iter(*LINK_BLOCKS)):
        if el is body or el.getparent() is None:
            continue
        text = len(" ".join(el.text_content().split()))
        if not text:
            continue
        links = sum(len(" ".join(a.text_content().split())) for a in el.iter("a"))
        if links / text > MAX_LINK_SHARE and not ATTACHMENT_EXT.search(" ".join(a.get("href", "") for a in el.iter("a"))):
            el.drop_tree()


def paragraphs_html(paragraphs: list[str]) -> str | None:
    """Plain paragraphs as body HTML, for a body read as text."""
    if not paragraphs:
        return None
    return "<div>" + "".join(f"<p>{html.escape(p)}</p>" for p in paragraphs) + "</div>"


def sanitize_html(element: etree._Element, base_url: str, *, in_place: bool = False) -> str:
    """The body element as safe, portable HTML: no scripts, styles, event handlers or layout attributes;
    links and images absolute; spans and fonts unwrapped. `in_place` when the caller owns the tree."""
    el = element if in_place else copy.deepcopy(element)
    el.tail = None
    drop, unwrap = [], []
    for node in el.iter():
        tag = node.tag
        if not isinstance(tag, str):  # comments, processing instructions
            drop.append(node)
            continue
        tag = tag.lower()
        attrib = node.attrib
        if tag in DROP_TAGS or HIDDEN.search(attrib.get("style", "")):
            drop.append(node)
            continue
        if tag in UNWRAP_TAGS and node is not el:
            unwrap.append(node)
        for attr in [a for a in attrib if a.lower() not in ALLOWED_ATTRS]:
            del attrib[attr]
        for attr in ("href", "src"):
            value = attrib.get(attr)
            if value is not None:
                value = value.strip()
                if value.lower().startswith(("javascript:", "vbscript:", "data:")):
                    del attrib[attr]
                else:
                    attrib[attr] = urljoin(base_url, value)
    for node in drop:
        if node.getparent() is not None:
            node.drop_tree()
    for node in unwrap:
        if node.getparent() is not None:
            node.drop_tag()
    out = lxml_html.tostring(el, encoding="unicode", method="html")
    return _NEWLINES.sub("\n", out).strip()


_NEWLINES = re.compile(r"\s*\n\s*")
