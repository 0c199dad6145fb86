"""Training courses, sessions, attendance and the training dashboard at /training."""
