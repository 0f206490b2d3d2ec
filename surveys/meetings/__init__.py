"""Meetings: frozen results, the leadership's decisions, and the meeting pack."""
