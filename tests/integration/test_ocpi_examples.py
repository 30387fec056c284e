"""The spec's JSON examples go through the extractor's own dlt resources into Parquet, and the
staged tables pass the gate's suites: extractor schema and suites agree with OCPI 2.2.1."""

import json
from pathlib import Path

import dlt
import pytest

from chargelake.lake import Lake
from expectations.landed import landed_family, read_files
from expectations.suites import rules_for
from expectations.validate import validate_frame
from extractors.common.pseudonymise import PREFIX
from extractors.ocpi import module_resource
from extractors.ocpi.helpers import Page

EXAMPLES = Path(__file__).resolve().parents[3] / "shared" / "ocpi-2.2.1" / "examples"
PREFIXES = {
    "sessions": "session_example",
    "cdrs": "cdr_example",
    "tariffs": "tariff_",
    "locations": "location_example",
    "tokens": "token_example",
}


def full_objects(module: str) -> list[dict]:
    key = "uid" if module == "tokens" else "id"
    out: dict[tuple, dict] = {}  # two example files may show the same object version
    for path in sorted(EXAMPLES.glob(f"{PREFIXES[module]}*.json")):
        obj = json.loads(path.read_text())
        obj = obj.get("data", obj) if isinstance(obj, dict) else obj
        if isinstance(obj, dict) and key in obj and "last_updated" in obj and "country_code" in obj:
            out.setdefault((obj["country_code"], obj["party_id"], obj[key], obj["last_updated"]), obj)
    return list(out.values())


@pytest.fixture(scope="module")
def staged(tmp_path_factory):
    root = tmp_path_factory.mktemp("examples")
    lake = Lake(str(root))

    @dlt.source(name="ocpi", root_key=True, max_table_nesting=4)
    def examples():
        return [module_resource(m, [Page(f"file://{EXAMPLES}", full_objects(m))], "k") for m in PREFIXES]

    pipeline = dlt.pipeline(
        "examples",
        pipelines_dir=str(root / "work"),
        destination=dlt.destinations.filesystem(
            bucket_url=lake.path("landing", "ex"), layout="{table_name}/{load_id}.{file_id}.{ext}"
        ),
        dataset_name="ocpi",
    )
    pipeline.run(examples(), loader_file_format="parquet")
    return lake


@pytest.mark.parametrize("module", sorted(PREFIXES))
def test_examples_stage_and_pass_their_suite(staged, module):
    objects = full_objects(module)
    assert objects, f"no full {module} example found"
    family = landed_family(staged, "ex", "ocpi", module)
    table = read_files(staged, family[module])
    assert table.num_rows == len(objects)
    df = table.to_pandas()
    outcome = validate_frame(df, rules_for("ocpi", module), None, staged, "ex")
    assert outcome.success, outcome.summary()
    for col in ("cdr_token__uid", "uid", "contract_id"):
        if col in df.columns:
            assert df[col].dropna().str.startswith(PREFIX).all()


def test_nested_lists_become_child_tables(staged):
    names = set(landed_family(staged, "ex", "ocpi", "cdrs")) | set(landed_family(staged, "ex", "ocpi", "locations"))
    assert {
        "cdrs__charging_periods",
        "cdrs__charging_periods__dimensions",
        "locations__evses",
        "locations__evses__connectors",
    } <= names
