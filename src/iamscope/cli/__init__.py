"""The command line: a thin layer that parses arguments, calls the library and renders."""
