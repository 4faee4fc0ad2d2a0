"""The length and range fitters heal uses; they live in the transform engine so a sync runtime has them too."""

from vitesse.transforms._fitting import fit_number, fit_text

__all__ = ["fit_number", "fit_text"]
