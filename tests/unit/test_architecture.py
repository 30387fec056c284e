"""Imports point one way (docs/architecture.md): the core imports no layer, extractors and the gate
do not import each other or orchestration, and inside orchestration nothing imports the CLI and
housekeeping imports no Dagster domain. A circle or an arrow back up fails here, naming the import."""

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
PACKAGES = ("chargelake", "extractors", "expectations", "orchestration", "simulator")

# layer -> the layers it may import (besides itself)
ALLOWED = {
    "chargelake": set(),
    "extractors": {"chargelake"},
    "expectations": {"chargelake"},
    "simulator": {"chargelake"},
    "orchestration.audit": {"chargelake", "expectations"},
    "orchestration.housekeeping": {"chargelake", "expectations"},
    "orchestration.defs": {
        "chargelake",
        "expectations",
        "extractors",
        "orchestration.audit",
        "orchestration.housekeeping",
    },
    "orchestration.definitions": {"orchestration.defs"},
    "orchestration.cli": {
        "chargelake",
        "expectations",
        "extractors",
        "simulator",
        "orchestration.audit",
        "orchestration.housekeeping",
        "orchestration.defs",
        "orchestration.definitions",
    },
    "orchestration.__init__": {"chargelake"},
}


def layer(module: str) -> str:
    parts = module.split(".")
    return f"orchestration.{parts[1]}" if parts[0] == "orchestration" and len(parts) > 1 else parts[0]


def imports() -> list[tuple[str, str]]:
    found = []
    for package in PACKAGES:
        for path in (ROOT / package).rglob("*.py"):
            module = ".".join(path.relative_to(ROOT).with_suffix("").parts)
            for node in ast.walk(ast.parse(path.read_text())):
                if isinstance(node, ast.Import):
                    names = [a.name for a in node.names]
                elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
                    names = [node.module]
                else:
                    continue
                found += [(module, n) for n in names if n.split(".")[0] in PACKAGES]
    return found


def test_imports_point_one_way():
    wrong = [
        f"{a} imports {b}"
        for a, b in imports()
        if layer(a) != layer(b) and layer(b) not in ALLOWED.get(layer(a), set())
    ]
    assert not wrong, "\n".join(sorted(wrong))


def test_every_orchestration_module_belongs_to_a_layer():
    layers = {layer(a) for a, _ in imports() if a.startswith("orchestration")}
    assert layers <= set(ALLOWED), layers - set(ALLOWED)


def test_each_dagster_domain_uses_the_role_names():
    roles = {"assets", "checks", "partitions", "resources", "schedules", "sensors"}
    for domain in (ROOT / "orchestration" / "defs").iterdir():
        if domain.is_dir() and not domain.name.startswith("_"):
            files = {p.stem for p in domain.glob("*.py")} - {"__init__"}
            assert files & roles, f"{domain.name} has none of the role files {sorted(roles)}"
