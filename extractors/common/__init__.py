"""Helpers shared by every source: HTTP with retries, Link paging, redaction, pseudonymisation,
record normalisation and the dlt run that writes a source into the lake's landing zone."""
