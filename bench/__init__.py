"""Benchmarks and site generators: measurements and test corpora, outside the product package."""
