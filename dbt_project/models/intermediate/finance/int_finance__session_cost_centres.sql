-- The cost centre of every session: the most specific rule of the user's map that matches it on the
-- session's local day (token uid, contract id, token group, EVSE, location; see
-- chargelake/cost_centres.py). Sessions no rule matches get the explicit `unallocated` centre.
with sessions as (

    select * from {{ ref('int_ocpi__charging_sessions') }}

),

tokens as (

    {{ first_per(
        ref('stg_ocpi__tokens'), 'token_uid_pseudonym', 'last_updated_at_utc desc',
        ['token_uid_pseudonym', 'contract_id_pseudonym', 'group_id']
    ) }}

),

cost_centre_map as (

    select * from {{ ref('stg_derived__cost_centre_map') }}

),

rule_matches as (

    select
        sessions.charging_session_key,
        cost_centre_map.cost_centre_id,
        cost_centre_map.cost_centre_name,
        cost_centre_map.key_type,
        row_number() over (
            partition by sessions.charging_session_key
            order by cost_centre_map.key_priority, cost_centre_map.cost_centre_id
        ) as rule_rank
    from sessions
    left join tokens on sessions.token_uid_pseudonym = tokens.token_uid_pseudonym
    inner join cost_centre_map
        on cast(coalesce(sessions.started_at_local, sessions.started_at_utc) as date)
            between cost_centre_map.valid_from and cost_centre_map.valid_to
        and (
            (cost_centre_map.key_type = 'token_uid' and cost_centre_map.key_value = sessions.token_uid_pseudonym)
            or (cost_centre_map.key_type = 'contract_id' and cost_centre_map.key_value = tokens.contract_id_pseudonym)
            or (cost_centre_map.key_type = 'token_group' and cost_centre_map.key_value = tokens.group_id)
            or (cost_centre_map.key_type = 'evse' and cost_centre_map.key_value = sessions.evse_uid)
            or (cost_centre_map.key_type = 'location' and cost_centre_map.key_value = sessions.location_id)
        )

),

-- The most specific matching rule.
matches as (

    select charging_session_key, cost_centre_id, cost_centre_name, key_type
    from rule_matches
    where rule_rank = 1

),

final as (

    select
        sessions.charging_session_key,
        sessions.location_key,
        sessions.location_id,
        coalesce(sessions.started_at_local, sessions.started_at_utc) as started_at_local,
        sessions.cdr_cost_excl_vat,
        sessions.currency,
        coalesce(matches.cost_centre_id, 'unallocated') as cost_centre_id,
        coalesce(matches.cost_centre_name, 'Unallocated (no cost-centre rule matches)') as cost_centre_name,
        coalesce(matches.key_type, 'none') as allocated_by
    from sessions
    left join matches on sessions.charging_session_key = matches.charging_session_key

)

select * from final
