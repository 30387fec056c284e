-- A report figure must map to exactly one factor: no zone may have two for the same year.
select grid_zone, year, count(*) as factors
from {{ ref('grid_emission_factors') }}
group by grid_zone, year
having count(*) > 1
