"""The rule engine: loads the catalog and evaluates conditions over facts. Knows no domain."""
