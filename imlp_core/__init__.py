"""imlp_core: the computations behind the Interpolated-MLP notebooks (arXiv 2410.09655)."""

__version__ = "0.1.0"
