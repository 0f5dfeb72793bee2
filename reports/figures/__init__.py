"""Figures for the report, per kind: each function returns a Figure and never saves or shows it.

Labels on figures are data (organisation and group names, codes, waves): matplotlib's mathtext
is switched off here, so ``$x$`` in a label is drawn as those three characters, not as maths.
"""

import matplotlib

matplotlib.rcParams["text.parse_math"] = False
