"""Vitesse deployers."""
