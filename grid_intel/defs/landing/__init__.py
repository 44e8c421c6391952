"""Archive and reference assets: landing-folder files into bronze, and the sensor watching it."""
