"""hub.masterdata.service."""
