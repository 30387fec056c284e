"""What the stub serves: the spec's examples (ids made unique, as one CPO's would be), the same
objects reduced to the spec's required fields, and objects carrying vendor fields."""

from __future__ import annotations

import copy
import json
import re
from collections.abc import Callable
from pathlib import Path

from extractors.ocpi.spec import TOP_OBJECTS, SpecTables, read_spec
from tests.conftest import EXAMPLES_221, SPEC_211, SPEC_221

PREFIXES_221 = {
    "sessions": "session_example",
    "cdrs": "cdr_example",
    "tariffs": "tariff_",
    "locations": "location_example",
    "tokens": "token_example",
}


def _key(module: str) -> str:
    return "uid" if module == "tokens" else "id"


def examples_221() -> dict[str, list[dict]]:
    """Every full example object of a module; a second example with a taken id gets its file's name
    appended (the examples reuse ids to show variations; one CPO serves one object per id)."""
    out: dict[str, list[dict]] = {}
    for module, prefix in PREFIXES_221.items():
        seen: set[str] = set()
        for path in sorted(EXAMPLES_221.glob(f"{prefix}*.json")):
            obj = json.loads(path.read_text())
            if not isinstance(obj, dict) or _key(module) not in obj or "last_updated" not in obj:
                continue
            if obj[_key(module)] in seen:
                obj[_key(module)] = f"{obj[_key(module)]}~{path.stem}"
            seen.add(obj[_key(module)])
            out.setdefault(module, []).append(obj)
    return out


Fields = Callable[[str], list[tuple[str, str | None, str]]]  # anchor -> (name, type anchor, cardinality)


def required_only(fields: Fields, obj: dict, anchor: str) -> dict:
    """`obj` with only the fields the spec marks required (cardinality 1 or +), recursively."""
    out = {}
    for name, ref, card in fields(anchor):
        if card not in ("1", "+") or name not in obj:
            continue
        value = obj[name]
        if ref is not None and fields(ref):
            value = (
                [required_only(fields, v, ref) for v in value]
                if isinstance(value, list)
                else required_only(fields, value, ref)
            )
        out[name] = value
    return out


def fields_221(spec: SpecTables) -> Fields:
    return lambda anchor: [(f.name, f.ref, f.card) for f in spec.classes.get(anchor, [])]


def with_vendor_fields(obj: dict) -> dict:
    """Extra fields a vendor might add, at the top and inside nested objects and lists."""
    obj = copy.deepcopy(obj)
    obj["x_stub_fleet"] = {"fleet": "A", "cost_centre": 7}
    for nested in ("cdr_location", "cdr_token", "total_cost"):
        if isinstance(obj.get(nested), dict):
            obj[nested]["x_stub_note"] = "vendor"
    for listed in ("charging_periods", "evses", "elements"):
        if obj.get(listed):
            obj[listed][0]["x_stub_rank"] = 1
    return obj


def renamed(module: str, obj: dict, suffix: str) -> dict:
    """The same object under other ids (references renamed alike), so variants do not collide."""
    obj = copy.deepcopy(obj)
    obj[_key(module)] = f"{obj[_key(module)]}{suffix}"
    for ref in ("location_id", "session_id"):
        if obj.get(ref):
            obj[ref] = f"{obj[ref]}{suffix}"
    for nested in ("cdr_location", "location"):
        if isinstance(obj.get(nested), dict) and obj[nested].get("id"):
            obj[nested]["id"] = f"{obj[nested]['id']}{suffix}"
    return obj


def without_tariffs(cdr: dict, evse_uid: str | None = None, connector_id: str | None = None) -> dict:
    """A CDR as many CPOs send it: no embedded tariffs (optional in OCPI). With `evse_uid` and
    `connector_id`, its periods name no tariff either, so only the location's connector does."""
    cdr = copy.deepcopy(cdr)
    cdr.pop("tariffs", None)
    if evse_uid is not None:
        cdr["cdr_location"].update(evse_uid=evse_uid, connector_id=connector_id)
        for period in cdr["charging_periods"]:
            period.pop("tariff_id", None)
    return cdr


OCMF_VECTORS = Path(__file__).parents[1] / "fixtures" / "ocmf"
# CDR id suffix -> (OCMF vector, how the record and the key are sent): raw record with a hex key, a
# base64 record with a base64 key (what OCPI says), a secp256k1 meter.
SIGNED = {
    "ocmf-valid": ("01_keba_kcp30_valid", "raw", "hex"),
    "ocmf-tampered": ("02_keba_kcp30_tampered_invalid", "base64", "base64"),
    "ocmf-k1": ("08a_abl_secp256k1_valid", "raw", "base64"),
}


def signed_cdrs(cdr: dict) -> list[dict]:
    """Copies of a CDR carrying real OCMF records (tests/fixtures/ocmf) in `signed_data`."""
    import base64

    out = []
    for suffix, (name, record_as, key_as) in SIGNED.items():
        vector = json.loads((OCMF_VECTORS / f"{name}.json").read_text())
        record = vector["ocmf"] if record_as == "raw" else base64.b64encode(vector["ocmf"].encode()).decode()
        key = vector["public_key_der_hex"]
        key = key if key_as == "hex" else base64.b64encode(bytes.fromhex(key)).decode()
        signed = {
            "encoding_method": "OCMF",
            "encoding_method_version": 1,
            "public_key": key,
            "signed_values": [{"nature": "Start", "plain_data": "", "signed_data": record}],
        }
        out.append({**copy.deepcopy(cdr), "id": f"{cdr['id']}-{suffix}", "signed_data": signed})
    return out


def served_221() -> dict[str, list[dict]]:
    fields = fields_221(read_spec(SPEC_221))
    full = examples_221()
    out: dict[str, list[dict]] = {}
    for module, objects in full.items():
        out[module] = [
            *objects,
            *(renamed(module, required_only(fields, o, TOP_OBJECTS[module]), "-min") for o in objects),
            *(renamed(module, with_vendor_fields(o), "-ext") for o in objects),
        ]
    # CDRs to be priced from the Tariffs module (periods name tariff 12) and from the tariff ids of
    # their connector (location LOC1, EVSE 3257, connector 1 names tariff 12).
    out["cdrs"] += [{**without_tariffs(c), "id": f"{c['id']}-bare"} for c in full["cdrs"]] + [
        {**without_tariffs(c, "3257", "1"), "id": f"{c['id']}-conn"} for c in full["cdrs"]
    ]
    out["cdrs"] += signed_cdrs(full["cdrs"][0])
    return out


# -- OCPI 2.1.1: the modules are Markdown; their examples and object tables are read from them. -----

_HEADING = re.compile(r"^#{3,4} (.+)$")
_ROW = re.compile(r"^\|\s*(\w+)\s*\|\s*([^|]*?)\s*\|\s*([1?*+])\s*\|")
_LINK = re.compile(r"\]\(([\w.]*)#([\w-]+)\)")


def _slug(heading: str) -> str:
    return re.sub(r"\s+", "-", re.sub(r"[^\w\s-]", "", heading.replace("_", "")).strip().lower())


def read_spec_211(folder: Path = SPEC_211) -> dict[str, list[tuple[str, str | None, str]]]:
    """Object/class tables by `file#anchor`: rows of (field, type key or None, cardinality)."""
    tables: dict[str, list[tuple[str, str | None, str]]] = {}
    for path in sorted(folder.glob("*.md")):
        current = None
        for line in path.read_text().splitlines():
            if m := _HEADING.match(line):
                current = f"{path.name}#{_slug(m.group(1))}"
            elif current and (m := _ROW.match(line)) and m.group(1) != "Property":
                link = _LINK.search(m.group(2))
                ref = f"{link.group(1) or path.name}#{link.group(2)}" if link else None
                tables.setdefault(current, []).append((m.group(1), ref, m.group(3)))
    return tables


TOP_211 = {
    "sessions": "mod_sessions.md#31-session-object",
    "cdrs": "mod_cdrs.md#31-cdr-object",
    "locations": "mod_locations.md#31-location-object",
    "tariffs": "mod_tariffs.md#31-tariff-object",
}


def examples_211() -> dict[str, list[dict]]:
    out: dict[str, list[dict]] = {}
    for module in TOP_211:
        text = (SPEC_211 / f"mod_{module}.md").read_text()
        for block in re.findall(r"```json\n(.*?)```", text, re.S):
            try:
                obj = json.loads(block)
            except ValueError:
                continue  # request examples (PATCH/PUT with a URL line) and fragments
            if isinstance(obj, dict) and "id" in obj and "last_updated" in obj:
                if any(o["id"] == obj["id"] for o in out.get(module, [])):
                    obj["id"] = f"{obj['id']}~{len(out[module])}"
                out.setdefault(module, []).append(obj)
    return out


def served_211() -> dict[str, list[dict]]:
    tables = read_spec_211()
    fields = lambda key: tables.get(key, [])  # noqa: E731
    out: dict[str, list[dict]] = {}
    for module, objects in examples_211().items():
        out[module] = [
            *objects,
            *(renamed(module, required_only(fields, o, TOP_211[module]), "-min") for o in objects),
            *(renamed(module, with_vendor_fields(o), "-ext") for o in objects),
        ]
    return out
