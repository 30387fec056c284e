"""Extensions the warehouse's dbt-duckdb project loads (see dbt_project/profiles.yml)."""
