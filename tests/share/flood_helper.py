"""An attacker without a key: holds up to CONNECTIONS idle TCP connections to the share port.

`python flood_helper.py PORT CONNECTIONS ATTEMPTS SECONDS [SOURCES]`: connects from 127.0.0.2 (another
loopback source than the real verifier's; with SOURCES, from as many: 127.0.0.2, 127.0.0.3, ...,
the connections spread over them), reopens every connection the server closes until
ATTEMPTS were made, and stops by itself after SECONDS or when its stdin closes. Prints
`flooding` once the first CONNECTIONS attempts were made, then `done ATTEMPTS` at the end.
Only loopback is ever targeted.
"""

from __future__ import annotations

import asyncio
import os
import resource
import sys

SOURCE = "127.0.0.2"


async def main(port: int, connections: int, attempts: int, seconds: float, sources: int = 1) -> None:
    made = 0
    started = asyncio.Event()

    async def hold(source: str) -> None:
        nonlocal made
        while made < attempts:
            made += 1
            if made >= connections:
                started.set()
            try:
                reader, writer = await asyncio.wait_for(asyncio.open_connection("127.0.0.1", port, local_addr=(source, 0)), 5)
            except (OSError, TimeoutError):
                await asyncio.sleep(0.05)
                continue
            try:
                while await reader.read(4096):  # idle: never answers the SSH version
                    pass
            except OSError:
                pass
            writer.close()

    async def stdin_closed() -> None:
        await asyncio.get_running_loop().run_in_executor(None, sys.stdin.read)

    first = int(SOURCE.rsplit(".", 1)[1])
    holders = [asyncio.create_task(hold(f"127.0.0.{first + n % sources}")) for n in range(connections)]
    waiter = asyncio.create_task(started.wait())
    await asyncio.wait([waiter, *holders], return_when=asyncio.FIRST_COMPLETED)
    print("flooding", flush=True)
    await asyncio.wait([asyncio.create_task(stdin_closed()), asyncio.create_task(asyncio.sleep(seconds))], return_when=asyncio.FIRST_COMPLETED)
    for task in holders:
        task.cancel()
    print(f"done {made}", flush=True)


if __name__ == "__main__":
    _soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    resource.setrlimit(resource.RLIMIT_NOFILE, (min(hard, 8192), hard))
    port, connections, attempts, seconds = int(sys.argv[1]), int(sys.argv[2]), int(sys.argv[3]), float(sys.argv[4])
    asyncio.run(main(port, connections, attempts, seconds, *map(int, sys.argv[5:6])))
    os._exit(0)  # the stdin reader thread may still wait
