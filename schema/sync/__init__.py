"""Delta sync: `sync(token:, first:)`."""
