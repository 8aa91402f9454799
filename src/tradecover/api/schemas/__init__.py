"""Request and response bodies of the API (Pydantic models), one module per area."""
