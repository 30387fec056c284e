-- Days of the week a tariff element is restricted to, one row per day.
{{ stg_tariff_element_days('tariffs__elements__restrictions__day_of_week') }}
