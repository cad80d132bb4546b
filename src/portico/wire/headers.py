"""Header names shared by the webserver and the manager."""

# On relayed calls: SHA-256 of the browser session id making the call, so that a password
# change can end every other session of the user but this one.
SESSION_HASH_HEADER = "X-Portico-Session-Hash"

# On signed calls from the webserver's relay: the SHA-256 (hex) of the request body. It then
# takes the place of the empty-body hash in the string to sign, so the signature covers the
# body. Backend.AI's clients do not send it and are verified as before.
BODY_DIGEST_HEADER = "X-Portico-Body-SHA256"
