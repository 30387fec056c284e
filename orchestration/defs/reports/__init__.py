"""Reports people open: the CSRD E1 pack and cost statements, built from the marts into `reports/`."""
