"""Built-in sample data (the demo organisation's inputs), generated on demand rather than committed."""
