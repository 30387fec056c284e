-- Each version of each location over the daily snapshots, with the period it was valid.
{{ snapshot_history('stg_ocpi__locations', 'location_key') }}
