-- Price components of every tariff element (the `tariffs__elements__price_components` child table).
{{ stg_tariff_price_components('tariffs__elements__price_components') }}
