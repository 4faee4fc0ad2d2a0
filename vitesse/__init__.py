"""Vitesse: an autonomous integration factory."""
