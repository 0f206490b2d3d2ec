"""Waves (mätomgångar): setting them up, finding the open one, one-time codes, progress and the pre-start check."""
