"""The load benchmarks' client keeps its connection like a real one, and never sends twice."""

import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from bench import soak_load
from bench.soak_load import Api


class Counting(BaseHTTPRequestHandler):
    """Answers every POST with its body back; counts the connections it was asked on."""

    protocol_version = "HTTP/1.1"  # keep-alive, as gunicorn's gthread workers offer it
    connections: set = set()

    def do_POST(self):
        Counting.connections.add(self.client_address)
        body = self.rfile.read(int(self.headers["Content-Length"]))
        if self.path.endswith("/drop"):
            self.close_connection = True  # the connection ends with no answer at all
            return
        reply = json.dumps({"path": self.path, "got": json.loads(body)}).encode()
        self.send_response(201)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(reply)))
        self.end_headers()
        self.wfile.write(reply)

    def log_message(self, *_):
        pass


@pytest.fixture
def server():
    Counting.connections = set()
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), Counting)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{httpd.server_address[1]}/api/v1"
    httpd.shutdown()
    httpd.server_close()


def test_requests_share_one_connection(server):
    api = Api(server, [], threading.Lock())
    for n in range(5):
        status, payload = api.call("POST", "/sessions", {"n": n})
        assert (status, payload) == (201, {"path": "/api/v1/sessions", "got": {"n": n}})
    assert len(Counting.connections) == 1
    api.close()


def test_an_idle_connection_is_not_reused(server, monkeypatch):
    api = Api(server, [], threading.Lock())
    api.call("POST", "/sessions", {})
    monkeypatch.setattr(soak_load, "REUSE_IDLE_S", -1.0)  # every connection counts as idle too long
    api.call("POST", "/sessions", {})
    assert len(Counting.connections) == 2
    api.close()


def test_a_lost_answer_counts_as_failed_once_and_is_not_sent_again(server):
    log = []
    api = Api(server, log, threading.Lock())
    status, payload = api.call("POST", "/drop", {"response": "x"})
    assert status == 0 and "transport" in payload
    assert [entry[4] for entry in log] == [0]
    assert len(Counting.connections) == 1  # one try only
    assert api.call("POST", "/sessions", {})[0] == 201  # and the next request opens a new connection
    assert len(Counting.connections) == 2
    api.close()
