"""Carbon: hourly intensity and emissions by source, and the intensity forecast."""
