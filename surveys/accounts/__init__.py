"""Accounts: staff users, their roles and API tokens. Respondents never have accounts."""
