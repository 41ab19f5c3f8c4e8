"""Signal receivers of the operations app (cache invalidation; see public_cache.py)."""
