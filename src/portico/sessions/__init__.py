"""Browser sessions: what a session holds (store.py), and the stores that keep it (sql.py,
redis.py, chosen by factory.py).

Ids carry 256 random bits and are stored only as their SHA-256, so a copy of the store does not
yield live session ids. The whole record (e-mail, keys, address) is sealed with the server key
and bound to the hash it is stored under: reading the store yields nothing personal, and a
record copied under another id or edited does not open (it is refused, logged and deleted).

A store may keep the sessions it read in memory for a few seconds (every relayed call reads
one), but only where every change reaches it at once: when it is the one store object of the
process that changes sessions (`portico serve`), or while it listens on a Redis channel on
which every store announces the sessions it ended. Otherwise every call reads the store.
"""
