"""The runbook model: load YAML with line marks, schema, params, templating, validate, plan. Pure: no I/O beyond reading the file."""
