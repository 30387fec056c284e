-- Each version of each token over the daily snapshots; a token the CPO marks invalid is closed.
{{ snapshot_history('stg_ocpi__tokens', 'token_key', removed_when='not ordered.is_valid') }}
