"""Vitesse graph."""
