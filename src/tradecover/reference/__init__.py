"""Reference data: countries and country grades, currencies, sectors, buyer grade PDs, FX rates by date.

Everything is read from data files in `data/`, once per process, and refuses malformed data loudly.
"""
