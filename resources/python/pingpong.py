# Pipe basics. ping-pong: each message waits for its echo, so a round trip
# costs two wake-ups of another process. request-response: the server
# answers each number with its square. one-way: the reader stops at
# EOFError once the writer has closed its end.
from multiprocessing import Process, Pipe
import time

MODE = "${mode}"
N, PAYLOAD = ${messages:_}, b"x" * ${payload}

def server(conn):
    while (msg := conn.recv()) is not None:
        conn.send(msg * msg if MODE == "request-response" else msg)

def reader(conn):
    count = 0
    try:
        while True:
            conn.recv(); count += 1
    except EOFError:                            # every writer has closed its end
        print(count, "messages, then EOFError")

if __name__ == "__main__":
    if MODE == "one-way":
        r, w = Pipe(duplex=False)
        p = Process(target=reader, args=(r,)); p.start()
        r.close()                               # the reader's end lives in the child
        for _ in range(N): w.send_bytes(PAYLOAD)
        w.close(); p.join()
    else:
        here, there = Pipe()
        p = Process(target=server, args=(there,)); p.start()
        t = time.perf_counter()
        for i in range(N):
            here.send(i if MODE == "request-response" else PAYLOAD); here.recv()
        print(f"{(time.perf_counter() - t) / N * 1e6:.1f} us per round trip")
        here.send(None); p.join()
