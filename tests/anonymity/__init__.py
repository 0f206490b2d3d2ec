"""The intruder: a curious reader and communicator who try to recover hidden small groups (issue 13)."""
