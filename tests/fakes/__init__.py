"""Fakes of the outside world (platform APIs) that tests talk to over real HTTP."""
