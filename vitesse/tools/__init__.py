"""Vitesse tools."""
