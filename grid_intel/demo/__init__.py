"""The demo: the whole product on an empty local stack within minutes.

Four closed days of simulated grid history (most at a reduced scan rate, the last
hours at full rate with injected faults) go through Kafka; one Dagster backfill
builds every layer over them and the products over the last hours, watched in the
UI; then the topic sensors, the automation and a live simulator take over. Stages
print one line each; everything else goes to a log file.
"""
