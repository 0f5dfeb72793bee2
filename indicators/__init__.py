"""Key figures: the indicator registry, indicator data, ITS and before/after analyses, goals and the project logic."""
