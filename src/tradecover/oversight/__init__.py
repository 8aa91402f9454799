"""Oversight: coverage, growth, premium, claims, subsidies, financing and exposure at a glance."""
