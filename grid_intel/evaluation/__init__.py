"""Detection scored against the simulator's ground truth."""
