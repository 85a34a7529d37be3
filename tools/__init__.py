"""The `dfc` command line: compile, run and bench."""
