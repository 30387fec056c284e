"""Lake housekeeping outside the daily pipeline: privacy (erasure, key rotation, the personal-data
map), retention and vacuum. Run by `chargelake privacy` and `chargelake lake vacuum`."""
