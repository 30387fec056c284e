-- Availability of every EVSE per site-local calendar month, and the two legal uptime metrics that
-- exist (docs/availability.md):
-- - NEVI (23 CFR 680.116(b)): mu = (525,600 - (T_outage - T_excluded)) / 525,600 x 100 over the
--   previous twelve months, computed monthly; above 97% required for US ports;
-- - UK Public Charge Point Regulations 2023, reg. 7: share of the site's opening hours an EVSE is
--   reliable (OCPI status not INOPERATIVE or OUTOFORDER) per calendar year, 99% for rapid (>= 50 kW)
--   charge points.
-- AFIR sets no uptime percentage: there is no EU metric here.
with intervals as (

    select * from {{ ref('int_telemetry__evse_status_intervals') }}
    where valid_to_at_utc > valid_from_at_utc

),

sites as (

    {{ first_per(ref('int_ocpi__sites'), 'location_id', 'is_current desc nulls last', ['location_id', 'country_iso3']) }}

),

rules as (

    select * from {{ ref('uptime_rules') }}

),

open_hours as (

    select
        evse_uid,
        month_start_local_date,
        sum(open_minutes) as uk_eligible_minutes,
        sum(case when status in ('Faulted', 'Unavailable') then open_minutes else 0 end) as uk_unreliable_minutes
    from {{ ref('int_telemetry__evse_open_status_minutes') }}
    group by evse_uid, month_start_local_date

),

local_intervals as (

    select intervals.*, sites.country_iso3
    from intervals
    left join sites on intervals.location_id = sites.location_id

),

numbers as (

    {{ dbt.generate_series(var('max_calendar_months')) }}

),

by_month as (

    select
        local_intervals.*,
        {{ dbt.dateadd('month', 'numbers.generated_number - 1', dbt.date_trunc('month', 'valid_from_local')) }}
            as month_start_local
    from local_intervals
    inner join numbers
        -- an interval ending exactly at a month's start does not reach into that month
        on numbers.generated_number <= {{ dbt.datediff(dbt.date_trunc('month', 'valid_from_local'), 'valid_to_local', 'month') }}
            + case when valid_to_local = {{ dbt.date_trunc('month', 'valid_to_local') }} then 0 else 1 end

),

minutes as (

    select
        evse_uid,
        charge_point_id,
        location_id,
        country_iso3,
        max_power_kw,
        month_start_local,
        status,
        greatest({{ seconds_between(
            'greatest(valid_from_local, month_start_local)',
            'least(valid_to_local, ' ~ dbt.dateadd('month', 1, 'month_start_local') ~ ')'
        ) }}, 0) / 60.0 as status_minutes
    from by_month

),

monthly as (

    select
        evse_uid,
        charge_point_id,
        location_id,
        country_iso3,
        max(max_power_kw) as max_power_kw,
        cast(month_start_local as date) as month_start_local_date,
        cast(extract(year from month_start_local) as integer) * 12 + cast(extract(month from month_start_local) as integer)
            as month_index,
        cast(extract(year from month_start_local) as integer) as calendar_year,
        {{ seconds_between('month_start_local', dbt.dateadd('month', 1, 'month_start_local')) }} / 60.0
            as calendar_minutes,
        sum(status_minutes) as observed_minutes,
        sum(case when status = 'Faulted' then status_minutes else 0 end) as faulted_minutes,
        sum(case when status = 'Unavailable' then status_minutes else 0 end) as unavailable_minutes,
        sum(case when status = 'Offline' then status_minutes else 0 end) as offline_minutes,
        sum(case when status = 'Charging' then status_minutes else 0 end) as charging_minutes,
        sum(case when status in {{ in_list(var('nevi_outage_statuses')) }} then status_minutes else 0 end)
            as outage_minutes,
        sum(case when status in {{ in_list(var('nevi_excluded_statuses')) }} then status_minutes else 0 end)
            as excluded_minutes
    from minutes
    group by evse_uid, charge_point_id, location_id, country_iso3, month_start_local

),

with_open_hours as (

    select
        monthly.*,
        coalesce(open_hours.uk_eligible_minutes, 0) as uk_eligible_minutes,
        coalesce(open_hours.uk_unreliable_minutes, 0) as uk_unreliable_minutes
    from monthly
    left join open_hours
        on monthly.evse_uid = open_hours.evse_uid
        and monthly.month_start_local_date = open_hours.month_start_local_date

),

rolling as (

    select
        with_open_hours.*,
        sum(outage_minutes) over twelve_months as nevi_outage_minutes_12m,
        sum(excluded_minutes) over twelve_months as nevi_excluded_minutes_12m,
        sum(observed_minutes) over twelve_months as nevi_observed_minutes_12m,
        count(*) over twelve_months as nevi_months_with_data,
        sum(uk_eligible_minutes) over calendar_year_to_date as uk_eligible_minutes_ytd,
        sum(uk_unreliable_minutes) over calendar_year_to_date as uk_unreliable_minutes_ytd
    from with_open_hours
    window
        twelve_months as (partition by evse_uid order by month_index range between 11 preceding and current row),
        calendar_year_to_date as (partition by evse_uid, calendar_year order by month_index)

),

final as (

    select
        rolling.evse_uid,
        rolling.charge_point_id,
        rolling.location_id,
        rolling.country_iso3,
        rolling.max_power_kw,
        rolling.month_start_local_date,
        rolling.calendar_minutes,
        rolling.observed_minutes,
        rolling.charging_minutes,
        rolling.faulted_minutes,
        rolling.unavailable_minutes,
        rolling.offline_minutes,
        rolling.outage_minutes,
        rolling.excluded_minutes,
        case when rolling.observed_minutes > 0
            then 100.0 * (rolling.observed_minutes - rolling.outage_minutes + rolling.excluded_minutes)
                / rolling.observed_minutes
        end as observed_uptime_pct,
        rolling.nevi_outage_minutes_12m,
        rolling.nevi_excluded_minutes_12m,
        rolling.nevi_observed_minutes_12m,
        (525600 - (rolling.nevi_outage_minutes_12m - rolling.nevi_excluded_minutes_12m)) / 525600.0 * 100
            as nevi_uptime_pct,
        rolling.nevi_months_with_data = 12 and rolling.nevi_observed_minutes_12m >= 525600 * 0.99
            as nevi_has_full_year,
        nevi.rule_id is not null as nevi_applies,
        nevi.rule_id is not null
            and (525600 - (rolling.nevi_outage_minutes_12m - rolling.nevi_excluded_minutes_12m)) / 525600.0 * 100
                <= nevi.threshold_pct
            as is_below_nevi_threshold,
        rolling.uk_eligible_minutes,
        rolling.uk_unreliable_minutes,
        case when rolling.uk_eligible_minutes_ytd > 0
            then 100.0 * (rolling.uk_eligible_minutes_ytd - rolling.uk_unreliable_minutes_ytd)
                / rolling.uk_eligible_minutes_ytd
        end as uk_reliability_ytd_pct,
        uk.rule_id is not null as uk_applies,
        uk.rule_id is not null
            and 100.0 * (rolling.uk_eligible_minutes_ytd - rolling.uk_unreliable_minutes_ytd)
                / nullif(rolling.uk_eligible_minutes_ytd, 0) < uk.threshold_pct
            as is_below_uk_threshold
    from rolling
    left join rules as nevi on nevi.rule_id = 'NEVI' and rolling.country_iso3 = nevi.country_iso3
    left join rules as uk
        on uk.rule_id = 'UK-PCPR-7'
        and rolling.country_iso3 = uk.country_iso3
        and rolling.max_power_kw >= uk.min_power_kw

)

select * from final
