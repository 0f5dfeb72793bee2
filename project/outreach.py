"""What project.yaml says about reaching people: the mail server, when scheduled steps run, and each
wave's reminders (the wave calendar; see docs/waves.md).

The SMTP password is never part of project.yaml: it comes from an environment variable or the
system keyring when mail is sent.
"""

from __future__ import annotations

import datetime as dt
from typing import Literal

from pydantic import Field

from project.strict import Strict

#: Where the SMTP password is looked for when ``password_env`` is not set.
DEFAULT_PASSWORD_ENV = "IMPLEVAL_SMTP_PASSWORD"


class Smtp(Strict):
    """The mail server invitations and reminders are sent through."""

    host: str = Field(description="The SMTP server's host name, e.g. smtp.region.example.")
    port: int = Field(default=587, ge=1, le=65535, description="The SMTP port (587, 465 or 25).")
    sender: str = Field(description="The From address, e.g. utvardering@region.example.")
    tls: Literal["starttls", "ssl", "none"] = Field(
        default="starttls",
        description="starttls (port 587), ssl (port 465) or none (only for a server on this "
        "machine).",
    )
    username: str | None = Field(
        default=None,
        description="The login name, if the server wants one (the password never "
        "goes here: see password_env and the keyring).",
    )
    password_env: str = Field(
        default=DEFAULT_PASSWORD_ENV,
        description="The environment variable holding the password; without it the system "
        "keyring is asked (service impleval-smtp, the username).",
    )
    timeout: float = Field(
        default=30, gt=0, le=600, description="Seconds to wait for the server before giving up."
    )


class Outreach(Strict):
    """Invitations, reminders and scheduled wave steps (docs/waves.md)."""

    smtp: Smtp | None = Field(
        default=None,
        description="The mail server; without it `impleval invite` can only "
        "write the list for a survey tool (--to-file).",
    )
    send_time: dt.time = Field(
        default=dt.time(8, 0),
        description="Time of day (HH:MM) scheduled invitations and reminders run on the server.",
    )
    timezone: str = Field(
        default="Europe/Stockholm", description="Time zone of send_time and the calendar."
    )


def reminder_dates(
    opens: dt.date, closes: dt.date, reminders: tuple[int | dt.date, ...], wave_id: str
) -> tuple[dt.date, ...]:
    """Each reminder's date (a number is days after opening).

    Raises
    ------
    ValueError
        When a reminder is not after the opening or falls after the closing (the model turns it
        into one line naming the wave).

    >>> reminder_dates(dt.date(2019, 2, 4), dt.date(2019, 3, 22), (7, dt.date(2019, 3, 1)), "T1")
    (datetime.date(2019, 2, 11), datetime.date(2019, 3, 1))
    """
    days = []
    for number, reminder in enumerate(reminders, 1):
        day = reminder if isinstance(reminder, dt.date) else opens + dt.timedelta(days=reminder)
        if day <= opens or day > closes:
            where = "after the wave closes" if day > closes else "on or before it opens"
            raise ValueError(
                f"wave {wave_id}: reminder {number} falls on {day}, {where} (opens {opens}, "
                f"closes {closes}). Expected a day between; hint: give days after opening "
                f"(e.g. reminders: [7, 14]) or a date YYYY-MM-DD before closes"
            )
        days.append(day)
    return tuple(days)
