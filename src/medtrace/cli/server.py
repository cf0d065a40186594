"""gunicorn in-process, with a job worker beside it, so one command runs the embedded default."""

import atexit
import subprocess  # nosec B404 # only to start our own job worker
import sys

from django.db import connections
from gunicorn.app.base import BaseApplication


class MedtraceServer(BaseApplication):
    def __init__(self, options: dict):
        self.options = options
        super().__init__()

    def load_config(self):
        for key, value in self.options.items():
            if key in self.cfg.settings:
                self.cfg.set(key, value)

    def load(self):
        from medtrace.wsgi import application

        return application


def run_gunicorn(*, host: str, port: int, workers: int, with_job_worker: bool) -> None:
    if with_job_worker:
        worker = subprocess.Popen(  # nosec B603 # fixed argv, no shell, our own interpreter
            [sys.executable, "-m", "medtrace", "worker"]
        )
        atexit.register(_stop, worker)
    # The web workers fork from this process: a connection it opened (the migration check)
    # would be shared by all of them, several workers' queries on one socket.
    connections.close_all()
    MedtraceServer(
        {
            "bind": f"{host}:{port}",
            "workers": workers,
            "accesslog": "-",
            "control_socket_disable": True,
            "timeout": 120,
        }
    ).run()


def _stop(process: subprocess.Popen) -> None:
    if process.poll() is None:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
