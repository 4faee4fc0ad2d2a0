"""Vitesse runtime."""
