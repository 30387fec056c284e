"""Core of the ChargeLake distribution: configuration and lake addressing shared by every layer.

The layers (extractors, expectations, orchestration) stay independent of each other; they meet here,
in the one place that knows what the environment variables mean and where things live in the lake.
"""

__version__ = "0.1.0"

# Process-wide library defaults (Arrow's allocator, no usage statistics, ...): set on import, before
# any of those libraries is loaded, without overriding the operator (chargelake/config.py).
from chargelake.config import apply_library_defaults

apply_library_defaults()
