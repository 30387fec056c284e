"""The derived domain: tables computed in Python from published raw partitions (expectations/derived.py)."""
