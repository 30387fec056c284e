"""Every signed meter reading of every CDR's latest version, with the verification status of the
signed record it came from (`chargelake.ocmf`: OCMF parsing and ECDSA verification with the
`cryptography` package; docs/signed-data.md).

A Python model because verifying a signature is cryptography over the record's exact bytes, which
SQL cannot do; the SQL around it prepares the signed values and sums the verified energy.

Incremental: a build verifies the signed values of CDR versions it has not verified yet.
`dbt build --full-refresh` verifies everything again.
"""

from chargelake.ocmf.batch import verify_table


def model(dbt, session):
    dbt.config(materialized="incremental", unique_key="cdr_key", incremental_strategy="delete+insert")
    values = dbt.ref("int_ocpi__cdr_signed_values")
    if dbt.is_incremental:
        values = values.set_alias("signed_values").filter(
            f"""not exists (
                select 1 from {dbt.this} as verified
                where verified.cdr_key = signed_values.cdr_key
                    and verified.cdr_last_updated_at_utc = signed_values.cdr_last_updated_at_utc
            )"""
        )
    return verify_table(values.arrow())
