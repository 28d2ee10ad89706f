# Round trips over a duplex pipe: each message waits for the answer.
# The time per round trip is two wakeups of another process.
from multiprocessing import Process, Pipe
import time

def echo(conn):
    while (msg := conn.recv()) is not None:
        conn.send(msg)

if __name__ == "__main__":
    here, there = Pipe()
    p = Process(target=echo, args=(there,)); p.start()
    n = 10_000
    t = time.perf_counter()
    for i in range(n):
        here.send(i); here.recv()
    print(f"{(time.perf_counter() - t) / n * 1e6:.1f} us per round trip")
    here.send(None); p.join()
