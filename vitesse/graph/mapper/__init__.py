"""Vitesse graph/mapper."""
