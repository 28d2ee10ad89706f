# Producers put items on a bounded queue; consumers take them off. A full
# queue blocks producers, an empty one blocks consumers. One sentinel per
# consumer says "no more items".
from multiprocessing import Process, Queue
import time

SENTINEL = None

def producer(q, items, delay):
    for i in range(items):
        q.put(i)                  # blocks while the queue holds maxsize items
        time.sleep(delay)

def consumer(q, work):
    while (item := q.get()) is not SENTINEL:   # blocks while the queue is empty
        time.sleep(work)

if __name__ == "__main__":
    q = Queue(maxsize=8)
    producers = [Process(target=producer, args=(q, 1000, 0.0)) for _ in range(2)]
    consumers = [Process(target=consumer, args=(q, 0.001)) for _ in range(2)]
    for p in producers + consumers: p.start()
    for p in producers: p.join()
    for _ in consumers: q.put(SENTINEL)
    for c in consumers: c.join()
