"""Questionnaires: the model, TOML files, stored versions and the designer with its question bank."""
