"""FloorLedger's command line: one entry point that dispatches to the apps' subcommands."""

__version__ = "0.1.0"
