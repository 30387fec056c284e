-- Elements of the tariffs embedded in CDRs (`cdrs__tariffs__elements`), renamed and cast.
{{ stg_tariff_elements('cdrs__tariffs__elements') }}
