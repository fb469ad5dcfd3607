"""Who is calling, what they may see and do, and how much: keys, scopes, rate limits, budgets."""
