"""Interview codings: the NPT codebook, QDA exports and REFI-QDA projects, redaction, agreement,
frequencies, quotes and the report's section N2."""
