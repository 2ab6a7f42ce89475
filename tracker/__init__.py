"""Citizen-charter SLA tracker for Bangladeshi government offices."""

__version__ = "0.1.0"
