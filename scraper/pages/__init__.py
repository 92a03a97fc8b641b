"""Page objects: bytes in, fields out, no I/O and no clock. The page machinery every platform shares
(field resolution, body extraction, metadata, CSS index, paging, feeds, web-archive indexes)."""
