"""Pure analysis: counts in, frozen results out (statistics and disclosure control)."""
