#!/usr/bin/env python3
"""Drives the openai-invites-fake binary from Python, standard library only.

Proof that a test in another language gets more than the happy path: it seeds invites, scripts
a 503, calls the API, checks the answers and reads the request log through the control API.

    python3 crates/openai-invites-mock/tests/python/drive_the_fake.py

Builds the binary with cargo (honouring CARGO_TARGET_DIR), starts it on a free port, reads
the base URL from its first stdout line, and always stops it at the end.
"""

import json
import pathlib
import subprocess
import sys
import threading
import urllib.error
import urllib.request

ADMIN_KEY = "sk-admin-from-python-0123456789"
CONTROL_TOKEN = "python-control-token-0123456789"
REPO = pathlib.Path(__file__).resolve().parents[4]

passed = 0
failed = 0


def check(what, condition, detail=""):
    global passed, failed
    if condition:
        passed += 1
        print(f"ok: {what}")
    else:
        failed += 1
        print(f"FAILED: {what} {detail}")


def build_binary():
    subprocess.run(
        ["cargo", "build", "--quiet", "-p", "openai-invites-fake", "--bin", "openai-invites-fake"],
        cwd=REPO,
        check=True,
    )
    # cargo's own answer, so CARGO_TARGET_DIR and .cargo/config.toml are honoured.
    metadata = subprocess.run(
        ["cargo", "metadata", "--format-version", "1", "--no-deps"],
        cwd=REPO,
        check=True,
        capture_output=True,
        text=True,
    )
    target = json.loads(metadata.stdout)["target_directory"]
    binary = pathlib.Path(target, "debug", "openai-invites-fake")
    if not binary.is_file():
        sys.exit(f"no binary at {binary}")
    return binary


def start(binary):
    fake = subprocess.Popen(
        [binary, "--port", "0", "--admin-key", ADMIN_KEY, "--control-token", CONTROL_TOKEN],
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        text=True,
    )
    first = {}
    reader = threading.Thread(target=lambda: first.setdefault("line", fake.stdout.readline()))
    reader.start()
    reader.join(timeout=60)
    line = first.get("line", "").strip()
    if not line.startswith("http://127.0.0.1:") or not line.endswith("/v1"):
        fake.kill()
        sys.exit(f"unexpected first line from the fake: {line!r}")
    return fake, line


def request(method, url, body=None, headers=None):
    """(status, headers, parsed JSON or text) for one request; HTTP errors are answers too."""
    data = None if body is None else json.dumps(body).encode()
    req = urllib.request.Request(url, data=data, method=method, headers=headers or {})
    if data is not None:
        req.add_header("content-type", "application/json")
    try:
        with urllib.request.urlopen(req, timeout=30) as answer:
            status, head, raw = answer.status, answer.headers, answer.read()
    except urllib.error.HTTPError as error:
        status, head, raw = error.code, error.headers, error.read()
    text = raw.decode("utf-8", "replace")
    try:
        return status, head, json.loads(text)
    except ValueError:
        return status, head, text


def main():
    binary = build_binary()
    fake, base = start(binary)
    root = base[: -len("/v1")]
    api_headers = {"authorization": f"Bearer {ADMIN_KEY}"}
    control_headers = {"x-fake-control-token": CONTROL_TOKEN}

    def api(method, path, body=None):
        return request(method, base + path, body, api_headers)

    def control(method, path, body=None, headers=control_headers):
        return request(method, root + "/__fake" + path, body, headers)

    try:
        status, _, _ = control("GET", "/requests", headers={})
        check("the control API wants its token", status == 401, status)

        status, _, seeded = control("POST", "/invites", {"invites": [
            {"id": "invite-py-ana", "email": "ana@example.com", "role": "owner", "created_at": 1700000000},
            {"id": "invite-py-bo", "email": "bo@example.com", "status": "accepted"},
        ]})
        check("seeding answers 200", status == 200, seeded)
        check("seeding returns the invites", [i["id"] for i in seeded["data"]] == ["invite-py-ana", "invite-py-bo"], seeded)

        status, _, queued = control("POST", "/faults", {
            "status": 503, "operation": "listInvites", "headers": {"retry-after": "1"}})
        check("a 503 is scripted", status == 200 and queued["queued"] == 1, queued)

        status, _, typo = control("POST", "/faults", {"status": 503, "operation": "list_invites"})
        check("a misspelt operation is refused, not queued",
              status == 400 and typo["error"]["param"] == "operation"
              and "listInvites" in typo["error"]["message"], typo)

        status, head, outage = api("GET", "/organization/invites")
        check("the scripted 503 comes first", status == 503, status)
        check("with its header", head.get("retry-after") == "1", dict(head))
        check("and an error envelope", outage["error"]["type"] == "server_error", outage)

        status, head, page = api("GET", "/organization/invites?limit=10")
        check("then the list answers 200", status == 200, page)
        check("newest first, seeded ids", [i["id"] for i in page["data"]] == ["invite-py-bo", "invite-py-ana"], page)
        check("every answer has a request id", head.get("x-request-id", "").startswith("req_"), dict(head))

        status, _, ana = api("GET", "/organization/invites/invite-py-ana")
        check("a seeded invite keeps its fields", status == 200 and ana["role"] == "owner" and ana["created_at"] == 1700000000, ana)

        status, _, refused = api("DELETE", "/organization/invites/invite-py-bo")
        check("an accepted invite cannot be deleted", status == 400 and refused["error"]["code"] == "invite_already_accepted", refused)

        status, _, expired = control("POST", "/invites/invite-py-ana/expire")
        check("an invite is expired on demand", status == 200 and expired["status"] == "expired", expired)

        status, _, created = api("POST", "/organization/invites", {"email": "cy@example.com", "role": "reader"})
        check("a create through the API works", status == 200 and created["status"] == "pending", created)

        status, _, log = control("GET", "/requests")
        check("the log is readable", status == 200, log)
        operations = [entry["operation"] for entry in log["data"]]
        check("it lists every API request in order",
              operations == ["listInvites", "listInvites", "retrieveInvite", "deleteInvite", "inviteUser"], operations)
        check("the fault is noted", log["data"][0]["fault"] == "status 503", log["data"][0])
        check("the body is there as JSON", log["data"][4]["json"] == {"email": "cy@example.com", "role": "reader"}, log["data"][4])
        as_text = json.dumps(log)
        check("the admin key is redacted", ADMIN_KEY not in as_text and "Bearer sk-a...[redacted]" in as_text)
        check("the control token never shows", CONTROL_TOKEN not in as_text)

        status, _, reset = control("POST", "/reset")
        status_after, _, page = api("GET", "/organization/invites")
        check("reset empties the fake", status == 200 and status_after == 200 and page["data"] == [], page)
    finally:
        fake.terminate()
        try:
            fake.wait(timeout=10)
        except subprocess.TimeoutExpired:
            fake.kill()
            fake.wait()

    print(f"python: {passed} passed, {failed} failed")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
