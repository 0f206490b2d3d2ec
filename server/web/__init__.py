"""HTML pages: parse the request, call the domain, render a template."""
