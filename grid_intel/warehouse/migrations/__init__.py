"""Versioned SQL migrations: `NNNN_name.sql`, or per lane `NNNN_name.<lane>.sql`."""
