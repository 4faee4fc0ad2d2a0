"""Vitesse sandbox."""
