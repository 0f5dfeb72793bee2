"""stub"""

CASES: list = []
