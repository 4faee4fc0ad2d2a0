"""Vitesse graph/guardian."""
