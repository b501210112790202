"""The strengths board's Qt views. They draw the plain model; they never own the state."""
