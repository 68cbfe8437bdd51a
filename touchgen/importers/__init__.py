"""Importers: subscriber exports, mailboxes and calendars into the people store, each run idempotent."""
