"""The ciphers the SSH executor's connections offer, first preferred (SSH takes the client's first the server has).

asyncssh's own order, AES-GCM moved before ChaCha20-Poly1305 (asyncssh's first, and OpenSSH's): with the AES
instructions of today's x86-64 and most ARMv8 CPUs an AES-GCM packet is one OpenSSL AEAD call, where asyncssh makes
ChaCha20-Poly1305 from three cipher contexts per packet (~100 of them for a `true` on a host). A fan-out is about
40 packets a host, all on the client's one event loop: bench/README.md, `fanout.py`. Each is an AEAD cipher OpenSSH
offers by default; a server without AES-GCM still gets ChaCha20-Poly1305 or AES-CTR, as before. The share uses the
same first choice (`share.protocol.CIPHERS`).
"""

from __future__ import annotations

CIPHERS = (
    "aes256-gcm@openssh.com",
    "aes128-gcm@openssh.com",
    "chacha20-poly1305@openssh.com",
    "aes256-ctr",
    "aes192-ctr",
    "aes128-ctr",
)
