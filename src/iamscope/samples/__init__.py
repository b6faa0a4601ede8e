"""Built-in sample data for the demo and the examples in the README."""
