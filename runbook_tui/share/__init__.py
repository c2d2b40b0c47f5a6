"""The shared session: an SSH server inside the assignee's process, and the client the verifier joins with."""
