"""The user's cost-centre map (a CSV outside the seeds: see chargelake/cost_centres.py), with token
uids and contract ids pseudonymised with the lake's key as it is loaded, so no driver identifier
reaches the warehouse in clear. A Python model because the key is a secret only Python code reads.
"""

from chargelake.cost_centres import load_cost_centre_map


def model(dbt, session):
    dbt.config(materialized="table")
    return load_cost_centre_map()
