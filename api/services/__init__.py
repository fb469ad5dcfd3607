"""The write side: one module per domain. Services validate, write and flush; they never commit
(api/transactions.py does), so several compose into one transaction."""
