"""The grid registry: Manitoba's stations, regions and equipment, defined once.

Published facts (stations, capacities, rivers) are Manitoba Hydro's published figures
(`stations.py` flags the approximate ones); equipment below the station level is laid
out by fixed rules so every part of the platform sees the same assets.
"""
