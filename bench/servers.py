"""Local servers for the benchmarks: nginx when it is installed (one worker, sendfile, keep-alive,
so the server is never the limit), else the project's mirror server in a process of its own."""

from __future__ import annotations

import shutil
import socket
import subprocess
import sys
import time
from pathlib import Path


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait(port: int) -> None:
    for _ in range(200):
        with socket.socket() as s:
            if s.connect_ex(("127.0.0.1", port)) == 0:
                return
        time.sleep(0.05)
    raise RuntimeError(f"the benchmark server did not start on port {port}")


def nginx_path() -> Path | None:
    found = shutil.which("nginx")
    return Path(found) if found else (Path("/usr/sbin/nginx") if Path("/usr/sbin/nginx").exists() else None)


def serve(site: Path, workdir: Path, connections_log: Path | None = None) -> tuple[subprocess.Popen, str, str]:
    """Serve `site`; with nginx and `connections_log`, it logs each request's connection number."""
    port = free_port()
    nginx = nginx_path()
    if nginx:
        conf = workdir / "nginx.conf"
        log = (f"log_format connections '$connection $connection_requests $request_uri'; access_log {connections_log} connections;"
               if connections_log else "access_log off;")
        conf.write_text(f"""daemon off; worker_processes 1; pid {workdir}/nginx.pid; error_log {workdir}/nginx.err;
events {{ worker_connections 1024; }}
http {{ {log} sendfile on; keepalive_requests 100000; open_file_cache off;
  client_body_temp_path {workdir}; proxy_temp_path {workdir}; fastcgi_temp_path {workdir};
  uwsgi_temp_path {workdir}; scgi_temp_path {workdir};
  types {{ text/html html; text/plain txt; }}
  server {{ listen 127.0.0.1:{port}; root {site}; charset utf-8; }} }}
""")
        proc = subprocess.Popen([str(nginx), "-c", str(conf), "-p", str(workdir)], stderr=subprocess.DEVNULL)
        kind = "nginx (1 worker, sendfile, keep-alive)"
    else:
        proc = subprocess.Popen([sys.executable, "-m", "scraper.mirror", str(site), "--port", str(port)], stdout=subprocess.DEVNULL)
        kind = "the project's mirror server (install nginx for a server that is never the limit)"
    wait(port)
    return proc, f"http://127.0.0.1:{port}", kind
