"""Schema extensions: query limits, database failures as clean errors, masking the rest."""
