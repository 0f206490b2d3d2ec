"""HTTP: the Litestar app, its pages and API, and the command line."""
