"""Shipment and payment declarations: verdicts per rule, exposure, bulk import."""
