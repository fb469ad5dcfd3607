"""The worker side of background work: job kinds and their retry policies (kinds.py), and the
worker that drains the outbox (worker.py, claims.py). Work is enqueued with api/outbox.py;
every kind the worker knows is listed in api/background.py."""
