"""Who signed what: SSHSIG signatures on decisions, seals and approvals, checked against allowed_signers."""
