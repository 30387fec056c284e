-- One row per CDR (latest version) that carries signed data: its signature status, the signed
-- energy (End minus Begin reading of the import register, OBIS 1-x:1.8.x) and why it cannot back
-- the bill when it cannot. Statuses, worst first: invalid (a signature does not verify),
-- unverifiable (no key, unsupported curve, malformed record...), not_usable (signatures valid but
-- a reading's meter state is not OK, an error flag is set, or there is no Begin/End pair), valid.
with readings as (

    select * from {{ ref('int_ocpi__cdr_signed_readings') }}

),

import_readings as (

    -- Active energy import (OBIS 1-b:1.8.x, any channel and tariff); a reading without OBIS code
    -- is taken as the import register, as single-register meters send it.
    select *
    from readings
    where reading_index is not null
        and value_kwh is not null
        and (obis_code is null or {{ regex_found('obis_code', "'^1-[0-9a-z]+:1\\.8\\.[0-9]+'") }})

),

begin_end as (

    select
        cdr_key,
        {{ value_at_min('value_kwh', 'measured_at_utc') }} filter (where reading_reason = 'B') as begin_kwh,
        min(measured_at_utc) filter (where reading_reason = 'B') as begin_at_utc,
        {{ value_at_max('value_kwh', 'measured_at_utc') }} filter (where reading_reason = 'E') as end_kwh,
        max(measured_at_utc) filter (where reading_reason = 'E') as end_at_utc,
        bool_and(is_usable) as readings_usable
    from import_readings
    group by cdr_key

),

per_cdr as (

    select
        cdr_key,
        count(distinct signed_value_index) as signed_value_count,
        count(distinct signed_value_index) filter (where verification_status = 'valid') as valid_value_count,
        count(distinct signed_value_index) filter (where verification_status = 'invalid') as invalid_value_count,
        count(distinct signed_value_index) filter (where verification_status = 'unverifiable')
            as unverifiable_value_count,
        {{ ordered_string_agg('verification_reason', '; ', distinct=true, where="verification_status != 'valid'") }}
            as verification_reasons,
        {{ ordered_string_agg('meter_serial', ', ', distinct=true) }} as meter_serials,
        {{ ordered_string_agg('signature_algorithm', ', ', distinct=true) }} as signature_algorithms,
        -- OCMF pages (`PG` T<n>) count the transaction's records: the signed values of one CDR
        -- must follow each other without a gap.
        count(distinct page_number) filter (where page_number is not null) = 0
            or max(page_number) - min(page_number) + 1 = count(distinct page_number) as is_pagination_continuous
    from readings
    group by cdr_key

),

final as (

    select
        per_cdr.cdr_key,
        per_cdr.signed_value_count,
        per_cdr.valid_value_count,
        per_cdr.invalid_value_count,
        per_cdr.unverifiable_value_count,
        per_cdr.meter_serials,
        per_cdr.signature_algorithms,
        per_cdr.is_pagination_continuous,
        begin_end.begin_at_utc as signed_begin_at_utc,
        begin_end.end_at_utc as signed_end_at_utc,
        begin_end.begin_kwh as signed_begin_register_kwh,
        begin_end.end_kwh as signed_end_register_kwh,
        begin_end.end_kwh - begin_end.begin_kwh as signed_energy_kwh,
        case
            when per_cdr.invalid_value_count > 0 then 'invalid'
            when per_cdr.unverifiable_value_count > 0 then 'unverifiable'
            when begin_end.begin_kwh is null or begin_end.end_kwh is null or not begin_end.readings_usable
                then 'not_usable'
            else 'valid'
        end as signed_status,
        case
            when per_cdr.invalid_value_count > 0 or per_cdr.unverifiable_value_count > 0
                then per_cdr.verification_reasons
            when begin_end.begin_kwh is null or begin_end.end_kwh is null
                then 'no signed Begin and End reading of the import register'
            when not begin_end.readings_usable then 'a reading''s meter state is not OK or it has error flags'
        end as signed_reason
    from per_cdr
    left join begin_end on per_cdr.cdr_key = begin_end.cdr_key

)

select * from final
