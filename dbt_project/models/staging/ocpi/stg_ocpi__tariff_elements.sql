-- Elements of every tariff row of every snapshot (the `tariffs__elements` child table), renamed and cast.
{{ stg_tariff_elements('tariffs__elements') }}
