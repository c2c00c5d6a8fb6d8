"""Shared concerns: errors, auth, pagination, storage, clock, ids, types."""
