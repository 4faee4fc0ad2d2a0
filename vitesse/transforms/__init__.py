"""Vitesse transforms."""
