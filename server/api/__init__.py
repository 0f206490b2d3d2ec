"""The JSON API under /api/v1: the same domain functions as the pages."""
