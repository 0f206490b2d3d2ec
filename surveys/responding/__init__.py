"""Responding: checking a respondent's answers and storing a submission once."""
