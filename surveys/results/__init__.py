"""Results: a plan's counts turned into published estimates, the overview, and exports."""
