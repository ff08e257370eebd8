"""Gradient-guided design search (placeholder while building)."""
