# chdb worker for ingest/testenv: one ClickHouse session (argv[1] is its
# directory) serving requests until stdin closes. Importing chdb takes about
# a second, so one process serves every Exec of a test.
#
# stdin, one JSON object a line: {"format": str, "statements": [str]}.
# fd 3, one JSON object a line: first {"version": str} (or {"error": str} if
# chdb cannot start), then per request {"output": str, "error": str|null}.
# Replies go to fd 3, not stdout, so nothing the engine prints corrupts them.
import json
import os
import sys


def serve(sess, send):
    for line in sys.stdin:
        req = json.loads(line)
        out, err = [], None
        for i, sql in enumerate(req["statements"], 1):
            try:
                res = sess.query(sql, req["format"])
            except Exception as e:  # the engine's error, for the caller
                err = f"statement {i}: {e}"
                break
            if res is not None:
                out.append(res.bytes().decode("utf-8", "replace"))
        send({"output": "".join(out), "error": err})


def main():
    replies = os.fdopen(3, "w", encoding="utf-8")

    def send(obj):
        replies.write(json.dumps(obj) + "\n")
        replies.flush()

    try:
        from chdb import session

        sess = session.Session(sys.argv[1])
        res = sess.query("SELECT version()", "TabSeparated")
        version = res.bytes().decode().strip()
    except Exception as e:
        send({"error": f"starting chdb: {type(e).__name__}: {e}"})
        return 1
    send({"version": version})
    try:
        serve(sess, send)
    finally:
        sess.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
