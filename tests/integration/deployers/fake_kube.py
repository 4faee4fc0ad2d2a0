"""A recording fake of the Kubernetes API server at the HTTP edge, on 127.0.0.1.

It answers the requests the EKS deployer sends like an API server would (server-side apply by
PATCH, GET, DELETE, pod lists and pod logs), keeps the applied objects, records every request,
and plays a tiny Deployment controller: status, conditions and pods follow the applied spec
unless a test sets `deployment_status[name]`.
"""

from __future__ import annotations

import json
import threading
import uuid
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlsplit

import yaml


def _status(code: int, reason: str, message: str) -> dict[str, Any]:
    return {
        "kind": "Status",
        "apiVersion": "v1",
        "status": "Failure",
        "reason": reason,
        "code": code,
        "message": message,
    }


class FakeKube:
    def __init__(self) -> None:
        self.objects: dict[str, dict[str, Any]] = {}
        self.requests: list[dict[str, Any]] = []
        self.logs: dict[str, str] = {}
        self.deployment_status: dict[str, dict[str, Any]] = {}
        self._lock = threading.Lock()
        self._server = ThreadingHTTPServer(("127.0.0.1", 0), self._handler())
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)

    @property
    def url(self) -> str:
        host, port = self._server.server_address[:2]
        return f"http://{host}:{port}"

    def start(self) -> FakeKube:
        self._thread.start()
        return self

    def stop(self) -> None:
        self._server.shutdown()
        self._server.server_close()

    def patches(self) -> list[dict[str, Any]]:
        return [r for r in self.requests if r["method"] == "PATCH"]

    # -- behaviour --------------------------------------------------------------------------

    def apply(self, path: str, body: dict[str, Any]) -> tuple[int, dict[str, Any]]:
        previous = self.objects.get(path)
        meta = dict(body.get("metadata") or {})
        desired = {k: v for k, v in body.items() if k != "status"}
        same = previous is not None and previous["_applied"] == desired
        generation = (previous or {}).get("metadata", {}).get("generation", 0) + (0 if same else 1)
        meta.update(
            uid=(previous or {}).get("metadata", {}).get("uid", str(uuid.uuid4())),
            resourceVersion=str(
                (previous or {}).get("metadata", {}).get("resourceVersion", "0") if same else len(self.requests)
            ),
            generation=generation,
            creationTimestamp=(previous or {}).get("metadata", {}).get("creationTimestamp", "2026-01-01T00:00:00Z"),
        )
        obj = {**desired, "metadata": meta, "_applied": desired}
        self.objects[path] = obj
        return (200 if previous else 201), self._public(obj)

    def _public(self, obj: dict[str, Any]) -> dict[str, Any]:
        out = {k: v for k, v in obj.items() if k != "_applied"}
        if out.get("kind") == "Deployment":
            out["status"] = self.deployment_status.get(out["metadata"]["name"]) or self._controller(out)
        return out

    @staticmethod
    def _controller(deployment: dict[str, Any]) -> dict[str, Any]:
        replicas = deployment["spec"].get("replicas", 1)
        return {
            "observedGeneration": deployment["metadata"]["generation"],
            "replicas": replicas,
            "readyReplicas": replicas,
            "updatedReplicas": replicas,
            "availableReplicas": replicas,
            "conditions": [
                {"type": "Available", "status": "True", "reason": "MinimumReplicasAvailable"},
                {"type": "Progressing", "status": "True", "reason": "NewReplicaSetAvailable"},
            ],
        }

    def pods(self, namespace: str, selector: str) -> list[dict[str, Any]]:
        key, _, value = selector.partition("=")
        pods = []
        for obj in self.objects.values():
            labels = obj.get("spec", {}).get("template", {}).get("metadata", {}).get("labels", {})
            if (
                obj.get("kind") == "Deployment"
                and obj["metadata"].get("namespace") == namespace
                and labels.get(key) == value
            ):
                for i in range(obj["spec"].get("replicas", 1)):
                    name = f"{obj['metadata']['name']}-5d8f7-{i}"
                    pods.append({"metadata": {"name": name, "namespace": namespace, "labels": labels}})
        return pods

    def handle(self, method: str, path: str, query: dict[str, list[str]], body: dict | None) -> tuple[int, Any]:
        parts = path.strip("/").split("/")
        if method == "GET" and parts[-1] == "pods":
            items = self.pods(parts[-2], query.get("labelSelector", [""])[0])
            return 200, {"apiVersion": "v1", "kind": "PodList", "metadata": {}, "items": items}
        if method == "GET" and parts[-1] == "log":
            text = self.logs.get(parts[-2], "")
            tail = int(query.get("tailLines", ["0"])[0]) or None
            lines = text.splitlines(keepends=True)
            return 200, "".join(lines[-tail:] if tail else lines)
        if method == "PATCH":
            return self.apply(path, body or {})
        if path not in self.objects:
            return 404, _status(404, "NotFound", f'{parts[-2]} "{parts[-1]}" not found')
        if method == "DELETE":
            removed = self._public(self.objects.pop(path))
            # Like the API server: a deleted Service comes back as the object, other kinds as a Status.
            return 200, removed if removed.get("kind") == "Service" else {
                "kind": "Status",
                "apiVersion": "v1",
                "status": "Success",
            }
        return 200, self._public(self.objects[path])

    def _handler(self) -> type[BaseHTTPRequestHandler]:
        fake = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args: Any) -> None:
                pass

            def _serve(self) -> None:
                url = urlsplit(self.path)
                query = parse_qs(url.query)
                raw = self.rfile.read(int(self.headers.get("Content-Length") or 0))
                body = yaml.safe_load(raw) if raw else None
                with fake._lock:
                    fake.requests.append(
                        {"method": self.command, "path": url.path, "query": query,
                         "content_type": self.headers.get("Content-Type"), "body": body}
                    )  # fmt: skip
                    code, payload = fake.handle(self.command, url.path, query, body)
                text = payload if isinstance(payload, str) else json.dumps(payload)
                data = text.encode()
                self.send_response(code)
                self.send_header("Content-Type", "text/plain" if isinstance(payload, str) else "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            do_GET = do_PATCH = do_DELETE = _serve

        return Handler
