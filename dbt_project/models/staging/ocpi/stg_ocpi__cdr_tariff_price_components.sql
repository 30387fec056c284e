-- Price components of the elements of tariffs embedded in CDRs.
{{ stg_tariff_price_components('cdrs__tariffs__elements__price_components') }}
