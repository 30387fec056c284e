"""The static part of the simulated network: sites, EVSEs, connectors, tokens and tariffs.

Sites are picked from a fixed catalogue so that time zones on both hemispheres and on both sides of
the Atlantic are present from the smallest network on (DST changes on different dates).
"""

from __future__ import annotations

from collections import OrderedDict
from dataclasses import dataclass, field, replace
from datetime import datetime

from simulator.rng import derived_rng

COUNTRY_CODE = "NL"
PARTY_ID = "CLK"


@dataclass(frozen=True)
class SiteTemplate:
    name: str
    kind: str  # workplace | depot | public_dc
    time_zone: str
    country: str  # ISO 3166-1 alpha-3, as OCPI wants for Location.country
    city: str
    postal_code: str
    address: str
    latitude: float
    longitude: float
    currency: str
    vat_percent: float | None  # None: no VAT applies (US sales tax is not VAT)
    legal_entity: str
    grid_zone: str  # Electricity Maps-style zone id (GB uses the GB Carbon Intensity API)


_NL = "ChargeLake Netherlands B.V."
SITE_CATALOGUE: tuple[SiteTemplate, ...] = (
    SiteTemplate(
        "Amsterdam Zuidas Workplace",
        "workplace",
        "Europe/Amsterdam",
        "NLD",
        "Amsterdam",
        "1082 MD",
        "Gustav Mahlerlaan 10",
        52.3383,
        4.8724,
        "EUR",
        21.0,
        _NL,
        "NL",
    ),
    SiteTemplate(
        "Newark Fleet Depot",
        "depot",
        "America/New_York",
        "USA",
        "Newark",
        "07105",
        "200 Doremus Ave",
        40.7230,
        -74.1414,
        "USD",
        None,
        "ChargeLake US Inc.",
        "US-MIDA-PJM",
    ),
    SiteTemplate(
        "Sydney Olympic Park Fast Charge",
        "public_dc",
        "Australia/Sydney",
        "AUS",
        "Sydney",
        "2127",
        "8 Australia Ave",
        -33.8473,
        151.0694,
        "AUD",
        10.0,
        "ChargeLake Australia Pty Ltd",
        "AU-NSW",
    ),
    SiteTemplate(
        "London Park Royal Depot",
        "depot",
        "Europe/London",
        "GBR",
        "London",
        "NW10 7NU",
        "Abbey Road 1",
        51.5300,
        -0.2700,
        "GBP",
        20.0,
        "ChargeLake UK Ltd",
        "GB",
    ),
    SiteTemplate(
        "Berlin Adlershof Depot",
        "depot",
        "Europe/Berlin",
        "DEU",
        "Berlin",
        "12489",
        "Rudower Chaussee 17",
        52.4310,
        13.5300,
        "EUR",
        19.0,
        "ChargeLake Deutschland GmbH",
        "DE",
    ),
    SiteTemplate(
        "Utrecht A12 Fast Charge",
        "public_dc",
        "Europe/Amsterdam",
        "NLD",
        "Utrecht",
        "3526 KS",
        "Europalaan 2",
        52.0700,
        5.1100,
        "EUR",
        21.0,
        _NL,
        "NL",
    ),
    SiteTemplate(
        "Toronto Liberty Workplace",
        "workplace",
        "America/Toronto",
        "CAN",
        "Toronto",
        "M6K 3P6",
        "171 East Liberty St",
        43.6385,
        -79.4170,
        "CAD",
        13.0,
        "ChargeLake Canada Ltd",
        "CA-ON",
    ),
)


@dataclass(frozen=True)
class Connector:
    id: str
    standard: str
    format: str
    power_type: str
    max_voltage: int
    max_amperage: int
    max_electric_power: int  # W


@dataclass(frozen=True)
class Evse:
    uid: str
    evse_id: str
    power_kw: float
    is_dc: bool
    connectors: tuple[Connector, ...]
    tariff_id: str


@dataclass(frozen=True)
class Site:
    id: str
    template: SiteTemplate
    evses: tuple[Evse, ...]
    grid_capacity_kw: float


@dataclass(frozen=True)
class Vehicle:
    id: str
    model: str
    battery_kwh: float
    ac_kw: float  # on-board charger
    dc_kw: float  # peak DC acceptance


# (model, battery kWh, AC kW, DC kW) by token group: fleets drive vans and trucks or company cars.
VEHICLE_MODELS = {
    "FLEET-OPS": (("delivery van", 68.0, 11.0, 80.0), ("light truck", 200.0, 22.0, 150.0)),
    "FLEET-SALES": (("executive saloon", 95.0, 11.0, 250.0), ("family SUV", 77.0, 11.0, 150.0)),
    "STAFF": (("compact hatchback", 50.0, 7.4, 100.0), ("family SUV", 77.0, 11.0, 150.0)),
    "VISITORS": (("compact hatchback", 50.0, 7.4, 100.0), ("executive saloon", 95.0, 11.0, 250.0)),
}
FLEET_GROUPS = ("FLEET-OPS", "FLEET-SALES")


@dataclass(frozen=True)
class Token:
    uid: str
    type: str  # RFID | APP_USER
    contract_id: str
    visual_number: str
    issuer: str
    group_id: str  # maps to a cost centre
    vehicle: Vehicle


@dataclass
class Network:
    seed: int
    created_at: datetime
    sites: tuple[Site, ...]
    tokens: tuple[Token, ...]
    tariffs: dict[str, dict] = field(default_factory=dict)
    ends_at: datetime | None = None  # no session starts at or after this instant (end of the window)
    tampered_signed_pct: float = 10.0  # signed sessions whose End reading is altered after signing (signing.py)
    # generated EVSE-days, bounded: telemetry, registers and OCPI ask for the same days repeatedly
    cache: OrderedDict = field(default_factory=OrderedDict, repr=False, compare=False)

    def evses(self) -> list[tuple[Site, Evse]]:
        return [(site, evse) for site in self.sites for evse in site.evses]

    def tokens_for(self, site_kind: str) -> tuple[Token, ...]:
        """Who charges where: depots serve fleets, workplaces staff and fleets, public DC everyone."""
        groups = {"depot": FLEET_GROUPS, "workplace": (*FLEET_GROUPS, "STAFF")}.get(site_kind)
        return tuple(t for t in self.tokens if groups is None or t.group_id in groups)


def _connectors(is_dc: bool, power_kw: float) -> tuple[Connector, ...]:
    if is_dc:
        watts = int(power_kw * 1000)
        return (
            Connector("1", "IEC_62196_T2_COMBO", "CABLE", "DC", 920, int(watts / 400), watts),
            Connector("2", "CHADEMO", "CABLE", "DC", 500, 125, min(watts, 62500)),
        )
    amps = 32 if power_kw > 11 else 16
    return (Connector("1", "IEC_62196_T2", "SOCKET", "AC_3_PHASE", 400, amps, int(power_kw * 1000)),)


def _site_template(index: int) -> SiteTemplate:
    """The catalogue, then variants of it (numbered, moved a little) for larger networks."""
    base = SITE_CATALOGUE[index % len(SITE_CATALOGUE)]
    round_ = index // len(SITE_CATALOGUE)
    if round_ == 0:
        return base
    return replace(
        base,
        name=f"{base.name} {round_ + 1}",
        address=f"{base.address} (unit {round_ + 1})",
        latitude=round(base.latitude + 0.01 * round_, 4),
        longitude=round(base.longitude - 0.01 * round_, 4),
    )


def tariff_ids_for(template: SiteTemplate) -> tuple[str, str]:
    return f"AC-{template.currency}", f"DC-{template.currency}"


def build_network(
    seed: int,
    created_at: datetime,
    sites: int = 3,
    evses_per_site: int = 4,
    tokens: int = 40,
    ends_at: datetime | None = None,
) -> Network:
    from simulator.tariffs import build_tariffs

    built_sites = []
    for s in range(sites):
        template = _site_template(s)
        rng = derived_rng(seed, "site", s)
        site_id = f"LOC{s + 1:03d}"
        ac_tariff, dc_tariff = tariff_ids_for(template)
        dc_count = max(1, evses_per_site // 2) if template.kind == "public_dc" else 1
        evses = []
        for e in range(evses_per_site):
            is_dc = e < dc_count
            power = rng.choice((50.0, 150.0)) if is_dc else rng.choice((11.0, 22.0))
            evses.append(
                Evse(
                    uid=f"{site_id}-E{e + 1:02d}",
                    evse_id=f"{COUNTRY_CODE}*{PARTY_ID}*E{s + 1:03d}{e + 1:03d}",
                    power_kw=power,
                    is_dc=is_dc,
                    connectors=_connectors(is_dc, power),
                    tariff_id=dc_tariff if is_dc else ac_tariff,
                )
            )
        capacity = round(sum(ev.power_kw for ev in evses) * rng.uniform(0.6, 0.9), -1)
        built_sites.append(Site(site_id, template, tuple(evses), capacity))

    groups = tuple(VEHICLE_MODELS)
    built_tokens = []
    for t in range(tokens):
        rng = derived_rng(seed, "token", t)
        is_app = t % 4 == 3
        group = groups[t % len(groups)]
        model, battery, ac_kw, dc_kw = rng.choice(VEHICLE_MODELS[group])
        prefix = "FLT" if group in FLEET_GROUPS else "PRV"
        uid = f"APP{rng.getrandbits(40):010X}" if is_app else f"{rng.getrandbits(56):014X}"
        built_tokens.append(
            Token(
                uid=uid,
                type="APP_USER" if is_app else "RFID",
                contract_id=f"NL-CLK-C{rng.randrange(10**8):08d}-{rng.choice('ABCDEFGHJK')}",
                visual_number=f"CLK-{rng.randrange(10**4):04d}-{rng.randrange(10**4):04d}",
                issuer="ChargeLake Mobility",
                group_id=group,
                vehicle=Vehicle(f"{prefix}-{t + 1:04d}", model, battery, ac_kw, dc_kw),
            )
        )
    network = Network(seed, created_at, tuple(built_sites), tuple(built_tokens), ends_at=ends_at)
    network.tariffs = build_tariffs(network)
    return network
