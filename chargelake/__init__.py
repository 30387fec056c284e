"""Core of the ChargeLake distribution: configuration and lake addressing shared by every layer.

The layers (extractors, expectations, orchestration) stay independent of each other; they meet here,
in the one place that knows what the environment variables mean and where things live in the lake.
"""

__version__ = "0.1.0"

import os

# Arrow's system allocator: with the default mimalloc pool, resident memory of a process that ingests
# day after day crept up ~100 MB more (see chargelake/memory.py). An operator can still choose another.
os.environ.setdefault("ARROW_DEFAULT_MEMORY_POOL", "system")
