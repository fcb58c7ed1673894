"""hub.cli.hub."""
