"""Sending: a built newsletter to each reader once, over one SMTP connection, with a ledger."""
