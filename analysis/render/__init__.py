"""Rendering: formatting, verdict texts, charts, exports and the meeting pack documents."""
