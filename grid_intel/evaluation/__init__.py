"""Models judged on the simulator's ground truth: the one place outside the simulator
and its tools that imports it (the layering test allows it)."""
