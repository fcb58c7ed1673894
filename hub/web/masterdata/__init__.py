"""hub.web.masterdata."""
