"""The spiders: one module each (a portal's crawl, all portals at once, re-extraction, recovery from
web archives), sharing one way from a URL to a request (``base``)."""
