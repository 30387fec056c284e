"""OCMF (Open Charge Metering Format, S.A.F.E. e.V.): parse and verify signed meter readings as a CPO
passes them in the OCPI 2.2.1 CDR field `signed_data` (docs/signed-data.md).

`verify_signed_value` gives, for one signed value, the verification status (`valid`, `invalid` or
`unverifiable` with the reason) and the readings of the record; nothing is `valid` by default.
"""

from chargelake.ocmf.readings import Reading, readings
from chargelake.ocmf.record import MalformedRecordError, OcmfRecord, parse_record
from chargelake.ocmf.verify import Verification, verify_signed_value

__all__ = [
    "MalformedRecordError",
    "OcmfRecord",
    "Reading",
    "Verification",
    "parse_record",
    "readings",
    "verify_signed_value",
]
