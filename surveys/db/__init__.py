"""Storage: which database effekt talks to, its tables, the counts results read, and the hot write paths."""
