"""The PostgreSQL/TimescaleDB warehouse: connections, migrations, writers."""
