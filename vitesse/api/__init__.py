"""Vitesse api."""
