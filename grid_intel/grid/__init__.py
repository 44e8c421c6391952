"""The grid registry: Manitoba's stations, regions and equipment, defined once.

Published facts (stations, capacities, rivers) come from
`shared/reference/manitoba_grid.md`; equipment below the station level is laid
out by fixed rules so every part of the platform sees the same assets.
"""
