"""Locate the example API documents bundled with Vitesse (a shop and a CRM).

The paths are resolved from this package's own location, so they work from a source checkout and
from an installed wheel alike (the YAML files are package data).
"""

from __future__ import annotations

from pathlib import Path

__all__ = ["CRM_SPEC", "EXAMPLE_SPECS_DIR", "SHOP_SPEC"]

EXAMPLE_SPECS_DIR: Path = Path(__file__).resolve().parent / "specs"
"""Folder holding `shop.yaml`, `crm.yaml` and their README."""

SHOP_SPEC: Path = EXAMPLE_SPECS_DIR / "shop.yaml"
"""Acme Shop, OpenAPI 3.1.0: customers and orders, cursor pagination, API-key auth."""

CRM_SPEC: Path = EXAMPLE_SPECS_DIR / "crm.yaml"
"""Orbit CRM, OpenAPI 3.0.3: contacts and companies, page pagination, bearer auth."""
