"""Reference data: countries and country grades, currencies, sectors, PD tables, FX rates."""
