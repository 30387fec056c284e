"""Signed meter readings (OCMF) in the simulator's CDRs, as a German-calibration-law CPO sends them.

The EVSEs of sites in Germany and the Netherlands have meters that sign their readings: each meter
has its own secp256r1 key pair, derived from the network seed and the EVSE uid (the simulator holds
the private keys; a CDR carries the public key in `signed_data.public_key`, base64 DER as OCPI
says). A CDR of such an EVSE carries two OCMF records, the transaction's Start and End register
readings (kWh, OBIS 1-b:1.8.0), signed over the exact payload text.

Fault knob: `tampered_signed_pct` of signed sessions (default 10, `--tamper-signed-pct`) have their
End reading altered after signing (+0.5 kWh in the payload text), so the signature no longer
verifies: the demo shows valid, invalid and unsigned CDRs. `signed_status` says which a session is.
"""

from __future__ import annotations

import base64
import hashlib
import json
from datetime import datetime
from decimal import Decimal

from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec

from simulator.network import Evse, Network
from simulator.registers import Registers
from simulator.rng import derived_rng
from simulator.sessions import SimSession

SIGNING_COUNTRIES = {"DEU", "NLD"}
ALGORITHM = "ECDSA-secp256r1-SHA256"
OBIS_IMPORT = "1-b:1.8.0"
TAMPER_KWH = Decimal("0.5")
_SIGNERS: dict[int, Signer] = {}


def signer_for(network: Network) -> Signer:
    """One signer per network (per simulator process): keys and registers are memoised on it."""
    signer = _SIGNERS.get(id(network))
    if signer is None or signer.network is not network:
        signer = _SIGNERS[id(network)] = Signer(network)
    return signer


def _ocmf_time(at: datetime) -> str:
    """OCMF time `YYYY-MM-DDThh:mm:ss,fff+hhmm S` (UTC, clock synchronised)."""
    return at.strftime("%Y-%m-%dT%H:%M:%S,") + f"{at.microsecond // 1000:03d}+0000 S"


class Signer:
    def __init__(self, network: Network) -> None:
        self.network = network
        self.registers = Registers(network)
        self._keys: dict[str, ec.EllipticCurvePrivateKey] = {}

    def key(self, evse: Evse) -> ec.EllipticCurvePrivateKey:
        if evse.uid not in self._keys:
            digest = hashlib.sha256(f"{self.network.seed}|meter-key|{evse.uid}".encode()).digest()
            self._keys[evse.uid] = ec.derive_private_key(int.from_bytes(digest, "big") % (2**255), ec.SECP256R1())
        return self._keys[evse.uid]

    def public_key_base64(self, evse: Evse) -> str:
        der = (
            self.key(evse)
            .public_key()
            .public_bytes(serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo)
        )
        return base64.b64encode(der).decode()

    def signed_status(self, s: SimSession) -> str:
        """unsigned (the site's meters do not sign), tampered (End altered after signing) or signed."""
        if s.site.template.country not in SIGNING_COUNTRIES:
            return "unsigned"
        if derived_rng(self.network.seed, "tamper-signed", s.id).random() * 100 < self.network.tampered_signed_pct:
            return "tampered"
        return "signed"

    def signed_data(self, s: SimSession, energy_kwh: float) -> dict | None:
        """OCPI 2.2.1 SignedData for a CDR of `energy_kwh`, or None when the meter does not sign."""
        status = self.signed_status(s)
        if status == "unsigned":
            return None
        start_kwh = (Decimal(str(self.registers.at_session_start(s.site, s.evse, s))) / 1000).quantize(Decimal("0.001"))
        end_kwh = start_kwh + Decimal(str(energy_kwh)).quantize(Decimal("0.001"))
        page = 1 + derived_rng(self.network.seed, "meter-page", s.id).randrange(1, 50_000) * 2
        start = self._record(s, page, s.start, "B", start_kwh)
        end = self._record(s, page + 1, s.end, "E", end_kwh)
        if status == "tampered":
            end = end.replace(f'"RV":{end_kwh}', f'"RV":{end_kwh + TAMPER_KWH}', 1)
        values = [
            {"nature": "Start", "plain_data": f"{start_kwh} kWh", "signed_data": start},
            {"nature": "End", "plain_data": f"{end_kwh} kWh", "signed_data": end},
        ]
        return {
            "encoding_method": "OCMF",
            "encoding_method_version": 1,
            "public_key": self.public_key_base64(s.evse),
            "signed_values": values,
            "url": "https://transparenz.software/",
        }

    def _record(self, s: SimSession, page: int, at: datetime, reason: str, register_kwh: Decimal) -> str:
        payload = {
            "FV": "1.0",
            "GI": "ChargeLake Simulator",
            "GS": s.evse.uid,
            "GV": "1.0.0",
            "PG": f"T{page}",
            "MV": "ChargeLake Meters",
            "MM": "CLM-1",
            "MS": f"CLM{hashlib.sha256(s.evse.uid.encode()).hexdigest()[:10].upper()}",
            "MF": "1.0",
            "IS": False,
            "IL": "NONE",
            "IF": [],
            "IT": "NONE",
            "ID": "",
            "RD": [
                {
                    "TM": _ocmf_time(at),
                    "TX": reason,
                    "RV": register_kwh,
                    "RI": OBIS_IMPORT,
                    "RU": "kWh",
                    "RT": "DC" if s.evse.is_dc else "AC",
                    "EF": "",
                    "ST": "G",
                }
            ],
        }
        text = json.dumps(payload, separators=(",", ":"), default=str).replace(
            f'"RV":"{register_kwh}"', f'"RV":{register_kwh}'
        )
        # RFC 6979 deterministic nonces: the same seed serves the same bytes (the simulator is reproducible)
        der = self.key(s.evse).sign(text.encode(), ec.ECDSA(hashes.SHA256(), deterministic_signing=True))
        signature = json.dumps({"SA": ALGORITHM, "SD": der.hex().upper()}, separators=(",", ":"))
        return f"OCMF|{text}|{signature}"
