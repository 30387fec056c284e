"""The spec's JSON examples go through the extractor's own dlt resources into Parquet, and the
landed tables pass the gate's suites: extractor schema and suites agree with OCPI 2.2.1."""

import dlt
import pytest

from chargelake.lake import Lake
from chargelake.pseudonymise import PREFIX
from expectations.landed import landed_family, read_files
from expectations.suites import rules_for
from expectations.validate import validate_frame
from extractors.ocpi import module_resource
from extractors.ocpi.helpers import Page
from tests.conftest import EXAMPLES_221
from tests.cpo_stub.objects import examples_221

PREFIXES = ("sessions", "cdrs", "tariffs", "locations", "tokens")


def full_objects(module: str) -> list[dict]:
    return examples_221()[module]


@pytest.fixture(scope="module")
def staged(tmp_path_factory):
    root = tmp_path_factory.mktemp("examples")
    lake = Lake(str(root))

    @dlt.source(name="ocpi", root_key=True, max_table_nesting=4)
    def examples():
        return [module_resource(m, [Page(f"file://{EXAMPLES_221}", full_objects(m))], "k") for m in PREFIXES]

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
