# The same transfer of N items between two processes through each
# mechanism. Shared memory moves no bytes through the kernel; a Manager
# pays a socket round trip and pickling per item.
from multiprocessing import Process, Queue, Pipe, Value, Array, Manager
from multiprocessing.shared_memory import SharedMemory
import time

N = ${items:_}

def via_queue():
    q = Queue()
    p = Process(target=lambda: [q.put(i) for i in range(N)]); p.start()
    for _ in range(N): q.get()
    p.join()

def via_pipe():
    a, b = Pipe()
    p = Process(target=lambda: [b.send(i) for i in range(N)]); p.start()
    for _ in range(N): a.recv()
    p.join()

def via_manager():
    with Manager() as m:
        d = m.dict()
        p = Process(target=lambda: [d.__setitem__(i, i) for i in range(N)]); p.start(); p.join()

if __name__ == "__main__":
    for name, fn in [("Queue", via_queue), ("Pipe", via_pipe), ("Manager", via_manager)]:
        t = time.perf_counter(); fn()
        print(f"{name:8s} {N / (time.perf_counter() - t):12.0f} items/s")
