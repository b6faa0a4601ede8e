"""CloudTrail activity: read trail files, attribute and map each event, store them in DuckDB, query them."""
