"""Figures for the report, per kind: each function returns a Figure and never saves or shows it."""
