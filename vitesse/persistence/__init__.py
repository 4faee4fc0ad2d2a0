"""Vitesse persistence."""
