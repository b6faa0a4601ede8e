"""Sample data generators (the demo organisation), run on demand rather than committed as files."""
