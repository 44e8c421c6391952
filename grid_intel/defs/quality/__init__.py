"""Asset checks from the quality catalog, for bronze and silver."""
