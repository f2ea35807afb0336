"""Pure data and rules: no I/O, no UI, no wire formats."""
