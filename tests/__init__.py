"""iamscope test suite."""
