"""Tags: topic labels on articles, and each tag's feed."""
