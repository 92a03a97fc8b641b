"""The core: plain values and text rules every layer uses (the article and profile field tables,
problems, text, decoding, dates, URLs, normalization, near-duplicate signatures). Imports nothing
else of the project."""
