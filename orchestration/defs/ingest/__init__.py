"""Extract → gate → publish, one daily partition at a time, for every source."""
