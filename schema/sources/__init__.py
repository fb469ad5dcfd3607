"""Sources: the network's partner publications, their directory and feeds, `upsertSource`."""
