-- Our price of every CDR beside what the CPO billed (the rule: int_finance__session_costs).
with session_costs as (

    select * from {{ ref('int_finance__session_costs') }}

)

select * from session_costs
