"""Server-rendered web pages (Jinja2) per role."""
