-- Dagster's run, event-log and schedule storage lives beside the warehouse.
create database dagster;
