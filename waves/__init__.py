"""Survey waves on a team server: the wave calendar, invitations and reminders with their send
ledger, response rates while a wave is open, and the ``.ics`` calendar (see docs/waves.md).

Addresses are read from the landed raw rosters at send time only; the store, logs and outputs hold
pseudonyms and counts.
"""
