"""Background work from a transactional outbox: `enqueue` in the writer's transaction (outbox.py),
job kinds and their retry policies (kinds.py), and the worker that drains the outbox
(worker.py, claims.py). Every kind the worker knows is listed in api/background.py."""
