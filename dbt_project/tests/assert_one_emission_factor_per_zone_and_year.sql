-- A report figure must map to exactly one factor: no zone may have two for the same year, scope and method.
select grid_zone, year, scope, method, count(*) as factors
from {{ ref('emission_factors') }}
group by grid_zone, year, scope, method
having count(*) > 1
