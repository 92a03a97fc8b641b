"""Shared page machinery: the page base classes, body extraction, page metadata."""
