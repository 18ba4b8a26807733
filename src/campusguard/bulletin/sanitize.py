"""Allowlist HTML sanitising for bulletin bodies (nh3, the Rust ammonia sanitizer)."""

from __future__ import annotations

import html as _html

import nh3

TAGS = {
    "p",
    "br",
    "strong",
    "b",
    "em",
    "i",
    "u",
    "s",
    "h1",
    "h2",
    "h3",
    "h4",
    "ul",
    "ol",
    "li",
    "blockquote",
    "a",
    "img",
    "table",
    "thead",
    "tbody",
    "tr",
    "th",
    "td",
    "span",
    "hr",
}
ATTRIBUTES = {
    "a": {"href", "title"},
    "img": {"src", "alt", "width", "height"},
    "td": {"colspan", "rowspan"},
    "th": {"colspan", "rowspan"},
}
URL_SCHEMES = {"http", "https", "mailto"}
MAX_HTML_CHARS = 200_000


def clean_html(html: str) -> str:
    """Keep formatting tags only: no script, style, event handlers or javascript: links."""
    if len(html) > MAX_HTML_CHARS:
        raise ValueError(f"body longer than {MAX_HTML_CHARS} characters")
    return nh3.clean(
        html,
        tags=TAGS,
        attributes=ATTRIBUTES,
        url_schemes=URL_SCHEMES,
        link_rel="noopener noreferrer",
        strip_comments=True,
    )


def plain_text(html: str) -> str:
    """Text of a body without any tags (previews, text-to-speech of a bulletin)."""
    return _html.unescape(nh3.clean(html, tags=set(), attributes={})).strip()
