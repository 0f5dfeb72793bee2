"""The one base of every project.yaml model: unknown keys are refused, values are frozen."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict


class Strict(BaseModel):
    """A project.yaml mapping: a misspelt key is an error (not silently ignored), and a loaded
    project cannot be changed by accident."""

    model_config = ConfigDict(extra="forbid", frozen=True)
