"""Alembic migrations of the Vitesse database (applied by `vitesse.persistence.init_db`)."""
