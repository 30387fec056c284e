"""The user's cost-centre map (a CSV outside the seeds: see chargelake/cost_centres.py), with token
uids and contract ids pseudonymised with the lake's key as it is loaded, so no driver identifier
reaches the warehouse in clear. A Python model because the key is a secret only Python code reads:
the warehouse asset names a key file and the map's path through dbt vars (the model's meta in the yml).
"""

from chargelake.cost_centres import load_cost_centre_map


def model(dbt, session):
    dbt.config(materialized="table")
    # Read into names first: dbt finds `dbt.config.meta_get` calls in statements, not inside arguments.
    path = dbt.config.meta_get("cost_centre_map")
    key_file = dbt.config.meta_get("pseudonym_key_file")
    return load_cost_centre_map(path=path or None, key_file=key_file or None)
