"""Turns a Snapshot into findings: checks, framework mappings, suppressions (no I/O beyond packaged data)."""
