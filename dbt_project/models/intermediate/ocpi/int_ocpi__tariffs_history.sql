-- Each version of each tariff over the daily snapshots, with the period it was valid.
{{ snapshot_history('stg_ocpi__tariffs', 'tariff_key') }}
