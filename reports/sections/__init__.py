"""The report's generated content, per kind: each module returns SectionContent blocks."""
