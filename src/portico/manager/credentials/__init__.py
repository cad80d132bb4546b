"""The credential core of the manager: the one log-in protocol (authentication), the password
hashers and their thread pool, password change and policy, the lock-out, single-use tokens and
step-up."""
