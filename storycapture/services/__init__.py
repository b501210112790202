"""Services: the one layer the GUI and the CLI call. Plain types in, plain types out, no Qt."""
