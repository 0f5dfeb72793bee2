"""Dataset releases for reuse: labelled SPSS/Stata/R-ready files, a codebook in Frictionless and
DDI, re-keyed pseudonyms, an anonymity check and checksums (see docs/releases.md).

``releases/`` reads the store only through :mod:`releases.reads`; nothing but ``flows`` imports it.
"""
