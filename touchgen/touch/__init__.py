"""The daily relationship touch and key accounts: who to reach out to today, and why."""
