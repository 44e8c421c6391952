"""Equipment health: daily scores per asset, the fleet heat map, and the nightly scoring."""
