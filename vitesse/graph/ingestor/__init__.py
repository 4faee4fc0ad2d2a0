"""Vitesse graph/ingestor."""
