-- Days of the week an element of a CDR-embedded tariff is restricted to, one row per day.
{{ stg_tariff_element_days('cdrs__tariffs__elements__restrictions__day_of_week') }}
