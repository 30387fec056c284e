"""Independent OCPI 2.2.1 (and 2.1.1) CDR costing: exact Decimal arithmetic, one CDR at a time.

`cost_cdr` prices one CDR; `parse_tariff` reads an OCPI tariff; `batch` applies both to Arrow
tables for the warehouse. Written from the specification, not from the bundled simulator's
costing, so that the two check each other.
"""

from chargelake.costing.engine import BUCKETS, CdrCosting, DimensionCost, cost_cdr
from chargelake.costing.tariff import Tariff, TariffError, parse_tariff

__all__ = ["BUCKETS", "CdrCosting", "DimensionCost", "Tariff", "TariffError", "cost_cdr", "parse_tariff"]
