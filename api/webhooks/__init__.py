"""Signed webhooks: endpoints and their secrets (endpoints.py, signing.py), the address guard
against server-side request forgery (addresses.py, shared with feed polling), fan-out of
events to endpoints (fan_out.py), delivery with attempts recorded (delivery.py), and what
operators read back (history.py)."""
