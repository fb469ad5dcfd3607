"""Outgoing mail: what is sent (messages.py, compose.py and templates/), where its links lead
(links.py), how it leaves (transport.py: SMTP, or a folder in development), and the jobs that
send it (jobs.py, with deliveries.py and issue_content.py)."""
