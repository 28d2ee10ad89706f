# The same transfer between two processes through each mechanism, timed
# for about ${measure_ms} ms, ${repeats == 1 ? once | ${repeats} times}, with both processes pinned
# to one CPU and then to two: the median counts, min and max show the spread.
# Shared memory moves no bytes through the kernel; a Manager pays a socket
# round trip and pickling per item.
import os, statistics, time
from multiprocessing import Process, Queue, Pipe

SECONDS = ${measure_ms:_} / 1000

def pinned(cpu, fn, *args):
    os.sched_setaffinity(0, {cpu})
    fn(*args)

def put_all(q, n):
    for i in range(n): q.put(i)

def send_all(conn, n):
    for i in range(n): conn.send(i)

def via_queue(n, cpus):
    q = Queue()
    p = Process(target=pinned, args=(cpus[0], put_all, q, n)); p.start()
    os.sched_setaffinity(0, {cpus[1]})
    for _ in range(n): q.get()
    p.join()

def via_pipe(n, cpus):
    a, b = Pipe(duplex=False)
    p = Process(target=pinned, args=(cpus[0], send_all, b, n)); p.start()
    os.sched_setaffinity(0, {cpus[1]})
    for _ in range(n): a.recv()
    p.join()

def rate(fn, cpus):
    n = 1000                       # a pilot, then enough items for SECONDS
    t = time.perf_counter(); fn(n, cpus); n = max(1000, int(n / (time.perf_counter() - t) * SECONDS))
    runs = []
    for _ in range(${repeats}):
        t = time.perf_counter(); fn(n, cpus); runs.append(n / (time.perf_counter() - t))
    return statistics.median(runs), min(runs), max(runs)

if __name__ == "__main__":
    cpu = sorted(os.sched_getaffinity(0))
    for placement, cpus in [("one CPU", (cpu[0], cpu[0])), ("two CPUs", (cpu[0], cpu[-1]))]:
        for name, fn in [("Queue", via_queue), ("Pipe", via_pipe)]:
            median, lo, hi = rate(fn, cpus)
            print(f"{placement:8s} {name:6s} {median:10.0f} items/s  ({lo:.0f} .. {hi:.0f})")
