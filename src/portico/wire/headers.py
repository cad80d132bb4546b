"""Header names shared by the webserver and the manager."""

# On relayed calls: SHA-256 of the browser session id making the call, so that a password
# change can end every other session of the user but this one.
SESSION_HASH_HEADER = "X-Portico-Session-Hash"
