"""Demo and benchmark content: the demo newsroom and bulk synthetic data."""
