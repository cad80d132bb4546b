"""Small building blocks both services use: sealing, caches, private files, the change channel,
Redis clients, clocks, languages, metrics, storage checks."""
