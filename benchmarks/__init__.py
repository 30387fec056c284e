"""Throughput benchmarks, reported as ratios measured in one run (`make bench`)."""
